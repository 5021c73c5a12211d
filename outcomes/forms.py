from django import forms

from personas.models import SuccessMetric
from roadmap.models import Product
from whobenefits.forms import VersionedForm

from .models import VALUE_DIGITS, VALUE_PLACES, EmailSettings, MetricReading, Verdict, month_of

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


class MonthField(forms.DateField):
    """A month as 2026-11 (a day within it is taken as its month)."""

    # Text, not type=month: some browsers show that as a bare text box with no hint.
    widget = forms.DateInput(attrs={"placeholder": "2026-11", "inputmode": "numeric"},
                             format="%Y-%m")
    default_error_messages = {"invalid": "Enter a month as 2026-11."}

    def __init__(self, **kwargs):
        super().__init__(input_formats=MONTH_FORMATS, **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return month_of(day) if day else day


def value_field():
    return forms.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES,
                              help_text="The number for the month: 120000, 93.5 (a rate in %).")


class ReadingForm(forms.Form):
    """A new reading. Archived metrics are listed so the refusal names them, not a bare
    "select a valid choice"."""

    metric = forms.ModelChoiceField(SuccessMetric.objects.all(), label="Success metric",
                                    empty_label="Pick a metric")
    product = forms.ModelChoiceField(Product.objects.all(), empty_label="Pick a product")
    period = MonthField(label="Month")
    value = value_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["metric"].label_from_instance = lambda metric: (
            f"{metric.name} ({metric.get_side_display().lower()})"
            + (", archived" if metric.archived else ""))

    def clean(self):
        data = super().clean()
        if all(data.get(name) for name in ("metric", "product", "period")):
            try:
                MetricReading.check_new(metric=data["metric"], product=data["product"],
                                        period=data["period"], value=data.get("value"))
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


class CorrectionForm(VersionedForm):
    """A reading's new value, refused beside the field when its metric cannot take it."""

    def __init__(self, *args, metric, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.metric = metric

    value = value_field()
    reason = forms.CharField(max_length=100, required=False,
                             help_text="Why it changes (on the audit trail): “Finance "
                                       "restated March”.")

    def clean_value(self):
        value = self.cleaned_data["value"]
        if refused := self.metric.value_error(value):
            raise forms.ValidationError(refused)
        return value


class WithdrawForm(VersionedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="withdraw_%s", label_suffix="",  # beside the correction
                         **kwargs)

    reason = forms.CharField(max_length=100, required=False, label="Why withdraw it",
                             help_text="On the audit trail: “Entered for the wrong product”.")


class ReadingFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="filter_%s", **kwargs)  # beside the record form

    product = forms.ModelChoiceField(Product.objects.all(), required=False,
                                     empty_label="Every product")
    metric = forms.ModelChoiceField(SuccessMetric.objects.all(), required=False,
                                    label="Success metric", empty_label="Every metric")

    def filter(self, readings):
        if not self.is_valid():
            return readings
        for name in ("product", "metric"):
            if self.cleaned_data.get(name):
                readings = readings.filter(**{name: self.cleaned_data[name]})
        return readings


class OutcomeForm(VersionedForm):
    """The owner's answer to "did its metrics move?"; version 0 for the first answer."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    verdict = forms.ChoiceField(choices=Verdict.choices, widget=forms.RadioSelect,
                                label="Did its metrics move?")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           required=False, help_text="What the numbers show, for the team lead.")

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, auto_id=f"outcome-{item.pk}-%s", label_suffix="", **kwargs)
        self.item = item

    def current_versions(self, current):
        return {"version": current.version if current else 0}


class EmailSettingsForm(forms.ModelForm):
    class Meta:
        model = EmailSettings
        fields = ["challenge_emails", "weekly_digest"]

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # Each role sees the emails it can get: owners the challenges, leads the digest.
        if not person.has_perm("roadmap.triage_roadmapitem"):
            del self.fields["challenge_emails"]
        if not person.has_perm("roadmap.review_roadmapitem"):
            del self.fields["weekly_digest"]
