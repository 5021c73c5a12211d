from django import forms
from django.core.validators import URLValidator
from django.db.models import Q
from django.urls import reverse

from personas.models import Persona, PersonaSide
from roadmap.forms import parse_id
from roadmap.history import NOTHING
from whobenefits.forms import DatePicker, FilterForm, QuickRadioSelect, QuickSelect, VersionedForm

from .models import Company, Evidence, Segment, Source

MAX_QUERY = 200


class MergeCompaniesForm(forms.Form):
    """Which of two companies to keep; the other's notes move to it and it is archived."""

    kept = forms.ModelChoiceField(
        queryset=Company.objects.none(), widget=forms.RadioSelect, empty_label=None,
        label="Keep this company", help_text="Every evidence note of the other one moves to it.",
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.companies = companies
        self.fields["kept"].queryset = companies

    def merged_company(self):
        kept = self.cleaned_data["kept"]
        return next(c for c in self.companies if c.pk != kept.pk)


def persona_label(persona):
    return (f"{persona.name} ({persona.archetype.name.lower()})"
            + (" (archived)" if persona.archived else ""))


class PersonaChoiceField(forms.ChoiceField):
    """The personas grouped by side; clean_persona says why an id outside them is refused."""

    def validate(self, value):
        if not value and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class WebLinkField(forms.URLField):
    """http or https only, with one message for anything else."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": "Enter a web link starting with http:// or https://."}


class EvidenceForm(forms.ModelForm):
    """A note: what was said, by whom (a persona, so a side), where it came from.

    Archived personas and companies are refused by name for a new note; a note that already
    names one keeps it. The company is typed by name (a list of names helps)."""

    persona = PersonaChoiceField(label="Who said it", widget=QuickSelect)
    link = WebLinkField(label="Link (optional)", required=False, max_length=500,
                        assume_scheme="https")
    company = forms.CharField(
        required=False, max_length=120,
        help_text="The customer account, by name. Leave it empty for none.")

    class Meta:
        model = Evidence
        fields = Evidence.DETAILS
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "source": QuickSelect,
            "importance": QuickRadioSelect,
            "observed_on": DatePicker,
        }
        labels = {"contact_name": "Contact (optional)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        note = self.instance
        self.fields["text"].widget.attrs["maxlength"] = self.fields["text"].max_length
        self.personas = {str(p.pk): p for p in Persona.objects.select_related("archetype").filter(
            Q(archived=False) | Q(pk=note.persona_id))}
        groups = [(side.label, [(pk, persona_label(p)) for pk, p in self.personas.items()
                                if p.side == side]) for side in PersonaSide]
        self.fields["persona"].choices = [("", "Pick a persona")] + [
            (label, choices) for label, choices in groups if choices]
        if note.pk:
            self.initial["persona"] = str(note.persona_id)
            self.initial["company"] = note.company.name if note.company else ""
        # The names offered as the PM types (htmx fills the list); typing a name works too.
        self.fields["company"].widget.attrs.update({
            "list": "company-names", "autocomplete": "off",
            "hx-get": reverse("evidence:company-options"), "hx-target": "#company-names",
            "hx-trigger": "input changed delay:250ms", "hx-swap": "innerHTML",
        })
        self.fields["link"].widget.attrs["placeholder"] = "https://"

    def clean_persona(self):
        value = self.cleaned_data["persona"]
        if value in self.personas:
            return self.personas[value]
        pk = parse_id(value)
        archived = Persona.objects.filter(pk=pk, archived=True).first() if pk else None
        if archived:
            raise forms.ValidationError(f"{archived.name} is archived and cannot be picked for "
                                        "new evidence.", code="archived")
        raise forms.ValidationError("Pick a persona from the list.", code="invalid_choice")

    def clean_company(self):
        name = self.cleaned_data["company"].strip()
        if not name:
            return None
        company = Company.objects.named(name).first()
        if company is None:
            raise forms.ValidationError(
                f"No company is named “{name}”. Pick one from the list, or ask an admin to add "
                "it.", code="unknown")
        if company.archived and company.pk != self.instance.company_id:
            raise forms.ValidationError(f"{company.name} is archived and cannot be picked for "
                                        "new evidence.", code="archived")
        return company

    def details(self):
        """The keyword arguments of Evidence.record for the clean note."""
        return {name: self.cleaned_data[name] for name in Evidence.DETAILS}


class EvidenceEditForm(VersionedForm, EvidenceForm):
    """An existing note; the version catches someone else's edit or link meanwhile."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version


def evidence_differences(saved, edited):
    """(label, saved, yours) for each detail where `edited`, an unsaved copy holding
    someone's input, differs from `saved`."""
    def shown(note, name):
        value = getattr(note, name)
        if value in (None, ""):
            return NOTHING
        display = getattr(note, f"get_{name}_display", None)
        return display() if display else str(value)

    rows = [(Evidence._meta.get_field(name).verbose_name.capitalize(), shown(saved, name),
             shown(edited, name)) for name in Evidence.DETAILS]
    return [row for row in rows if row[1] != row[2]]


class ItemSearchForm(FilterForm):
    """Find roadmap items by title to link a note to."""

    q = forms.CharField(label="Find items by title", required=False, max_length=MAX_QUERY,
                        strip=True)

    def query(self):
        return self.valid_filters().get("q", "")


class LinkForm(forms.Form):
    """Which item to link or unlink, and where to go back to."""

    item = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CompanyFilterForm(FilterForm):
    """The company list's search, segment and order; they live in the URL."""

    SORTS = {"name": ("name",), "-arr": ("-arr", "name"),
             "renewal": ("renewal_date", "name")}

    q = forms.CharField(label="Name", required=False, max_length=MAX_QUERY, strip=True)
    segment = forms.ChoiceField(choices=[("", "Any segment"), *Segment.choices], required=False)
    sort = forms.ChoiceField(
        label="Order", required=False,
        choices=[("name", "Name"), ("-arr", "Revenue, highest first"),
                 ("renewal", "Renewal, soonest first")])
    archived = forms.BooleanField(label="Show archived", required=False)

    def filter(self, companies):
        data = self.valid_filters()
        if not data.get("archived"):
            companies = companies.active()
        if data.get("q"):
            companies = companies.filter(name__icontains=data["q"])
        if data.get("segment"):
            companies = companies.filter(segment=data["segment"])
        return companies.order_by(*self.SORTS[data.get("sort") or "name"])


class InboxFilterForm(FilterForm):
    source = forms.ChoiceField(choices=[("", "Any source"), *Source.choices], required=False)
