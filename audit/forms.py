from django import forms
from django.contrib.auth import get_user_model

from whobenefits.forms import DatePicker, FilterForm

from .trail import object_type_choices, trail


class TrailFilterForm(FilterForm):
    """The audit trail's filters, read from the URL so a filtered view can be shared."""

    person = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"), required=False,
        empty_label="Anyone", help_text="Who made the change.",
    )
    object_type = forms.ChoiceField(required=False)
    since = forms.DateField(
        label="From", required=False, widget=DatePicker(),
    )
    until = forms.DateField(
        label="To", required=False, widget=DatePicker(),
        help_text="Both days included.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "Any type"), *object_type_choices()]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned

    def trail(self, before=None):
        """The trail, narrowed by the valid filters (a "from" after the "to" is shown as an
        error on "to", and only "from" applies); older than `before` if given."""
        data = self.valid_filters()
        return trail(
            person=data.get("person"), kind=data.get("object_type") or None,
            since=data.get("since"), until=data.get("until"), before=before,
        )
