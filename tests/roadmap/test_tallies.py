"""The tallies the database keeps for the dashboard (roadmap/tally.py) agree with the
items, whatever wrote them."""

import io
import random

import pytest
from django.core.management import call_command
from django.urls import reverse

from roadmap import tally
from roadmap.forms import ReviewFilterForm
from roadmap.models import (
    ItemTally,
    PickTally,
    RoadmapItem,
    Triage,
    TriagePrimaryBeneficiary,
)
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    review_item,
    triage,
)

FILTERS = [{}, {"status": "any"}, {"status": "shipped"}, {"horizon": "now"},
           {"product": ["alpha"]}, {"product": ["beta"], "horizon": "later", "status": "any"},
           {"owner": "pm2"}, {"owner": "pm2", "horizon": "next", "count": "all"}]


def kept():
    """Every tally row, as plain values."""
    return (sorted(ItemTally.objects.values_list(
                "item_id", "product_id", "owner_id", "status", "horizon", "benefits", "effort",
                "lacking", "challenged", "customer_value", "user_value")),
            sorted(PickTally.objects.values_list(
                "item_id", "relation", "target_id", "product_id", "owner_id", "status",
                "horizon")))


def assert_tallies_agree():
    """The kept tallies are those counted from scratch, and give the items' numbers under
    each filter."""
    before = kept()
    tally.rebuild()
    assert kept() == before
    for data in FILTERS:
        form = ReviewFilterForm(data)
        assert form.is_valid(), form.errors
        for narrow in [form.scope, form.filter]:
            items = narrow(RoadmapItem.objects.all())
            assert (rows(items.class_mix()) == rows(narrow(ItemTally.objects.all()).class_mix())
                    ), data
            assert rows(items.reach()) == rows(narrow(PickTally.objects.all()).reach()), data


def rows(counted):
    """Rows (dicts or tuples) in one order, whatever order the database gave them."""
    return sorted((sorted(row.items()) if isinstance(row, dict) else row for row in counted),
                  key=repr)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_follow_every_kind_of_write(seed, pm, lead):
    rng = random.Random(seed)
    products = [make_product(name="Alpha", slug="alpha"),
                make_product(name="Beta", slug="beta", uses_horizons=False)]
    pm2 = make_person("Product manager", username="pm2")
    personas = [make_persona(side=side) for side in ["customer", "customer", "user", "user"]]
    metrics = [make_metric(side="customer"), make_metric(side="user")]

    def random_item():
        return make_item(product=rng.choice(products), owner=rng.choice([pm, pm2, None]),
                         horizon=rng.choice(["now", "next", "later"]),
                         status=rng.choice(["idea", "planned", "in_progress", "shipped"]),
                         effort=rng.choice([None, 1, 3, 8]))

    def random_triage(item):
        item.refresh_from_db()
        side, other = rng.sample([personas[:2], personas[2:]], 2)
        triage(item, rng.sample(side, rng.randint(1, 2)) + rng.sample(other, rng.randint(0, 1)),
               by=pm, value=rng.choice(["", "It helps the other side."]),
               indirect=rng.sample(other, rng.randint(0, 1)),
               metrics=rng.sample(metrics, rng.randint(0, 2)))

    items = [random_item() for _ in range(30)]
    for item in items:
        if rng.random() < 0.8:
            random_triage(item)
    for item in rng.sample(items, 3):  # back to untriaged
        item.refresh_from_db()
        triage(item, [], by=pm)
    assert_tallies_agree()

    # Edits one by one, reviews, re-triages and values set by QuerySet.update().
    for item in rng.sample(items, 10):
        item.refresh_from_db()
        item.horizon, item.status = rng.choice(["now", "next"]), "planned"
        item.save_edit(expected_version=item.version, edited_by=pm)
    for item in rng.sample([i for i in items if hasattr(i, "triage")], 5):
        review_item(item, "challenged", "Who pays for this?", lead)
    for item in rng.sample(items, 8):
        random_triage(item)
    Triage.objects.filter(item__in=items[:10]).update(customer_value=3, user_value=1)
    RoadmapItem.objects.filter(pk__in=[i.pk for i in items[10:20]]).update(
        product=products[1], effort=5)
    assert_tallies_agree()

    # A bulk edit, an import's bulk_create, deletes, a pick removed behind the form's back,
    # and history rewritten (which the tallies do not read).
    chosen = rng.sample(items, 6)
    RoadmapItem.objects.filter(pk__in=[i.pk for i in chosen]).edit_each(
        {"owner": pm2}, expected_versions={i.pk: RoadmapItem.objects.get(pk=i.pk).version
                                           for i in chosen}, edited_by=pm)
    RoadmapItem.objects.bulk_create([
        RoadmapItem(product=rng.choice(products), title=f"Imported {n}", horizon="now",
                    effort=n) for n in range(5)])
    for item in rng.sample(items, 4):
        RoadmapItem.objects.get(pk=item.pk).delete()
    TriagePrimaryBeneficiary.objects.filter(pk__in=TriagePrimaryBeneficiary.objects.values(
        "pk")[:3]).delete()
    RoadmapItem.history.update(history_change_reason="Rewritten")
    assert_tallies_agree()


def test_the_dashboard_reads_a_triage_saved_just_before(lead_client, pm):
    buyer = make_persona(side="customer", name="Economic buyer")
    item = make_item(title="SSO", horizon="now", status="planned")
    url = reverse("roadmap:dashboard")
    assert lead_client.get(url).context["balance"].overall.items["untriaged"] == 1
    triage(item, [buyer], by=pm)
    response = lead_client.get(url)
    assert response.context["balance"].overall.items["customers"] == 1
    assert response.context["balance"].overall.items["untriaged"] == 0


def test_retally_counts_every_item_again(pm):
    triage(make_item(horizon="now"), [make_persona(side="user")], by=pm)
    ItemTally.objects.all().delete()
    PickTally.objects.all().delete()
    out = io.StringIO()
    call_command("retally", stdout=out)
    assert out.getvalue() == "Tallied 1 items and 1 picks.\n"
    assert list(ItemTally.objects.values_list("benefits", "horizon")) == [("users", "now")]
