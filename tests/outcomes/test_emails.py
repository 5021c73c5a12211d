"""Emails go through the real task queue and worker (`run_tasks`), never from the request."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from outcomes.models import EmailSettings
from roadmap import roles
from tests.conftest import logged_in_client
from tests.factories import make_item, make_person, make_persona, review_item, triage

SETTINGS = reverse("outcomes:email-settings")


@pytest.fixture
def owner(transactional_db):
    return make_person(roles.PRODUCT_MANAGER, username="owner", first_name="Priya",
                       email="priya@example.com")


@pytest.fixture
def challenged_lead(transactional_db):
    return make_person(roles.TEAM_LEAD, username="lena", first_name="Lena",
                       email="lena@example.com")


def challenge(owner, lead):
    item = make_item(title="Audit log export", owner=owner, horizon="now")
    triage(item, [make_persona(side="customer")], by=owner)
    return review_item(item, "challenged", "Who among the users gains?", lead)


def test_the_owner_hears_of_a_challenge_from_the_worker(run_tasks, owner, challenged_lead):
    challenge(owner, challenged_lead)
    assert mail.outbox == []  # queued, not sent by the request
    run_tasks()
    [email] = mail.outbox
    assert email.to == ["priya@example.com"]
    assert email.subject == "Challenged: Audit log export"
    assert "Who among the users gains?" in email.body
    assert "/roadmap/items/" in email.body


def test_an_owner_who_switched_them_off_gets_none(run_tasks, owner, challenged_lead):
    logged_in_client(owner).post(SETTINGS, {})  # the box unticked
    assert EmailSettings.of(owner).challenge_emails is False
    challenge(owner, challenged_lead)
    run_tasks()
    assert mail.outbox == []


def test_an_accepted_item_sends_nothing(run_tasks, owner, challenged_lead):
    item = make_item(owner=owner)
    triage(item, [make_persona(side="customer")], by=owner)
    review_item(item, "accepted", "", challenged_lead)
    run_tasks()
    assert mail.outbox == []


def test_a_team_lead_subscribes_and_the_command_queues_the_weekly_digest(
        run_tasks, owner, challenged_lead, capsys):
    response = logged_in_client(challenged_lead).post(SETTINGS, {"weekly_digest": "on"},
                                                      follow=True)
    assertContains(response, "Saved your email settings.")
    challenge(owner, challenged_lead)
    mail.outbox.clear()
    call_command("send_digests")
    assert "Queued 1 digest for the worker." in capsys.readouterr().out
    assert mail.outbox == []
    run_tasks()
    digest = [email for email in mail.outbox if email.to == ["lena@example.com"]]
    assert len(digest) == 1
    assert "The two traps" in digest[0].body
    assert "Building only for buyers" in digest[0].body
    call_command("send_digests")  # a week has not passed: nothing more
    assert "Queued 0 digests" in capsys.readouterr().out


def test_the_settings_page_is_the_name_in_the_header_not_readings(db):
    page = logged_in_client(make_person(roles.TEAM_LEAD, first_name="Lena")).get(SETTINGS)
    assertContains(page, 'aria-current="page">Lena', count=1)
    assertNotContains(page, 'aria-current="page">Readings')
    assertContains(page, '<label for="id_weekly_digest">Send me the weekly digest</label>',
                   html=True)


def test_the_settings_page_shows_each_role_its_emails(db):
    pm = logged_in_client(make_person(roles.PRODUCT_MANAGER))
    lead = logged_in_client(make_person(roles.TEAM_LEAD))
    assertContains(pm.get(SETTINGS), "Email me when an item I own is challenged")
    page = lead.get(SETTINGS)
    assertContains(page, "Send me the weekly digest")
    assert "challenged" not in page.content.decode().split("<form", 1)[1]
