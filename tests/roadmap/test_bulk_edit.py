from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import BULK_EDIT_REASON, Horizon, RoadmapItem, Status
from tests.factories import make_item, make_person, make_product, triage

URL = reverse("roadmap:item-list")


def ticked(*items):
    return [f"{item.pk}:{item.version}" for item in items]


def bulk_edit(client, items, query="", **changes):
    data = {"bulk-items": ticked(*items), **{f"bulk-{k}": v for k, v in changes.items()}}
    return client.post(URL + query, data)


def test_pm_sets_the_horizon_of_the_ticked_items_only(pm_client, pm):
    first, second, left_alone = make_item(), make_item(), make_item()
    response = bulk_edit(pm_client, [first, second], horizon="now")
    assertRedirects(response, URL, fetch_redirect_response=False)
    assert [i.horizon for i in RoadmapItem.objects.order_by("pk")] == ["now", "now", "later"]
    assertContains(pm_client.get(URL), "Set horizon to Now on 2 items.")
    assert left_alone.history.count() == 1


def test_each_change_is_on_the_history_with_who_and_why(pm_client, pm):
    item = make_item(status=Status.IDEA)
    bulk_edit(pm_client, [item], status="planned")
    record = item.history.latest()
    assert (record.status, record.history_user, record.history_change_reason) == (
        "planned", pm, BULK_EDIT_REASON)
    item.refresh_from_db()
    assert item.version == 2


def test_owner_and_product_are_set_in_one_go(pm_client, pm):
    other_pm = make_person("Product manager", first_name="Marco", last_name="Rossi")
    invoicing = make_product(name="Invoicing")
    item = make_item(owner=pm)
    response = bulk_edit(pm_client, [item], owner=other_pm.pk, product=invoicing.pk,
                         horizon="next")
    item.refresh_from_db()
    assert (item.owner, item.product, item.horizon) == (other_pm, invoicing, Horizon.NEXT)
    assert item.history.count() == 2  # created, then one record for the three changes
    assertContains(pm_client.get(response["Location"]),
                   "Set horizon to Next, owner to Marco Rossi, product to Invoicing on 1 item.")


def test_owner_can_be_cleared(pm_client, pm):
    item = make_item(owner=pm)
    bulk_edit(pm_client, [item], owner="nobody")
    item.refresh_from_db()
    assert item.owner is None


def test_items_someone_else_saved_since_are_named_and_not_overwritten(pm_client, pm):
    mine, theirs = make_item(title="Dark mode"), make_item(title="Audit log")
    seen = ticked(mine, theirs)
    theirs.horizon = Horizon.NEXT
    theirs.save_edit(expected_version=theirs.version, edited_by=make_person("Product manager"))
    response = pm_client.post(URL, {"bulk-items": seen, "bulk-horizon": "now"}, follow=True)
    assertContains(response, "Set horizon to Now on 1 item.")
    assertContains(response, "Not changed, because someone else saved them after you loaded "
                             "the list: “Audit log”.")
    assert RoadmapItem.objects.get(pk=theirs.pk).horizon == Horizon.NEXT
    assert RoadmapItem.objects.get(pk=mine.pk).horizon == Horizon.NOW


def test_a_triage_since_the_list_was_loaded_does_not_block_the_edit(pm_client, pm,
                                                                     customer_persona):
    item = make_item()
    seen = ticked(item)
    triage(item, [customer_persona], by=pm)
    pm_client.post(URL, {"bulk-items": seen, "bulk-status": "planned"})
    assert RoadmapItem.objects.get(pk=item.pk).status == Status.PLANNED


def test_items_already_so_are_counted_and_not_rewritten(pm_client):
    item = make_item(horizon=Horizon.NOW)
    response = bulk_edit(pm_client, [item], horizon="now")
    assertContains(pm_client.get(response["Location"]), "1 item already had that.")
    assert item.history.count() == 1


def test_the_filters_and_page_are_kept(pm_client):
    item = make_item(status=Status.IDEA)
    query = "?status=idea&horizon=later&page=2"
    response = bulk_edit(pm_client, [item], query=query, horizon="now")
    assertRedirects(response, URL + query, fetch_redirect_response=False)


def test_no_ticked_item_is_an_error_beside_the_list_with_the_choice_kept(pm_client):
    item = make_item()
    response = pm_client.post(URL, {"bulk-horizon": "now"})
    assert response.status_code == 200
    assertContains(response, "Select the items to change.")
    assertContains(response, '<option value="now" selected>Now</option>', html=True)
    assert RoadmapItem.objects.get(pk=item.pk).horizon == Horizon.LATER


def test_no_change_chosen_is_an_error_with_the_ticks_kept(pm_client):
    item, other = make_item(), make_item()
    response = bulk_edit(pm_client, [item])
    assertContains(response, "Choose a horizon, status, quarter, owner or product to set.")
    assertContains(response, f'value="{item.pk}:1" id="tick-{item.pk}"')
    content = response.content.decode()
    assert f'id="tick-{item.pk}" aria-labelledby="item-title-{item.pk}" checked' in content
    assert f'id="tick-{other.pk}" aria-labelledby="item-title-{other.pk}" checked' not in content


def test_a_mangled_tick_is_refused_with_a_message(pm_client):
    item = make_item()
    response = pm_client.post(URL, {"bulk-items": [f"{item.pk}:x"], "bulk-horizon": "now"})
    assertContains(response, "This list is out of date: reload the page and try again.")
    assert RoadmapItem.objects.get(pk=item.pk).horizon == Horizon.LATER


def test_team_lead_gets_403_on_a_bulk_edit(lead_client):
    item = make_item()
    response = bulk_edit(lead_client, [item], horizon="now")
    assert response.status_code == 403
    assert RoadmapItem.objects.get(pk=item.pk).horizon == Horizon.LATER


def test_team_lead_sees_no_tick_boxes(lead_client):
    make_item()
    response = lead_client.get(URL)
    assertNotContains(response, "Change the ticked items")
    assertNotContains(response, 'name="bulk-items"')


def test_pm_sees_the_bulk_edit_form(pm_client):
    item = make_item()
    response = pm_client.get(URL)
    assertContains(response, "Change the ticked items")
    assertContains(response, f'value="{item.pk}:1"')


def test_a_move_onto_a_product_holding_the_same_key_is_named_and_the_others_saved(pm_client):
    jira = {"external_source": "jira", "external_key": "EXP-1"}
    expenses, invoicing = make_product(name="Expenses"), make_product(name="Invoicing")
    make_item(title="Already there", product=invoicing, **jira)
    clashing = make_item(title="Same key", product=expenses, **jira)
    moving = make_item(title="No key", product=expenses)
    response = pm_client.post(URL, {"bulk-items": ticked(clashing, moving),
                                    "bulk-product": invoicing.pk}, follow=True)
    assertContains(response, "Set product to Invoicing on 1 item.")
    assertContains(response, "Not moved, because that product already has an item with the "
                             "same key from the same source: “Same key”.")
    assert RoadmapItem.objects.get(pk=clashing.pk).product == expenses
    assert RoadmapItem.objects.get(pk=moving.pk).product == invoicing
    assert clashing.history.count() == 1
