from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import QueueVisit, RoadmapItem
from tests.factories import make_item, make_product

QUEUE = reverse("roadmap:triage-queue")


def created(item, ago):
    RoadmapItem.objects.filter(pk=item.pk).update(created_at=timezone.now() - ago)
    return item


def shown(client, query):
    """The title of the item the queue shows for `query`."""
    response = client.get(QUEUE + query)
    return response.context["item"].title if response.context["item"] else None


def test_newest_first_goes_on_in_that_order_after_a_save(pm_client, customer_persona):
    make_item(title="Oldest")
    middle = make_item(title="Middle")
    newest = make_item(title="Newest")
    assert shown(pm_client, "?order=newest") == "Newest"
    response = pm_client.post(QUEUE + "?order=newest", {
        "item": newest.pk, "version": newest.version,
        "primary_beneficiaries": [customer_persona.pk]})
    assertRedirects(response, f"{QUEUE}?order=newest&after={newest.pk}",
                    fetch_redirect_response=False)
    assert shown(pm_client, response["Location"].removeprefix(QUEUE)) == "Middle"
    assert shown(pm_client, f"?order=newest&after={middle.pk}") == "Oldest"


def test_product_order_walks_each_product_oldest_first(pm_client):
    zeta, alpha = make_product(name="Zeta"), make_product(name="Alpha")
    first_zeta = make_item(title="Zeta one", product=zeta)
    first_alpha = make_item(title="Alpha one", product=alpha)
    second_alpha = make_item(title="Alpha two", product=alpha)
    assert shown(pm_client, "?order=product") == "Alpha one"
    assert shown(pm_client, f"?order=product&after={first_alpha.pk}") == "Alpha two"
    assert shown(pm_client, f"?order=product&after={second_alpha.pk}") == "Zeta one"
    assert shown(pm_client, f"?order=product&after={first_zeta.pk}") is None


def test_horizon_order_puts_now_first(pm_client):
    later = make_item(title="Later", horizon="later")
    now = make_item(title="Now", horizon="now")
    make_item(title="Next", horizon="next")
    assert shown(pm_client, "?order=horizon") == "Now"
    assert shown(pm_client, f"?order=horizon&after={now.pk}") == "Next"
    assert shown(pm_client, f"?order=horizon&after={later.pk}") is None


def test_skip_keeps_the_order(pm_client):
    make_item(title="Oldest")
    newest = make_item(title="Newest")
    response = pm_client.get(QUEUE, {"order": "newest"})
    assertContains(response, f'href="{QUEUE}?order=newest&amp;after={newest.pk}"')


def test_an_unknown_order_is_an_error_and_the_queue_walks_oldest_first(pm_client):
    make_item(title="Oldest")
    make_item(title="Newest")
    response = pm_client.get(QUEUE, {"order": "shortest"})
    assertContains(response, "Select a valid choice.")
    assert response.context["item"].title == "Oldest"


def test_first_visit_says_every_item_is_new(pm_client):
    make_item()
    assertContains(pm_client.get(QUEUE), "Your first visit to the queue: every item is new.")


def test_the_queue_says_how_many_are_new_since_the_last_visit(pm_client, pm):
    created(make_item(title="Came last month"), timedelta(days=30))
    make_item(title="Came this week")
    QueueVisit.objects.create(pm=pm, last_seen_at=timezone.now() - timedelta(days=7))
    response = pm_client.get(QUEUE)
    assertContains(response, "1 new since your last visit (")
    assertContains(response, "2 untriaged items left.")


def test_new_since_my_last_visit_walks_only_the_new_items(pm_client, pm):
    created(make_item(title="Came last month"), timedelta(days=30))
    make_item(title="Came this week")
    QueueVisit.objects.create(pm=pm, last_seen_at=timezone.now() - timedelta(days=7))
    response = pm_client.get(QUEUE, {"new": "on"})
    assertContains(response, "Came this week")
    assertNotContains(response, "Came last month")
    assertContains(response, "1 untriaged item left, new since your last visit.")
    # Walking on stays within the visit: the new items are still the new ones.
    assertContains(pm_client.get(QUEUE, {"new": "on"}), "1 new since your last visit (")


def test_a_visit_lasts_while_the_pm_keeps_coming_back_within_the_gap(pm):
    assert QueueVisit.record(pm) is None
    assert QueueVisit.record(pm) is None  # the same visit
    visit = QueueVisit.objects.get(pm=pm)
    ended = timezone.now() - QueueVisit.GAP - timedelta(minutes=1)
    QueueVisit.objects.filter(pk=visit.pk).update(last_seen_at=ended)
    assert QueueVisit.record(pm) == ended  # a new visit: the last one ended then
    assert QueueVisit.record(pm) == ended
