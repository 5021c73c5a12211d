import datetime

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.text import slugify


class FormRenderer(TemplatesSetting):
    """Form and widget templates from the project's templates (templates/forms/), then
    Django's own: what lets the widgets below render their options in one loop."""


class QuickSelect(forms.Select):
    """A menu that writes each <option> in its own template's loop instead of including a
    template per option (and another for its attributes): the same HTML as Django's
    Select, a fraction of the time for a menu of dozens of personas."""

    template_name = "forms/widgets/select.html"


def quick_menus(form):
    """Write the form's menus (Django's Select and SelectMultiple) as QuickSelect does: the
    same HTML, without a template included per option."""
    for field in form.fields.values():
        if type(field.widget) in (forms.Select, forms.SelectMultiple):
            field.widget.template_name = QuickSelect.template_name


class QuickRadioSelect(forms.RadioSelect):
    """Radio buttons written in one loop, as QuickSelect: the same HTML as RadioSelect."""

    template_name = "forms/widgets/radio.html"


class DatePicker(forms.DateInput):
    """A date field's <input type="date">. Its value is an ISO date or nothing: a browser
    shows nothing else there, and HTML allows nothing else, so a mistyped date in the URL
    is left out of the box (the error beside it says what was wrong)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return None
        return super().format_value(value)


class FilterForm(forms.Form):
    """Filters read from the URL. An invalid one (an old bookmark, a typo) is shown as an
    error and left out; the valid ones still apply."""

    def valid_filters(self):
        self.is_valid()  # cleaned_data keeps the fields that passed
        return self.cleaned_data


def filters_query(request, **changed):
    """The request's filters as a query string without the page: for page and export links.
    `changed` sets a filter (or, as None, drops it): a link to the same view, one thing
    switched."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in changed.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


STALE_MESSAGE = (
    "Someone else saved this since you opened it, so your changes were not saved. "
    "Compare below, then save again to replace what they saved with yours."
)


class VersionedForm(forms.Form):
    """A form for something two people may edit at once: neither silently overwrites the other.

    How it works, everywhere (item details, triage, review, the admin; next the API and the
    import, without a form):
    1. The form carries the version it was opened at in the hidden `version` field.
    2. The model's write method takes it as `expected_version` and raises EditConflict,
       carrying the item as it is now, when someone else saved since.
    3. The view calls `form.refuse_stale(conflict.current, differences)`, with differences
       from the same function an API's 409 body uses (roadmap.history): rows of
       (label, saved now, yours). The input stays; the hidden version moves to the current
       one, so saving again replaces theirs on purpose.
    The template shows it with `{% include "base.html#form-errors" %}`.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    conflict = None

    def refuse_stale(self, current, differences):
        """Refuse the save with the one message, who saved last and what differs."""
        by, at = current.last_change()
        self.conflict = {"by": by, "at": at, "differences": differences}
        self.data = self.data.copy()
        for name, value in self.current_versions(current).items():
            self.data[name] = value
        self.add_error(None, STALE_MESSAGE)

    def current_versions(self, current):
        """The hidden versions this form read, as they are now."""
        return {"version": current.version}


class SluggedForm(forms.ModelForm):
    """A model form for something found by a slug its name makes (a persona, a product):
    a new name whose slug is taken is refused beside the name, not at the database."""

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = type(self.instance).objects.filter(slug=slugify(name)[:80]).exclude(
            pk=self.instance.pk)
        if self.instance.pk is None and taken.exists():
            raise forms.ValidationError(f"“{taken.first()}” already has a name this close.")
        return name
