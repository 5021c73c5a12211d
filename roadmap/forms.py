from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from personas.models import Persona, PersonaSide, SuccessMetric
from whobenefits.forms import FilterForm, VersionedForm, quick_menus
from whobenefits.people import person_label

from . import extensions, roles
from .models import (
    EFFORT_MAX,
    REVIEW_COMMENT_MAX_LENGTH,
    UNTRIAGED,
    VALUE_FOR_OTHER_SIDE_MAX_LENGTH,
    BalanceTarget,
    BeneficiaryClass,
    Horizon,
    Product,
    QueueOrder,
    RoadmapItem,
    Status,
    ValueLevel,
    Verdict,
    WhoseProblem,
)
from .quarters import FIRST_YEAR, Quarter, QuarterFormField

# The largest id a database stores (a 64-bit integer).
MAX_ID = 2**63 - 1


# The filter's choice for every product but the demo's ("minus the demo"): the slugs that
# Product.save and the admin make never start with a hyphen.
ALL_BUT_DEMO = "-demo"


@dataclass(frozen=True)
class ProductChoice:
    """The products a filter picked, and whether it also picked all but the demo's."""

    products: tuple = ()
    all_but_demo: bool = False

    def __bool__(self):
        return bool(self.products) or self.all_but_demo

    def __str__(self):
        names = [p.name for p in self.products]
        return ", ".join((["All but the demo"] if self.all_but_demo else []) + names)

    def narrow(self, items):
        """`items` of these products (all of them when none was picked)."""
        if not self:
            return items
        return items.for_products(self.products, all_but_demo=self.all_but_demo)

    def queryset(self):
        """The products picked, all but the demo's included, as a Product queryset."""
        return Product.objects.picked(self.products, all_but_demo=self.all_but_demo)

    def slugs(self):
        """The picks as the URL names them: ?product=a&product=b."""
        return ([ALL_BUT_DEMO] if self.all_but_demo else []) + [p.slug for p in self.products]


class ProductChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        yield ALL_BUT_DEMO, "All but the demo"
        yield from super().__iter__()


class ProductFilterField(forms.ModelMultipleChoiceField):
    """A filter on products, each named by its slug in the URL (?product=a&product=b, so a
    bookmark of one product still works), or on all but the demo's; none picked is all
    products. Cleans to a ProductChoice."""

    iterator = ProductChoices
    widget = forms.SelectMultiple(attrs={"size": 4})

    def __init__(self, **kwargs):
        super().__init__(queryset=Product.objects.all(), required=False, to_field_name="slug",
                         help_text="Ctrl- or ⌘-click to pick several.", **kwargs)

    def clean(self, value):
        picked = list(value or [])
        products = super().clean([slug for slug in picked if slug != ALL_BUT_DEMO])
        return ProductChoice(tuple(products), all_but_demo=ALL_BUT_DEMO in picked)


class RoadmapFilterForm(FilterForm):
    """The roadmap list's filters; they live in the URL so a view can be bookmarked."""

    product = ProductFilterField()
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    horizon = forms.ChoiceField(choices=[("", "Any horizon"), *Horizon.choices], required=False)
    beneficiary_class = forms.ChoiceField(
        label="Who benefits",
        choices=[("", "Anyone"), *BeneficiaryClass.choices, (UNTRIAGED, "Untriaged")],
        required=False,
    )
    target_quarter = QuarterFormField(label="Quarter", required=False, help_text="")
    from_import = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                     widget=forms.HiddenInput)

    customer_value = forms.TypedChoiceField(
        choices=[("", "Any"), *ValueLevel.choices], coerce=int, empty_value=None, required=False)
    user_value = forms.TypedChoiceField(
        choices=[("", "Any"), *ValueLevel.choices], coerce=int, empty_value=None, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        # Filters and sortable columns a higher app registered (evidence).
        self.extensions = extensions.registered()
        for extension in self.extensions:
            self.fields.update(extension.list_filter_fields())
        sorts = [column.sort for e in self.extensions for column in e.list_columns]
        self.fields["sort"] = forms.ChoiceField(
            required=False, widget=forms.HiddenInput,
            choices=[("", "Product and title")] + [(key, key) for key in sorts]
            + [(f"-{key}", f"-{key}") for key in sorts])
        quick_menus(self)

    def filter(self, items):
        """Narrow `items` to the valid filters."""
        data = self.valid_filters()
        if data.get("from_import"):
            items = items.from_import(data["from_import"])
        if data.get("product"):
            items = data["product"].narrow(items)
        if data.get("status"):
            items = items.with_status(data["status"])
        if data.get("horizon"):
            items = items.in_horizon(data["horizon"])
        if data.get("target_quarter"):
            items = items.targeting(data["target_quarter"])
        if data.get("beneficiary_class") == UNTRIAGED:
            items = items.untriaged()
        elif data.get("beneficiary_class"):
            items = items.of_class(data["beneficiary_class"])
        for side in ("customer_value", "user_value"):
            if data.get(side) is not None:
                items = items.filter(**{f"triage__{side}": data[side]})
        for extension in self.extensions:
            items = extension.filter_list(items, data)
        return items

    def order(self, items):
        """`items` in the order the sort asks for (a registered column), else as they are."""
        sort = self.valid_filters().get("sort", "")
        if not sort:
            picked = self.valid_filters().get("product")
            if picked and len(picked.products) == 1 and not picked.all_but_demo:
                # One product's name is on every row: the title gives the same order as
                # the default one, from the (product, horizon, title) index, reading 50
                # rows for a page instead of sorting every match.
                return items.order_by("title", "pk")
            return items
        key = sort.removeprefix("-")
        for extension in self.extensions:
            if key in {column.sort for column in extension.list_columns}:
                return extension.sort_list(items, key, descending=sort.startswith("-"))
        return items

    def column_headers(self, request):
        """Each registered column with the link that sorts by it (highest first, then the
        other way) and its aria-sort state."""
        sort = self.valid_filters().get("sort", "")
        headers = []
        for extension in self.extensions:
            for column in extension.list_columns:
                query = request.GET.copy()
                query.pop("page", None)
                state = ("descending" if sort == f"-{column.sort}" else
                         "ascending" if sort == column.sort else "none")
                query["sort"] = column.sort if state == "descending" else f"-{column.sort}"
                headers.append({"column": column, "query": query.urlencode(),
                                "aria_sort": state})
        return headers


class ItemQueryForm(RoadmapFilterForm):
    """The roadmap list's filters and a script's: the owner, changes since, words."""

    owner = forms.ModelChoiceField(queryset=get_user_model().objects.all(), required=False,
                                   to_field_name="username")
    updated_since = forms.DateTimeField(required=False)
    q = forms.CharField(required=False, max_length=200, label="Words in the title or "
                                                              "description")

    def filter(self, items):
        items = super().filter(items)
        data = self.valid_filters()
        if data.get("owner"):
            items = items.owned_by(data["owner"])
        if data.get("updated_since"):
            items = items.filter(updated_at__gte=data["updated_since"])
        if data.get("q"):
            words = data["q"]
            items = items.filter(Q(title__icontains=words) | Q(description__icontains=words))
        return items


# Keys that toggle personas on the triage form, in order. Kept for other things: a (answer
# question 2), c and u (whose problem), s (skip), and the two prefixes below.
PERSONA_KEYS = "1234567890bdefghjklnopqrtvwxyz"
# A success metric is m then its key; an indirect beneficiary is i then the persona's own key
# (the one that picks it under question 1). After a prefix every key is free.
METRIC_PREFIX, INDIRECT_PREFIX = "m", "i"
METRIC_KEYS = "1234567890abcdefghijklmnopqrstuvwxyz"


class ItemDetailsForm(VersionedForm, forms.ModelForm):
    """An item's details (not its triage); an edit carries the version it started from."""

    class Meta:
        model = RoadmapItem
        fields = RoadmapItem.DETAILS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new item has no version: nobody else can have saved it yet.
        self.fields["version"].required = self.instance.pk is not None
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        # A new item may leave the horizon to its product's default (RoadmapItem.save).
        horizon = self.fields["horizon"]
        if self.instance.pk is None:
            horizon.required = False
            horizon.choices = [("", "The product's default"), *Horizon.choices]
        else:
            horizon.choices = Horizon.choices
        self.fields["shipped_on"].widget = forms.DateInput(attrs={"type": "date"})

    def clean_shipped_on(self):
        shipped_on = self.cleaned_data["shipped_on"]
        if shipped_on and shipped_on > timezone.localdate():
            raise ValidationError("An item cannot have shipped in the future.")
        if shipped_on and shipped_on.year < FIRST_YEAR:
            raise ValidationError(f"Give a day from {FIRST_YEAR} on.")
        return shipped_on

    def clean(self):
        cleaned = super().clean()
        # Leaving shipped clears the date (take_shipped_date), but a date typed for an item
        # that is not shipped is a mistake to point out, not to drop.
        if (cleaned.get("shipped_on") and "shipped_on" in self.changed_data
                and cleaned.get("status") != Status.SHIPPED):
            self.add_error("shipped_on", "Only a shipped item has a shipped date: mark it "
                                         "shipped, or leave this empty.")
        return cleaned


class RoadmapItemForm(ItemDetailsForm):
    """Create or edit an item's details on the app's pages."""

    class Meta(ItemDetailsForm.Meta):
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "request_quote": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        item = self.instance
        # Archived personas and people without a role cannot be chosen, but an item that
        # already names one keeps it.
        personas = self.fields["requesting_persona"]
        personas.queryset = Persona.objects.select_related("archetype").filter(
            Q(archived=False) | Q(pk=item.requesting_persona_id)
        )
        personas.label_from_instance = lambda p: (
            f"{p.name} ({p.get_side_display().lower()}, {p.archetype.name.lower()})"
            + (" (archived)" if p.archived else "")
        )
        personas.empty_label = "No persona"
        owner = self.fields["owner"]
        owner.queryset = possible_owners(keeping=item.owner_id)
        owner.label_from_instance = person_label
        owner.empty_label = "Nobody yet"
        self.fields["effort"].widget.attrs.update(min=0, max=EFFORT_MAX)


def possible_owners(keeping=None):
    """Who may own an item: the active product managers and admins, and the person with the
    pk `keeping` (an item's current owner keeps them, whatever their role now)."""
    return get_user_model().objects.filter(
        Q(is_active=True, groups__name__in=[roles.PRODUCT_MANAGER, roles.ADMIN])
        | Q(pk=keeping)
    ).distinct().order_by("first_name", "last_name", "username")


class SelectedItemsField(forms.Field):
    """The items ticked on the roadmap list, each posted as "id:version" (the version the
    list showed); cleans to {id: version}. The list's checkboxes render it."""

    widget = forms.MultipleHiddenInput

    def clean(self, value):
        versions = {}
        for text in value or []:
            pk, _, version = text.partition(":")
            pk, version = parse_id(pk), parse_id(version)
            if not (pk and version):
                raise ValidationError("This list is out of date: reload the page and try again.")
            versions[pk] = version
        if not versions:
            raise ValidationError("Select the items to change.")
        return versions


KEEP, NOBODY = "", "nobody"


class BulkEditForm(forms.Form):
    """Set the horizon, status, owner or product of the items ticked on the roadmap list."""

    # Worded apart from the list's filters above (Product, Status, Horizon).
    items = SelectedItemsField()
    horizon = forms.ChoiceField(label="Plan for", required=False,
                                choices=[(KEEP, "Leave as is"), *Horizon.choices])
    status = forms.ChoiceField(label="Mark as", required=False,
                               choices=[(KEEP, "Leave as is"), *Status.choices])
    target_quarter = forms.ChoiceField(label="Target quarter", required=False)
    owner = forms.ChoiceField(label="Assign to", required=False)
    product = forms.ModelChoiceField(Product.objects.all(), label="Move to", required=False,
                                     empty_label="Leave as is")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, prefix="bulk", label_suffix="", **kwargs)
        self.owners = {str(p.pk): p for p in possible_owners()}
        self.fields["owner"].choices = [(KEEP, "Leave as is"), (NOBODY, "Nobody"),
                                        *((pk, person_label(p)) for pk, p in self.owners.items())]
        # The last quarter (to correct a plan) to a year and a half ahead.
        quarters = Quarter.current().previous().first(8)
        self.fields["target_quarter"].choices = [
            (KEEP, "Leave as is"), (NOBODY, "No quarter"),
            *((str(q), q.label()) for q in quarters)]
        quick_menus(self)

    def clean(self):
        if not self.changes():
            raise ValidationError("Choose a horizon, status, quarter, owner or product to set.")

    def changes(self):
        """{detail: new value} for what the person chose to set."""
        chosen = {name: value for name in ["horizon", "status", "target_quarter", "owner",
                                           "product"]
                  if (value := self.cleaned_data.get(name))}
        if "owner" in chosen:
            chosen["owner"] = self.owners.get(chosen["owner"])  # None for nobody
        if chosen.get("target_quarter") == NOBODY:
            chosen["target_quarter"] = ""
        return chosen

    def describe(self):
        """What the change sets, as a person reads it: "horizon to Now, owner to nobody"."""
        shown = {"horizon": Horizon, "status": Status}
        parts = []
        for name, value in self.changes().items():
            if name in shown:
                value = shown[name](value).label
            elif name == "owner":
                value = person_label(value) if value else "nobody"
            elif name == "target_quarter":
                name, value = "quarter", Quarter.parse(value).label() if value else "none"
            parts.append(f"{name} to {value}")
        return ", ".join(parts)

    def selected(self):
        """The ids ticked in the posted form, valid or not: they stay ticked on a re-render."""
        if not self.is_bound:
            return set()
        ticked = self.data.getlist(self.add_prefix("items"))
        return {parse_id(text.partition(":")[0]) for text in ticked}


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
        found = self.model.objects.filter(
            pk__in=[pk for pk in map(parse_id, unknown) if pk is not None])
        archived = [str(o) for o in found if o.archived]
        if archived:
            raise ValidationError(
                f"{', '.join(archived)} {'is' if len(archived) == 1 else 'are'} archived and "
                "cannot be picked any more.", code="archived")
        if found:  # only personas are left out while active: those of other products
            raise ValidationError(
                f"{', '.join(map(str, found))} {'belongs' if len(found) == 1 else 'belong'} "
                "to other products than this item's.", code="other_product")
        raise ValidationError("Pick from the list: one of your picks no longer exists.",
                              code="invalid_choice")

    def clean(self, value):
        return [self.objects[pk] for pk in super().clean(value)]


def _picked_in(answer, name):
    """Whether the persona or metric of the outer row is among `answer`'s picks of `name`
    (a triage's or a round answer's many-to-many), as an expression; False without one."""
    if answer is None:
        return Value(False)
    picks = getattr(answer, name)  # its related manager: no query
    return Exists(picks.through.objects.filter(**{
        picks.source_field_name: answer.pk, picks.target_field_name: OuterRef("pk")}))


def value_field(label):
    """A customer or user value, 0-3, or not set."""
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, widget=forms.RadioSelect,
        choices=[("", "Not set"), *ValueLevel.choices],
    )


class TriageQuestionsForm(forms.Form):
    """The two triage questions and the two values for one item, starting from `shown` (an
    answer with a triage's fields: the item's triage, or a calibration round's answer; None
    for none). The triage page and queue ask them with TriageForm; a calibration round asks
    them blind, starting from the PM's own round answer."""

    primary_beneficiaries = PickField(model=Persona, label="Who benefits most from this?")
    whose_problem = forms.ChoiceField(
        label="Whose problem is it?", required=False, widget=forms.RadioSelect,
        choices=WhoseProblem.choices,
        help_text="Filled in from the requesting persona, or from your picks while they are "
                  "on one side.",
    )
    # The side "whose problem" was filled in with from the picks, not chosen by the PM: while
    # it still says that, it follows the picks (here for previews without JavaScript, in
    # app.js as keys are pressed).
    whose_problem_prefilled = forms.ChoiceField(
        required=False, widget=forms.HiddenInput, choices=[("", ""), *WhoseProblem.choices])
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
    customer_value = value_field("Customer value")
    user_value = value_field("User value")

    def __init__(self, data=None, *, item, shown=None, **kwargs):
        self.item = item
        self.shown = shown
        # One query each, whatever the number of personas and metrics: the active ones (of
        # the item's product, and those shared by all), and any other the answer names, each
        # marked with whether the answer picked it (so its picks need no queries of their own).
        products = Product.objects.filter(pk=item.product_id)
        self.personas = list(Persona.objects.select_related("archetype").annotate(
            own=Exists(Product.personas.through.objects.filter(
                product=item.product_id, persona=OuterRef("pk"))),
            picked_primary=_picked_in(shown, "primary_beneficiaries"),
            picked_indirect=_picked_in(shown, "indirect_beneficiaries"),
        ).filter(Q(pk__in=products.personas().active()) | Q(picked_primary=True)
                 | Q(picked_indirect=True)))
        self.all_metrics = list(SuccessMetric.objects.annotate(
            picked=_picked_in(shown, "metrics")).filter(Q(archived=False) | Q(picked=True)))
        super().__init__(data, initial=self.initial_answer(), **kwargs)
        for name in ("primary_beneficiaries", "indirect_beneficiaries"):
            self.fields[name].set_objects(self.personas)
        for name in ("metrics", "other_side_metrics"):
            self.fields[name].set_objects(self.all_metrics)

    def initial_answer(self):
        """The answer shown, from the personas and metrics loaded with what it picked."""
        item, triage = self.item, self.shown
        if triage is None:
            requester = item.requesting_persona
            return {"whose_problem": (requester.only_side or "") if requester else "",
                    "customer_value": "", "user_value": ""}
        benefiting = BeneficiaryClass(triage.beneficiary_class).benefiting_side
        metrics = [m for m in self.all_metrics if m.picked]
        return {
            "primary_beneficiaries": [str(p.pk) for p in self.personas if p.picked_primary],
            "whose_problem": triage.whose_problem,
            "value_for_other_side": triage.value_for_other_side,
            "indirect_beneficiaries": [str(p.pk) for p in self.personas if p.picked_indirect],
            "metrics": [str(m.pk) for m in metrics if benefiting in (None, m.side)],
            "other_side_metrics": [
                str(m.pk) for m in metrics if benefiting not in (None, m.side)
            ],
            "customer_value": "" if triage.customer_value is None else triage.customer_value,
            "user_value": "" if triage.user_value is None else triage.user_value,
        }

    @classmethod
    def for_answer(cls, answer, *, item):
        """The form bound to an answer given in one piece (the API's): ids, and every metric
        in `metrics`, sorted here into question 1's (the side the picks benefit, or any for
        both) and question 2's (the other side's)."""
        form = cls({}, item=item)
        answer = {name: "" if value is None else value for name, value in answer.items()}
        ids = {name: [str(pk) for pk in answer.get(name, [])]
               for name in ("primary_beneficiaries", "indirect_beneficiaries", "metrics")}
        form.data = {**answer, **ids}
        benefiting = form.benefiting_side  # from the picks, as the form derives it
        metrics = {str(m.pk): m for m in form.all_metrics}

        def question_1(pk):  # an unknown id stays here, where the form refuses it by name
            return benefiting is None or pk not in metrics or metrics[pk].side == benefiting

        form.data["metrics"] = [pk for pk in ids["metrics"] if question_1(pk)]
        form.data["other_side_metrics"] = [pk for pk in ids["metrics"] if not question_1(pk)]
        return form

    @classmethod
    def preview(cls, data, *, item):
        """An unsaved form showing `data`'s picks, without errors: the live class preview."""
        form = cls(item=item)
        form.initial = {name: (data.getlist(name) if isinstance(field, PickField)
                               else data.get(name, ""))
                        for name, field in form.fields.items()}
        form.prefill_whose_problem()
        return form

    def prefill_whose_problem(self):
        """Fill in "whose problem" from the picks while they are all on one side, unless the
        PM (or the requesting persona) chose it: what app.js does as keys are pressed.

        On both sides it keeps what the first picks said; with no picks it is blank again.
        """
        chosen, prefilled = (self.initial.get(name) or "" for name in (
            "whose_problem", "whose_problem_prefilled"))
        if chosen and chosen != prefilled:
            return
        klass = self.beneficiary_class
        if klass is None or klass.benefiting_side:
            side = klass.benefiting_side if klass else ""
            self.initial["whose_problem"] = self.initial["whose_problem_prefilled"] = side

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
        """Each of `objects` as a checkbox: checked or not, and its key (a string of the keys
        to press in turn: "1", or "m1"), from `keys`."""
        picked = self._picked(name)
        keys = keys or {}
        return [{"object": o, "value": str(o.pk), "checked": str(o.pk) in picked,
                 "key": keys.get(o.pk), "id": f"id_{name}_{o.pk}"} for o in objects]

    @cached_property
    def persona_keys(self):
        """Each persona's key under question 1, as persona_columns() gives them."""
        return {option["object"].pk: option["key"]
                for _, options in self.persona_columns() for option in options if option["key"]}

    @cached_property
    def metric_keys(self):
        """m then a key for each metric, customers' first: the same wherever it shows."""
        return {m.pk: METRIC_PREFIX + key
                for m, key in zip(self.all_metrics, METRIC_KEYS, strict=False)}

    def persona_columns(self):
        """Question 1: (side, options) for Customers, Users, then those who pay and use (only
        when there are any), each option with its key; the product's own personas first in
        each, then the shared ones."""
        columns = list(PersonaSide)
        ordered = sorted(self.personas, key=lambda p: (columns.index(p.side), not p.own,
                                                       p.order, p.name))
        keys = dict(zip((p.pk for p in ordered), PERSONA_KEYS, strict=False))
        return [(side, self._options("primary_beneficiaries",
                                     [p for p in ordered if p.side == side], keys))
                for side in columns
                if side != PersonaSide.BOTH or any(p.side == side for p in ordered)]

    def metric_options(self):
        """The metrics of the side (or sides) the picks benefit."""
        side = self.benefiting_side
        return self._options("metrics", [m for m in self.all_metrics if side in (None, m.side)],
                             self.metric_keys)

    def indirect_options(self):
        side = self.other_side
        keys = {pk: INDIRECT_PREFIX + key for pk, key in self.persona_keys.items()}
        return self._options("indirect_beneficiaries",
                             [p for p in self.personas if p.side == side], keys)

    def other_side_metric_options(self):
        side = self.other_side
        return self._options("other_side_metrics", [m for m in self.all_metrics if m.side == side],
                             self.metric_keys)

    @cached_property
    def suggestions(self):
        """What the evidence suggests for each value (registered by a higher app), with
        its arithmetic. Read only when the values are shown, never applied by itself."""
        suggested = {}
        for extension in extensions.registered():
            suggested.update(extension.triage_suggestions(self.item))
        return suggested

    def value_fields(self):
        """(bound field, suggestion or None) for the customer value, then the user value."""
        return [(self[name], self.suggestions.get(name))
                for name in ("customer_value", "user_value")]

    # Validation.

    def clean(self):
        data = super().clean()
        primary = data.get("primary_beneficiaries") or []
        if not primary or self.errors.get("primary_beneficiaries"):
            return data
        benefiting = BeneficiaryClass.from_sides(p.side for p in primary).benefiting_side
        if benefiting and data.get("whose_problem") == data.get("whose_problem_prefilled"):
            data["whose_problem"] = ""  # filled in from other picks: follow these
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
        """The clean answer: the keyword arguments of item.record_triage but the version."""
        data = self.cleaned_data
        return {
            "primary_beneficiaries": data["primary_beneficiaries"],
            "whose_problem": data.get("whose_problem") or "",
            "value_for_other_side": data.get("value_for_other_side", ""),
            "indirect_beneficiaries": data.get("indirect_beneficiaries", []),
            "metrics": [*data.get("metrics", []), *data.get("other_side_metrics", [])],
            "customer_value": data.get("customer_value"),
            "user_value": data.get("user_value"),
        }


class TriageForm(VersionedForm, TriageQuestionsForm):
    """The two triage questions for one item, from its current triage. Clean data is what
    record_triage takes."""

    def __init__(self, data=None, *, item, **kwargs):
        super().__init__(data, item=item, shown=item.current_triage(), **kwargs)

    def initial_answer(self):
        return {**super().initial_answer(), "version": self.item.version}

    def answer(self):
        """The keyword arguments of item.record_triage for the clean answer."""
        return {**super().answer(), "expected_version": self.cleaned_data["version"]}


class TriageQueueForm(FilterForm):
    """Which untriaged items the queue walks (a product, or all; all or only those new since
    the PM's last visit), in which order, and where it has got to."""

    product = ProductFilterField()
    order = forms.ChoiceField(choices=QueueOrder.choices, required=False)
    new = forms.BooleanField(label="Only new since my last visit", required=False)
    from_import = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                     widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, data=None, *, new_since=None, **kwargs):
        super().__init__(data, **kwargs)
        self.new_since = new_since  # when the PM's previous visit ended; None: a first visit

    def walked_past(self):
        """The last item walked past (saved or skipped); the queue goes on after it."""
        return self.valid_filters().get("after") or 0

    def _in_scope(self):
        items = RoadmapItem.objects.for_triage().triage_queue(self.valid_filters().get("order"))
        data = self.valid_filters()
        if data.get("from_import"):
            items = items.from_import(data["from_import"])
        return data["product"].narrow(items) if data.get("product") else items

    def queue(self):
        """The untriaged items in scope, in queue order; the item and answer are prefetched."""
        items = self._in_scope()
        if self.valid_filters().get("new") and self.new_since:
            items = items.created_since(self.new_since)
        return items

    def next_after(self, pk):
        """The queue's item after item `pk` (0: its first), or None at its end."""
        items = self.queue()
        if pk:
            items = items.after_in_queue(pk, self.valid_filters().get("order"))
        return items.first()

    def new_count(self):
        """How many untriaged items in scope came in since the PM's last visit."""
        return self._in_scope().created_since(self.new_since).count() if self.new_since else None

    def url(self, after=None):
        data = self.valid_filters()
        return queue_url(data.get("product"), data.get("from_import"), after,
                         order=data.get("order"), new=data.get("new"))


def queue_url(product=None, from_import=None, after=None, *, order=None, new=False):
    """The triage queue of these products (a ProductChoice) and import, in `order`, of only
    the items new since the PM's last visit or all, after an item."""
    params = {"product": product.slugs() if product else [], "order": order or [],
              "new": "on" if new else [], "from_import": from_import or [],
              "after": after or []}
    query = urlencode({name: value for name, value in params.items() if value}, doseq=True)
    return reverse("roadmap:triage-queue") + (f"?{query}" if query else "")


class QueuedItemForm(forms.Form):
    """Which item of the queue a triage answers."""

    item = forms.IntegerField(min_value=1, max_value=MAX_ID)


OPEN = ""
ANY_STATUS = "any"
# ?count=all: the trap warnings and persona flags count every horizon, not only the near ones.
EVERY_HORIZON = "all"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class ReviewFilterForm(FilterForm):
    """The review dashboard's filters, shared by its CSV export and printed page.

    They live in the URL so a filtered view can be bookmarked and shared. The status
    defaults to open work (not shipped or dropped).
    """

    product = ProductFilterField()
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
    # Switched by a link beside the warnings, kept by the filter form.
    count = forms.ChoiceField(choices=[("", "now and next"), (EVERY_HORIZON, "every horizon")],
                              required=False, widget=forms.HiddenInput)

    def scope(self, items):
        """Narrow `items` by product, status and owner, leaving every horizon in.

        The trap warnings and the "left out of now and next" flags need all horizons
        whatever the horizon filter says.
        """
        data = self.valid_filters()
        if data.get("product"):
            items = data["product"].narrow(items)
        status = data.get("status", OPEN)
        if status == OPEN:
            items = items.open()
        elif status != ANY_STATUS:
            items = items.with_status(status)
        if data.get("owner"):
            items = items.owned_by(data["owner"])
        return items

    def plan_scope(self, items):
        """Narrow `items` by product and owner only: a quarter's plan has every horizon
        and status in it (dropped items leave it: RoadmapItemQuerySet.planned_for)."""
        data = self.valid_filters()
        if data.get("product"):
            items = data["product"].narrow(items)
        if data.get("owner"):
            items = items.owned_by(data["owner"])
        return items

    def plan_list_query(self):
        """The roadmap list's filters for a quarter's plan here: the products picked, as a
        query string ("" for every product). The list has no owner filter."""
        product = self.valid_filters().get("product")
        return urlencode([("product", slug) for slug in product.slugs()]) if product else ""

    def products(self):
        """The products the filter names (a queryset), or None for all of them."""
        product = self.valid_filters().get("product")
        return product.queryset() if product else None

    def counted_horizons(self):
        """The horizons the counts and lists cover: the chosen one, or all three."""
        horizon = self.valid_filters().get("horizon")
        return [horizon] if horizon else list(Horizon.values)

    def every_horizon(self):
        """The warnings count every horizon (?count=all), not only the near ones."""
        return self.valid_filters().get("count") == EVERY_HORIZON

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


# The dashboard's lists of items to review; an item can be in both at once.
DASHBOARD_LISTS = ["one-sided", "challenges"]


class ReviewPanelForm(FilterForm):
    """Where a review panel shows (the item's own, or compact in a dashboard list) and the
    page to return to after the review."""

    list = forms.ChoiceField(choices=[(name, name) for name in DASHBOARD_LISTS],
                             required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data):
        super().__init__(data, auto_id=False)  # hidden inputs repeated on the dashboard

    @property
    def list_name(self):
        return self.valid_filters().get("list", "")

    @property
    def next_url(self):
        return self.valid_filters().get("next", "")


class ReviewForm(VersionedForm):
    """A team lead's verdict on one triaged item; the versions catch a concurrent review.

    In a dashboard list (`list_name`) its ids name the list: an item can be in both. The
    rules (a challenge says why, only a triaged item) are record_review's.
    """

    verdict = forms.ChoiceField(
        choices=[(Verdict.ACCEPTED, "Accept"), (Verdict.CHALLENGED, "Challenge")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        max_length=REVIEW_COMMENT_MAX_LENGTH,
        help_text="Required for a challenge: say what the PM should look at again.",
    )
    review_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data=None, *, item, list_name=""):
        super().__init__(data, initial=self.current_versions(item),
                         auto_id="_".join(filter(None, [f"id_review{item.pk}", list_name, "%s"])))

    def review(self):
        """The keyword arguments of item.record_review for the clean verdict (verdict() would
        hide the verdict field)."""
        data = self.cleaned_data
        return {
            "verdict": data["verdict"], "comment": data["comment"],
            "expected_version": data["version"],
            "expected_review_version": data["review_version"],
        }

    def current_versions(self, current):
        review = current.current_review()
        return {"version": current.version, "review_version": review.version if review else 0}



class BalanceTargetForm(VersionedForm, forms.ModelForm):
    """A quarter's balance targets (or the default's); an edit carries the version it read,
    none for a quarter that has no targets of its own yet."""

    class Meta:
        model = BalanceTarget
        fields = BalanceTarget.SHARES

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # No version: the quarter had no targets of its own when the form was opened (a
        # save then finds whether someone gave it some meanwhile).
        self.fields["version"].required = False
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        for name in BalanceTarget.SHARES:
            self.fields[name].widget.attrs.update(min=0, max=100)

    def shares(self):
        return {name: self.cleaned_data[name] for name in BalanceTarget.SHARES}

    def current_versions(self, current):
        return {"version": current.version if current.pk else ""}


class TargetQuarterForm(forms.Form):
    """Pick the quarter whose targets to set."""

    quarter = QuarterFormField(label="Quarter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
