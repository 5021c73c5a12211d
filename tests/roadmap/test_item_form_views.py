import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import RoadmapItem
from tests.factories import make_item, make_person, make_persona, make_product, triage

CREATE = reverse("roadmap:item-create")


def edit_url(item):
    return reverse("roadmap:item-edit", args=[item.pk])


def details(item=None, **changes):
    data = {
        "title": item.title if item else "Offline drafts",
        "product": item.product_id if item else make_product(name="Expenses").pk,
        "description": "", "request_quote": "I lose my draft on the train.",
        "requesting_persona": "", "status": "idea", "horizon": "next", "effort": "",
        "owner": "",
    }
    if item:
        data["version"] = item.version
    return data | changes


def test_pm_creates_an_item_and_lands_on_its_page(pm_client, pm, user_persona):
    response = pm_client.post(CREATE, details(requesting_persona=user_persona.pk, owner=pm.pk,
                                              effort="5"))
    item = RoadmapItem.objects.get(title="Offline drafts")
    assertRedirects(response, item.get_absolute_url(), fetch_redirect_response=False)
    assert item.requesting_persona == user_persona
    assert item.owner == pm
    assert item.effort == 5
    assert item.history.get().history_user == pm


def test_create_form_offers_active_personas_and_role_holders(pm_client, pm, lead):
    make_persona(name="Retired buyer", archived=True)
    make_persona(name="Economic buyer")
    response = pm_client.get(CREATE)
    assertContains(response, "Economic buyer (customers, buyer)")
    assertNotContains(response, "Retired buyer")
    assertContains(response, "Priya Menon")
    assertNotContains(response, "Lena Schmidt")


def test_bad_input_shows_messages_and_keeps_input(pm_client):
    response = pm_client.post(CREATE, details(title="", effort="-3", request_quote="Keep me"))
    assertContains(response, "This field is required.")
    assertContains(response, "Ensure this value is greater than or equal to 0.")
    assertContains(response, "Keep me")
    assert not RoadmapItem.objects.exists()


def test_effort_has_the_same_limit_on_every_database(pm_client):
    response = pm_client.post(CREATE, details(effort="40000"))
    assertContains(response, "Ensure this value is less than or equal to 1000.")
    assertContains(response, 'max="1000"')
    assert not RoadmapItem.objects.exists()


def test_the_database_refuses_effort_over_the_limit_too(item):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoadmapItem.objects.filter(pk=item.pk).update(effort=1001)


def test_an_archived_persona_cannot_be_chosen_as_requester(pm_client):
    old = make_persona(archived=True)
    response = pm_client.post(CREATE, details(requesting_persona=old.pk))
    assertContains(response, "Select a valid choice.")
    assert not RoadmapItem.objects.exists()


def test_edit_keeps_an_archived_requester_it_already_names(pm_client):
    old = make_persona(name="Retired buyer")
    item = make_item(requesting_persona=old)
    old.archived = True
    old.save()
    assertContains(pm_client.get(edit_url(item)), "Retired buyer (customers, buyer) (archived)")
    response = pm_client.post(edit_url(item), details(item, requesting_persona=old.pk,
                                                      title="Renamed"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Renamed"


def test_pm_edits_an_item_bumping_its_version_and_history(pm_client, pm, item):
    response = pm_client.post(edit_url(item), details(item, title="SAML single sign-on",
                                                      horizon="now"))
    assertRedirects(response, item.get_absolute_url(), fetch_redirect_response=False)
    item.refresh_from_db()
    assert (item.title, item.horizon, item.version) == ("SAML single sign-on", "now", 2)
    latest = item.history.latest("history_date")
    assert (latest.history_user, latest.title, latest.version) == (pm, item.title, 2)


def test_a_stale_edit_is_refused_with_what_changed_and_input_kept(pm_client, item):
    form_data = details(item, title="My title", status="planned")
    other = RoadmapItem.objects.get(pk=item.pk)
    other.title = "Their title"
    other.save_edit(expected_version=other.version, edited_by=make_person(
        "Product manager", first_name="Marco", last_name="Rossi"))
    response = pm_client.post(edit_url(item), form_data)
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, "Saved by Marco Rossi")
    assertContains(response, "<tr><th scope=\"row\">Title</th><td>Their title</td>"
                             "<td>My title</td></tr>", html=True)
    assertContains(response, 'value="My title"')
    assertContains(response, 'name="version" value="2"')
    item.refresh_from_db()
    assert item.title == "Their title"
    assert pm_client.post(edit_url(item), details(item, title="My title")).status_code == 302
    item.refresh_from_db()
    assert item.title == "My title"


def test_an_edit_goes_through_when_only_a_triage_came_in_between(
    pm_client, pm, item, customer_persona
):
    form_data = details(item, title="My title")  # opened at version 1
    triage(item, [customer_persona], by=pm, value="Renewals.")  # version 2, details untouched
    response = pm_client.post(edit_url(item), form_data)
    assertRedirects(response, item.get_absolute_url(), fetch_redirect_response=False)
    item.refresh_from_db()
    assert (item.title, item.version) == ("My title", 3)
    assert item.current_triage().value_for_other_side == "Renewals."


def test_an_edit_is_refused_when_details_were_saved_even_if_a_triage_came_after(
    pm_client, pm, item, customer_persona
):
    form_data = details(item, title="My title")  # opened at version 1
    theirs = RoadmapItem.objects.get(pk=item.pk)
    theirs.title = "Their title"
    theirs.save_edit(expected_version=1, edited_by=pm)  # version 2
    triage(theirs, [customer_persona], by=pm)  # version 3
    assertContains(pm_client.post(edit_url(item), form_data),
                   "Someone else saved this since you opened it")
    item.refresh_from_db()
    assert (item.title, item.version) == ("Their title", 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_an_edit_locks_the_item_before_it_looks_for_other_saves(pm, item, customer_persona):
    triage(item, [customer_persona], by=pm)  # version 2: the edit below must look
    item.refresh_from_db()
    item.title = "Mine"
    with CaptureQueriesContext(connection) as queries:
        item.save_edit(expected_version=1, edited_by=pm)
    sqls = [q["sql"] for q in queries]
    locked = next(i for i, sql in enumerate(sqls) if "FOR UPDATE" in sql)
    looked = next(i for i, sql in enumerate(sqls) if "historicalroadmapitem" in sql)
    assert locked < looked


def test_team_lead_gets_403_on_create_and_edit(lead_client, item):
    assert lead_client.get(CREATE).status_code == 403
    assert lead_client.post(CREATE, details()).status_code == 403
    assert lead_client.get(edit_url(item)).status_code == 403
    assert lead_client.post(edit_url(item), details(item, title="No")).status_code == 403
    item.refresh_from_db()
    assert item.title == "Single sign-on"


def test_links_show_only_for_roles_that_may_use_them(pm_client, lead_client, item):
    for client, shown in ((pm_client, True), (lead_client, False)):
        page = client.get(item.get_absolute_url()).content.decode()
        listing = client.get(reverse("roadmap:item-list")).content.decode()
        assert (edit_url(item) in page) is shown
        assert (reverse("roadmap:triage", args=[item.pk]) in page) is shown
        assert (reverse("roadmap:triage", args=[item.pk]) in listing) is shown
        assert (CREATE in listing) is shown
        assert (reverse("roadmap:triage-queue") in listing) is shown


def test_invalid_edit_keeps_the_saved_title_in_the_heading(pm_client, item):
    response = pm_client.post(reverse("roadmap:item-edit", args=[item.pk]), {
        "title": "", "product": item.product_id, "status": "idea", "horizon": "later",
        "version": item.version,
    })
    assertContains(response, f"Edit “{item.title}”")
    item.refresh_from_db()
    assert item.title == "Single sign-on"


def test_a_new_item_left_to_the_default_takes_its_products_horizon(pm_client):
    product = make_product(name="Platform", default_horizon="now")
    response = pm_client.get(CREATE)
    assertContains(response, '<option value="" selected>The product\'s default</option>',
                   html=True)
    pm_client.post(CREATE, details(product=product.pk, horizon=""))
    assert RoadmapItem.objects.get(title="Offline drafts").horizon == "now"


def test_a_horizon_picked_for_a_new_item_wins_over_the_products_default(pm_client):
    product = make_product(name="Platform", default_horizon="now")
    pm_client.post(CREATE, details(product=product.pk, horizon="later"))
    assert RoadmapItem.objects.get(title="Offline drafts").horizon == "later"


def test_the_edit_form_offers_no_default_horizon(pm_client, item):
    assertNotContains(pm_client.get(edit_url(item)), "The product's default")
