import datetime

from django import forms
from django.utils import timezone

from whobenefits.forms import DatePicker

from .models import ApiToken


class NewTokenForm(forms.ModelForm):
    """Name a new token and, if it should stop by itself, the last day it works."""

    expires_on = forms.DateField(
        label="Works until (optional)", required=False, widget=DatePicker,
        help_text="It stops at the end of this day (UTC). Leave empty for no end.")

    class Meta:
        model = ApiToken
        fields = ["name"]

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.now().date():
            raise forms.ValidationError("Pick today or a later day.")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                         tzinfo=datetime.UTC)
