from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode

from personas.models import Persona, Side, SuccessMetric
from whobenefits.forms import FilterForm
from whobenefits.people import person_label

from . import roles
from .models import (
    EFFORT_MAX,
    REVIEW_COMMENT_MAX_LENGTH,
    UNTRIAGED,
    VALUE_FOR_OTHER_SIDE_MAX_LENGTH,
    BeneficiaryClass,
    Horizon,
    Product,
    Review,
    RoadmapItem,
    Status,
    TriageSnapshot,
)


class RoadmapFilterForm(FilterForm):
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
        """Narrow `items` to the valid filters."""
        data = self.valid_filters()
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


# Keys that toggle personas on the triage form, in order. a, c, s and u are kept for
# "answer question 2", "customer problem", "skip" and "user problem".
PERSONA_KEYS = "1234567890bdefghijklmnopqrtvwxyz"


class RoadmapItemForm(forms.ModelForm):
    """Create or edit an item's details; an edit carries the version it started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = RoadmapItem
        fields = [
            "title", "product", "description", "request_quote", "requesting_persona",
            "status", "horizon", "effort", "owner",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "request_quote": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.conflict = None
        item = self.instance
        if item.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = item.version
        # Archived personas and people without a role cannot be chosen, but an item that
        # already names one keeps it.
        personas = self.fields["requesting_persona"]
        personas.queryset = Persona.objects.filter(
            Q(archived=False) | Q(pk=item.requesting_persona_id)
        )
        personas.label_from_instance = lambda p: (
            f"{p.name} ({p.get_side_display().lower()}, {p.get_archetype_display().lower()})"
            + (" (archived)" if p.archived else "")
        )
        personas.empty_label = "No persona"
        owner = self.fields["owner"]
        owner.queryset = get_user_model().objects.filter(
            Q(is_active=True, groups__name__in=[roles.PRODUCT_MANAGER, roles.ADMIN])
            | Q(pk=item.owner_id)
        ).distinct().order_by("first_name", "last_name", "username")
        owner.label_from_instance = person_label
        owner.empty_label = "Nobody yet"
        self.fields["effort"].widget.attrs.update(min=0, max=EFFORT_MAX)

    def refuse_stale(self, current):
        """Someone saved the item since this form began: say what differs and keep the input.

        The hidden version moves to `current`'s, so saving again deliberately replaces it.
        """
        shown = [(self.fields[name].label, _display(current, name), _display_value(self, name))
                 for name in self.Meta.fields]
        by, at = current.last_change()
        self.conflict = {
            "by": by, "at": at,
            "differences": [(label, saved, yours) for label, saved, yours in shown
                            if saved != yours],
        }
        self.data = self.data.copy()
        self.data["version"] = current.version
        self.add_error(None, STALE_MESSAGE)


STALE_MESSAGE = (
    "Someone else saved this item while you were editing, so your changes were not saved. "
    "Compare below, then save again to replace their version with yours."
)


def _display(item, name):
    """How a person reads one field of an item."""
    value = getattr(item, name)
    if value in (None, ""):
        return "—"
    if hasattr(item, f"get_{name}_display"):
        return getattr(item, f"get_{name}_display")()
    if name == "owner":
        return person_label(value)
    return str(value)


def _display_value(form, name):
    """How a person reads what they typed or chose in one field."""
    value = form.cleaned_data.get(name)
    if value in (None, ""):
        return "—"
    choices = dict(form.fields[name].choices) if name in ("status", "horizon") else None
    if choices:
        return choices.get(value, value)
    if name == "owner":
        return person_label(value)
    return str(value)


def parse_id(text):
    """`text` as a database id, or None: ASCII digits only ("²" passes isdigit()) and few
    enough to fit a 64-bit integer."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class PickField(forms.MultipleChoiceField):
    """Pick several of a list loaded once by the form; cleans to the picked objects.

    An id outside the list is an archived persona or metric (refused by name) or nothing.
    """

    def __init__(self, *, model, **kwargs):
        self.model = model
        self.objects = {}
        super().__init__(choices=(), required=False, **kwargs)

    def set_objects(self, objects):
        self.objects = {str(o.pk): o for o in objects}
        self.choices = [(pk, str(o)) for pk, o in self.objects.items()]

    def validate(self, value):
        unknown = [pk for pk in value if pk not in self.objects]
        if not unknown:
            return
        archived = [str(o) for o in self.model.objects.filter(
            pk__in=[pk for pk in map(parse_id, unknown) if pk is not None], archived=True)]
        if archived:
            raise ValidationError(
                f"{', '.join(archived)} {'is' if len(archived) == 1 else 'are'} archived and "
                "cannot be picked any more.", code="archived")
        raise ValidationError("Pick from the list: one of your picks no longer exists.",
                              code="invalid_choice")

    def clean(self, value):
        return [self.objects[pk] for pk in super().clean(value)]


class TriageForm(forms.Form):
    """The two triage questions for one item. Clean data is what record_triage takes."""

    primary_beneficiaries = PickField(model=Persona, label="Who benefits most from this?")
    whose_problem = forms.ChoiceField(
        label="Whose problem is it?", required=False, widget=forms.RadioSelect,
        choices=[(Side.CUSTOMER, "Customer problem"), (Side.USER, "User problem")],
        help_text="Left blank, it is the problem of the side you picked.",
    )
    metrics = PickField(model=SuccessMetric, label="Success metrics it moves")
    value_for_other_side = forms.CharField(
        label="How does this ultimately create value for the other group?", required=False,
        max_length=VALUE_FOR_OTHER_SIDE_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    indirect_beneficiaries = PickField(model=Persona, label="Who on the other side benefits")
    other_side_metrics = PickField(
        model=SuccessMetric, label="The other side's success metrics it should move"
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data=None, *, item, **kwargs):
        self.item = item
        self.triage = item.current_triage()
        super().__init__(data, initial=self.initial_answer(), **kwargs)
        self.conflict = None
        named = self.triage.primary_beneficiaries.all() if self.triage else []
        named_indirect = self.triage.indirect_beneficiaries.all() if self.triage else []
        named_metrics = self.triage.metrics.all() if self.triage else []
        # One query each, whatever the number of personas and metrics: the active ones,
        # and any archived one the answer already names.
        self.personas = list(Persona.objects.filter(
            Q(archived=False) | Q(pk__in=[p.pk for p in [*named, *named_indirect]])
        ))
        self.all_metrics = list(SuccessMetric.objects.filter(
            Q(archived=False) | Q(pk__in=[m.pk for m in named_metrics])
        ))
        for name in ("primary_beneficiaries", "indirect_beneficiaries"):
            self.fields[name].set_objects(self.personas)
        for name in ("metrics", "other_side_metrics"):
            self.fields[name].set_objects(self.all_metrics)

    def initial_answer(self):
        item, triage = self.item, self.triage
        if triage is None:
            requester = item.requesting_persona
            return {"version": item.version, "whose_problem": requester.side if requester else ""}
        benefiting = BeneficiaryClass(triage.beneficiary_class).benefiting_side
        metrics = list(triage.metrics.all())
        return {
            "version": item.version,
            "primary_beneficiaries": [str(p.pk) for p in triage.primary_beneficiaries.all()],
            "whose_problem": triage.whose_problem,
            "value_for_other_side": triage.value_for_other_side,
            "indirect_beneficiaries": [str(p.pk) for p in triage.indirect_beneficiaries.all()],
            "metrics": [str(m.pk) for m in metrics if benefiting in (None, m.side)],
            "other_side_metrics": [
                str(m.pk) for m in metrics if benefiting not in (None, m.side)
            ],
        }

    @classmethod
    def preview(cls, data, *, item):
        """An unsaved form showing `data`'s picks, without errors: the live class preview."""
        form = cls(item=item)
        form.initial = {name: (data.getlist(name) if isinstance(field, PickField)
                               else data.get(name, ""))
                        for name, field in form.fields.items()}
        return form

    # What the template shows, derived from the current picks (bound or initial).

    def _picked(self, name):
        objects = self.fields[name].objects
        value = self[name].value() or []
        return {str(pk) for pk in value if str(pk) in objects}

    @property
    def beneficiary_class(self):
        """The class the current picks make, or None with no picks."""
        sides = {p.side for p in self.personas if str(p.pk) in self._picked(
            "primary_beneficiaries")}
        return BeneficiaryClass.from_sides(sides) if sides else None

    @property
    def benefiting_side(self):
        klass = self.beneficiary_class
        return klass.benefiting_side if klass else None

    @property
    def other_side(self):
        side = self.benefiting_side
        return side.other if side else None

    def _options(self, name, objects, keys=None):
        picked = self._picked(name)
        keys = keys or {}
        return [{"object": o, "value": str(o.pk), "checked": str(o.pk) in picked,
                 "key": keys.get(o.pk), "id": f"id_{name}_{o.pk}"} for o in objects]

    def persona_columns(self):
        """Question 1: (side, options) for Customers then Users, each option with its key."""
        ordered = sorted(self.personas, key=lambda p: (p.side != Side.CUSTOMER, p.order, p.name))
        keys = dict(zip((p.pk for p in ordered), PERSONA_KEYS, strict=False))
        return [(side, self._options("primary_beneficiaries",
                                     [p for p in ordered if p.side == side], keys))
                for side in (Side.CUSTOMER, Side.USER)]

    def metric_options(self):
        """The metrics of the side (or sides) the picks benefit."""
        side = self.benefiting_side
        return self._options("metrics", [m for m in self.all_metrics if side in (None, m.side)])

    def indirect_options(self):
        side = self.other_side
        return self._options("indirect_beneficiaries",
                             [p for p in self.personas if p.side == side])

    def other_side_metric_options(self):
        side = self.other_side
        return self._options("other_side_metrics", [m for m in self.all_metrics if m.side == side])

    # Validation.

    def clean(self):
        data = super().clean()
        primary = data.get("primary_beneficiaries") or []
        if not primary or self.errors.get("primary_beneficiaries"):
            return data
        benefiting = BeneficiaryClass.from_sides(p.side for p in primary).benefiting_side
        if not data.get("whose_problem"):
            if benefiting is None:
                self.add_error("whose_problem", "Say whose problem it is: the picks are on both "
                                                "sides.")
            else:
                data["whose_problem"] = benefiting
        if benefiting is None:
            # Question 2 is only for one-sided items: a both-sided answer drops it.
            data["value_for_other_side"], data["indirect_beneficiaries"] = "", []
            data["other_side_metrics"] = []
            return data
        other = benefiting.other
        self._refuse_wrong_side("indirect_beneficiaries", other, "Indirect beneficiaries must "
                                f"be on the other side ({other.label.lower()}).")
        self._refuse_wrong_side("metrics", benefiting, "These metrics are the other side's: "
                                "pick them under question 2.")
        self._refuse_wrong_side("other_side_metrics", other, "These metrics are on the side "
                                "the item benefits: pick them under question 1.")
        return data

    def _refuse_wrong_side(self, name, side, message):
        wrong = [o for o in self.cleaned_data.get(name) or [] if o.side != side]
        if wrong:
            self.add_error(name, f"{message} Not on that side: {', '.join(map(str, wrong))}.")

    def answer(self):
        """The keyword arguments of item.record_triage for the clean answer."""
        data = self.cleaned_data
        return {
            "primary_beneficiaries": data["primary_beneficiaries"],
            "whose_problem": data.get("whose_problem") or "",
            "value_for_other_side": data.get("value_for_other_side", ""),
            "indirect_beneficiaries": data.get("indirect_beneficiaries", []),
            "metrics": [*data.get("metrics", []), *data.get("other_side_metrics", [])],
            "expected_version": data["version"],
        }

    def refuse_stale(self, current):
        """Someone saved the item since this form began: show what differs, keep the input.

        `current` is the item as saved now, its triage prefetched. The hidden version moves
        to the current one, so saving again deliberately replaces their answer with this one.
        """
        by, at = current.last_change()
        self.conflict = {
            "by": by, "at": at,
            "differences": TriageSnapshot.differences(
                TriageSnapshot.from_triage(current.current_triage()),
                TriageSnapshot.from_answer(**self.answer()),
            ),
        }
        self.data = self.data.copy()
        self.data["version"] = current.version
        self.add_error(None, "Someone else saved this item while you were answering, so your "
                             "answer was not saved. Compare below, then save again to replace "
                             "theirs with yours.")


class TriageQueueForm(FilterForm):
    """Which untriaged items the queue walks (a product, or all) and where it has got to."""

    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="All products",
        to_field_name="slug",
    )
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def walked_past(self):
        """The last item walked past (saved or skipped); the queue goes on after it."""
        return self.valid_filters().get("after") or 0

    def queue(self):
        """The untriaged items in scope, in queue order; the item and answer are prefetched."""
        items = RoadmapItem.objects.for_triage().triage_queue()
        product = self.valid_filters().get("product")
        return items.for_product(product) if product else items

    def url(self, after=None):
        params = {}
        product = self.valid_filters().get("product")
        if product:
            params["product"] = product.slug
        if after:
            params["after"] = after
        query = f"?{urlencode(params)}" if params else ""
        return reverse("roadmap:triage-queue") + query


OPEN = ""
ANY_STATUS = "any"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class ReviewFilterForm(FilterForm):
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
        choices=[(OPEN, "Open items"), *Status.choices,
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

    def scope(self, items):
        """Narrow `items` by product, status and owner, leaving every horizon in.

        The trap warnings and the "left out of now and next" flags need all horizons
        whatever the horizon filter says.
        """
        data = self.valid_filters()
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
        horizon = self.valid_filters().get("horizon")
        return [horizon] if horizon else list(Horizon.values)

    def filter(self, items):
        """Every filter, the horizon included: what the lists and exports show."""
        horizon = self.valid_filters().get("horizon")
        items = self.scope(items)
        return items.in_horizon(horizon) if horizon else items

    def describe(self):
        """The filters that apply, in words, for the printed page and the dashboard heading."""
        data = self.valid_filters()
        parts = [dict(self.fields["status"].choices)[data.get("status", OPEN)]]
        for name in ["product", "horizon", "owner"]:
            value = data.get(name)
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

    def refuse_stale(self, current):
        """Someone changed or reviewed the item since: keep the lead's verdict and comment,
        move the hidden versions to `current`'s so saving again is a deliberate choice."""
        review = current.current_review()
        self.item = current
        self.data = self.data.copy()
        self.data["version"] = current.version
        self.data["review_version"] = review.version if review else 0
