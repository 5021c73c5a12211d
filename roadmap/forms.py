from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from .models import (
    REVIEW_COMMENT_MAX_LENGTH,
    UNTRIAGED,
    BeneficiaryClass,
    Horizon,
    Product,
    Review,
    RoadmapItem,
    Status,
)


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


OPEN = ""
ANY_STATUS = "any"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ReviewFilterForm(forms.Form):
    """The review dashboard's filters, shared by its CSV export and printed page.

    They live in the URL so a filtered view can be bookmarked and shared. The status
    defaults to open work (not shipped or dropped).
    """

    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="All products",
        to_field_name="slug",
    )
    horizon = forms.ChoiceField(choices=[("", "All horizons"), *Horizon.choices], required=False)
    status = forms.ChoiceField(
        choices=[(OPEN, "Open (not shipped or dropped)"), *Status.choices,
                 (ANY_STATUS, "Any status")],
        required=False,
    )
    owner = OwnerChoiceField(
        # EXISTS, not a DISTINCT join over every item: one index probe per person.
        queryset=get_user_model().objects.filter(
            Exists(RoadmapItem.objects.filter(owner=OuterRef("pk")))
        ).order_by("first_name", "last_name", "username"),
        required=False, empty_label="Anyone", to_field_name="username",
    )

    def data_or_defaults(self):
        return self.cleaned_data if self.is_valid() else {}

    def scope(self, items):
        """Narrow `items` by product, status and owner, leaving every horizon in.

        The trap warnings and the "left out of now and next" flags need all horizons
        whatever the horizon filter says; invalid filters are ignored (and shown as errors).
        """
        data = self.data_or_defaults()
        if data.get("product"):
            items = items.for_product(data["product"])
        status = data.get("status", OPEN)
        if status == OPEN:
            items = items.open()
        elif status != ANY_STATUS:
            items = items.with_status(status)
        if data.get("owner"):
            items = items.owned_by(data["owner"])
        return items

    def counted_horizons(self):
        """The horizons the counts and lists cover: the chosen one, or all three."""
        horizon = self.data_or_defaults().get("horizon")
        return [horizon] if horizon else list(Horizon.values)

    def filter(self, items):
        """Every filter, the horizon included: what the lists and exports show."""
        horizon = self.data_or_defaults().get("horizon")
        items = self.scope(items)
        return items.in_horizon(horizon) if horizon else items

    def describe(self):
        """The filters in words, for the printed page and the dashboard heading."""
        if not self.is_valid():
            return "All open items"
        parts = [dict(self.fields["status"].choices)[self.cleaned_data["status"]]]
        for name in ["product", "horizon", "owner"]:
            value = self.cleaned_data.get(name)
            if value:
                field = self.fields[name]
                label = (field.label_from_instance(value) if hasattr(field, "label_from_instance")
                         else dict(field.choices)[value])
                parts.append(f"{field.label or name.title()}: {label}")
        return " · ".join(parts)


class ReviewForm(forms.Form):
    """A team lead's verdict on one triaged item; the versions catch a concurrent review."""

    verdict = forms.ChoiceField(
        choices=[(Review.Verdict.ACCEPTED, "Accept"), (Review.Verdict.CHALLENGED, "Challenge")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        max_length=REVIEW_COMMENT_MAX_LENGTH,
        help_text="Required for a challenge: say what the PM should look at again.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    review_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, item, **kwargs):
        review = item.current_review()
        kwargs.setdefault("auto_id", f"id_review{item.pk}_%s")
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(version=item.version,
                                 review_version=review.version if review else 0)
        super().__init__(*args, **kwargs)
        self.item = item

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("verdict") == Review.Verdict.CHALLENGED
                and not cleaned.get("comment", "").strip()):
            self.add_error("comment", "Say why you challenge this item.")
        if self.item.current_triage() is None:
            raise forms.ValidationError("Only a triaged item can be reviewed: triage it first.")
        return cleaned
