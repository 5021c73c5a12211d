from django import forms
from django.urls import reverse
from django.utils.http import urlencode

from roadmap.forms import MAX_ID, RoadmapFilterForm, TriageQuestionsForm
from roadmap.models import RoadmapItem
from whobenefits.forms import FilterForm
from whobenefits.people import person_label

from .models import NAME_MAX_LENGTH, SAMPLE_MAX, product_managers

SAMPLE, PICK = "sample", "pick"


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class ItemsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.product.name}: {obj.title}"


class RoundForm(forms.Form):
    """Start a round: its name, its PMs, and its items (a random sample of the roadmap list's
    filters, or hand-picked). The sample's filters are a RoadmapFilterForm (`self.sample`)."""

    name = forms.CharField(max_length=NAME_MAX_LENGTH,
                           help_text="Say what it calibrates, e.g. “Q3 planning, invoicing”.")
    raters = PeopleField(
        queryset=product_managers(), label="Product managers taking part",
        widget=forms.CheckboxSelectMultiple,
        help_text="Two or more. Each classifies the same items without seeing the others' "
                  "answers or the current triage.",
        error_messages={"invalid_choice": "Only product managers take part in a round: pick "
                                          "from the list."},
    )
    picking = forms.ChoiceField(
        label="Which items", widget=forms.RadioSelect, initial=SAMPLE,
        choices=[(SAMPLE, "A random sample of the roadmap's items (the filters below)"),
                 (PICK, "The items I pick")])
    sample_size = forms.IntegerField(label="How many items", min_value=1, max_value=SAMPLE_MAX,
                                     required=False, initial=12)
    items = ItemsField(
        queryset=RoadmapItem.objects.select_related("product").order_by("product__name",
                                                                       "title", "pk"),
        required=False, label="Items to rate", widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Ctrl- or ⌘-click to pick several.",
        error_messages={"invalid_choice": "One of the picked items no longer exists: pick "
                                          "again."},
    )

    def __init__(self, data=None, **kwargs):
        super().__init__(data, label_suffix="", **kwargs)
        # The roadmap list's own filters, triaged or not, prefixed to sit in this form.
        self.sample = RoadmapFilterForm(data, prefix="sample", label_suffix="")
        self.fields["raters"].queryset = product_managers()

    def sample_fields(self):
        """The filters a sample draws from (not the list's hidden sort and import)."""
        return [field for field in self.sample.visible_fields()]

    def clean(self):
        data = super().clean()
        if data.get("picking") == PICK:
            if not data.get("items") and not self.errors.get("items"):
                self.add_error("items", "Pick at least one item.")
            return data
        if not self.sample.is_valid():
            self.add_error(None, "Correct the filters of the sample.")
            return data
        size = data.get("sample_size")
        if size is None:
            if not self.errors.get("sample_size"):
                self.add_error("sample_size", "Say how many items to sample.")
            return data
        matching = self.sample.filter(RoadmapItem.objects.all())
        available = matching.count()
        if not available:
            self.add_error("sample_size", "No item matches these filters: widen them.")
        elif size > available:
            self.add_error("sample_size", f"Only {available} item{'s' if available != 1 else ''} "
                                          f"match{'' if available != 1 else 'es'} these filters: "
                                          f"sample {available} or fewer, or widen them.")
        else:
            data["items"] = list(matching.order_by("?")[:size])
        return data


class RoundAnswerForm(TriageQuestionsForm):
    """A PM's blind answer in a round: the triage questions, from their own round answer
    (`shown`), never the item's triage or another PM's answer."""

    def clean(self):
        data = super().clean()
        if not data.get("primary_beneficiaries") and not self.errors.get(
                "primary_beneficiaries"):
            self.add_error("primary_beneficiaries", "Pick who benefits most: the round asks "
                                                    "for a class. Skip it to come back later.")
        return data


class RoundQueueForm(FilterForm):
    """Where a PM is in a round's queue: after an item (skipped or answered), or on one of
    their answers to change it."""

    after = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                               widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID,
                              widget=forms.HiddenInput)


def queue_url(round, *, after=None, item=None):
    query = urlencode({name: value for name, value in [("after", after), ("item", item)]
                       if value})
    return reverse("calibration:round-queue", args=[round.pk]) + (f"?{query}" if query else "")


KEEP = "keep"
# Disagreements shown side by side before "Show all": a round of 50 items can have 35, and a
# team talks them through a few at a time; the rest are listed by title.
SHOWN_DISAGREEMENTS = 10
ALL = "all"


class ResultsForm(FilterForm):
    """Whether the results page shows every disagreement side by side or the first few."""

    disagreements = forms.ChoiceField(required=False, choices=[("", "The first few"),
                                                               (ALL, "All")])

    def shows_all(self):
        return self.valid_filters().get("disagreements") == ALL


class ResolveForm(forms.Form):
    """Settle one disagreement: adopt one PM's answer as the item's triage, or keep it. The
    results page writes its inputs by hand (dozens of these on one page); this checks them."""

    answer = forms.ChoiceField()
    version = forms.IntegerField(min_value=1)
    # Posted from the page showing every disagreement: back to it, not to the first few.
    disagreements = forms.ChoiceField(required=False, choices=[("", ""), (ALL, ALL)])

    def __init__(self, data=None, *, raters):
        super().__init__(data)
        self.raters = {str(r.pk): r for r in raters}
        self.fields["answer"].choices = [*((pk, pk) for pk in self.raters), (KEEP, KEEP)]

    def adopted(self):
        """The PM whose answer to adopt, or None to keep the current triage."""
        return self.raters.get(self.cleaned_data["answer"])
