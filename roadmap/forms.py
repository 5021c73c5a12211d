from django import forms

from .models import BeneficiaryClass, Horizon, Product, Status

UNTRIAGED = "untriaged"


class RoadmapFilterForm(forms.Form):
    """The roadmap list's filters; they live in the URL so a view can be bookmarked."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="All products",
        to_field_name="slug",
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    horizon = forms.ChoiceField(choices=[("", "Any horizon"), *Horizon.choices], required=False)
    beneficiary_class = forms.ChoiceField(
        label="Who benefits",
        choices=[("", "Anyone"), *BeneficiaryClass.choices, (UNTRIAGED, "Untriaged")],
        required=False,
    )

    def filter(self, items):
        """Narrow `items` to the valid filters; invalid ones are ignored (and shown as errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("product"):
            items = items.for_product(data["product"])
        if data.get("status"):
            items = items.with_status(data["status"])
        if data.get("horizon"):
            items = items.in_horizon(data["horizon"])
        if data.get("beneficiary_class") == UNTRIAGED:
            items = items.untriaged()
        elif data.get("beneficiary_class"):
            items = items.of_class(data["beneficiary_class"])
        return items
