"""The API's input as a form's data: the pages' forms validate what a script sends too."""

from django.forms.models import model_to_dict

from .api_errors import valid_form


def form_data(values):
    """Schema values as a form's data: nothing (None) is an empty input; ids stay ids."""
    return {name: "" if value is None else value for name, value in values.items()}


def changed(instance, fields, changes):
    """The form data of `instance`'s `fields`, with `changes` (given fields only) applied."""
    data = {name: [related.pk for related in value] if isinstance(value, list) else value
            for name, value in model_to_dict(instance, fields=fields).items()}
    return form_data({**data, **changes})


def save_through(form, by):
    """Validate and save a model form as `by` (on the audit trail); 422 when invalid."""
    valid_form(form)
    instance = form.save(commit=False)
    instance._history_user = by
    instance.save()
    form.save_m2m()
    return instance
