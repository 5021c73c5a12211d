from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import ItemOutcome, Verdict
from tests.factories import make_item, make_metric, make_persona, triage

LIST = reverse("roadmap:item-list")
DASHBOARD = reverse("roadmap:dashboard")


def ship(item, *, weeks_ago, by):
    """Mark `item` shipped `weeks_ago`, as a PM who corrects the shipped date does."""
    item.refresh_from_db()
    item.status = "shipped"
    item.shipped_on = timezone.localdate() - timedelta(weeks=weeks_ago)
    item.save_edit(expected_version=item.version, edited_by=by)


@pytest.fixture
def shipped(db, pm):
    adoption = make_metric(side="user", name="Feature adoption")
    item = make_item(title="Offline drafts", owner=pm)
    triage(item, [make_persona(side="user")], by=pm, metrics=[adoption])
    ship(item, weeks_ago=7, by=pm)
    return item


def answer_url(item):
    return reverse("outcomes:outcome", args=[item.pk])


def test_the_owner_is_asked_six_weeks_after_shipping(pm_client, shipped):
    response = pm_client.get(LIST)
    assertContains(response, "Did it move?")
    assertContains(response, "expected to move Feature adoption")
    assertContains(response, answer_url(shipped))


def test_an_item_shipped_a_month_ago_does_not_ask_yet(pm_client, pm, db):
    item = make_item(title="Fresh", owner=pm)
    triage(item, [make_persona(side="user")], by=pm, metrics=[make_metric(side="user")])
    ship(item, weeks_ago=4, by=pm)
    assertNotContains(pm_client.get(LIST), "Did it move?")


def test_an_item_whose_triage_named_no_metric_does_not_ask(pm_client, pm, db):
    item = make_item(title="No metric", owner=pm)
    triage(item, [make_persona(side="user")], by=pm)
    ship(item, weeks_ago=8, by=pm)
    assertNotContains(pm_client.get(LIST), "Did it move?")


def test_another_pms_item_is_not_asked(pm_client, shipped, db):
    from roadmap import roles
    from tests.conftest import logged_in_client
    from tests.factories import make_person

    other = logged_in_client(make_person(roles.PRODUCT_MANAGER))
    assertNotContains(other.get(LIST), "Did it move?")
    assert other.get(answer_url(shipped)).status_code == 403


def test_the_owner_answers_with_a_note_on_the_audit_trail(pm_client, pm, shipped):
    response = pm_client.post(answer_url(shipped), {
        "version": 0, "verdict": "moved", "note": "Adoption up 8%.", "next": LIST}, follow=True)
    assertContains(response, "Saved: “Offline drafts”, moved.")
    assertNotContains(response, "expected to move Feature adoption")
    outcome = ItemOutcome.objects.get(item=shipped)
    assert (outcome.verdict, outcome.note, outcome.answered_by) == ("moved", "Adoption up 8%.",
                                                                    pm)
    assert outcome.history.get().history_user == pm


def test_the_answer_page_is_an_item_s_not_the_readings(pm_client, shipped):
    page = pm_client.get(answer_url(shipped))
    assertNotContains(page, 'aria-current="page">Readings')
    assertContains(page, f'<label for="outcome-{shipped.pk}-note">Note</label>', html=True)


def test_an_answer_without_a_verdict_is_refused_with_the_note_kept(pm_client, shipped):
    response = pm_client.post(answer_url(shipped), {"version": 0, "note": "Not sure yet"})
    assert response.status_code == 200
    assertContains(response, "This field is required.")
    assertContains(response, "Not sure yet")
    assert not ItemOutcome.objects.exists()


def test_two_answers_at_once_never_overwrite(pm_client, pm, admin_person, shipped):
    ItemOutcome.answer(shipped, verdict=Verdict.DID_NOT_MOVE, note="Flat.",
                       answered_by=admin_person, expected_version=0)
    response = pm_client.post(answer_url(shipped), {"version": 0, "verdict": "moved"})
    assertContains(response, "Someone else saved this since you opened it")
    assert ItemOutcome.objects.get().verdict == Verdict.DID_NOT_MOVE


def test_too_early_asks_again_six_weeks_later(pm_client, pm, shipped):
    outcome = ItemOutcome.answer(shipped, verdict=Verdict.TOO_EARLY, note="",
                                 answered_by=pm, expected_version=0)
    assertNotContains(pm_client.get(LIST), "expected to move Feature adoption")
    ItemOutcome.objects.filter(pk=outcome.pk).update(
        answered_at=timezone.now() - timedelta(weeks=6, days=1))
    assertContains(pm_client.get(LIST), "expected to move Feature adoption")


def test_the_dashboard_shows_per_class_the_share_that_moved(lead_client, pm, shipped):
    ItemOutcome.answer(shipped, verdict=Verdict.MOVED, note="", answered_by=pm,
                       expected_version=0)
    other = make_item(title="Bulk export", owner=pm)
    triage(other, [make_persona(side="user")], by=pm, metrics=[make_metric(side="user")])
    ship(other, weeks_ago=9, by=pm)
    ItemOutcome.answer(other, verdict=Verdict.DID_NOT_MOVE, note="", answered_by=pm,
                       expected_version=0)
    response = lead_client.get(DASHBOARD)
    assertContains(response, '<tr><th scope="row">Users only</th><td class="num">2</td>'
                             '<td class="num">1</td><td class="num">1</td><td class="num">0</td>'
                             '<td class="num">50%</td></tr>', html=False)


def test_a_triage_that_stops_naming_metrics_leaves_the_share_that_moved(lead_client, pm,
                                                                         shipped):
    moved = ('<tr><th scope="row">Users only</th><td class="num">1</td><td class="num">0</td>'
             '<td class="num">0</td><td class="num">1</td>')
    assertContains(lead_client.get(DASHBOARD), moved, html=False)
    shipped.refresh_from_db()
    triage(shipped, [make_persona(side="user")], by=pm)  # re-triaged, no metric named
    assertContains(lead_client.get(DASHBOARD),
                   '<tr><th scope="row">Users only</th><td class="num">0</td>', html=False)


def test_the_list_query_count_does_not_grow_with_the_items_asked(pm_client, pm, shipped,
                                                                 django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        pm_client.get(LIST)
    for n in range(6):
        item = make_item(owner=pm)
        triage(item, [make_persona(side="user")], by=pm, metrics=[make_metric(side="user")])
        ship(item, weeks_ago=7 + n, by=pm)
    with django_assert_num_queries(len(few.captured_queries)):
        response = pm_client.get(LIST)
    assertContains(response, "Showing 5 of 7.")



def test_the_demo_shows_one_warning_sign_and_an_answered_outcome(pm_client, lead_client, db,
                                                             capsys):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: nothing new the second time
    assert "Demo readings ready: 24 months for 3 products (0 new); 0 demo outcomes" in \
        capsys.readouterr().out
    dashboard = lead_client.get(DASHBOARD)
    # Once in its product's line of the verdict at the top, once in the health panel.
    assertContains(dashboard, "High engagement with weak monetisation", count=2)
    assertNotContains(dashboard, "High revenue with poor engagement")
    from django.contrib.auth import get_user_model

    from tests.conftest import logged_in_client

    demo_pm = logged_in_client(get_user_model().objects.get(username="pm"))
    assert demo_pm.get(LIST).status_code == 200
    assert ItemOutcome.objects.get().item.title == "Two-factor authentication for all"
