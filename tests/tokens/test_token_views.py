import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from audit.trail import load_entries, trail
from tokens.models import ApiToken


def test_a_new_token_is_shown_once(pm, pm_client):
    response = pm_client.post("/tokens/", {"name": "Nightly Jira sync"})
    token = ApiToken.objects.get()
    raw = response.context["created"]["raw"]
    assertContains(response, raw)
    assert token.person == pm and raw.startswith(token.shown)
    assertNotContains(pm_client.get("/tokens/"), raw)
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/products").status_code == 200


def test_a_token_without_a_name_is_refused_beside_the_field(pm_client):
    response = pm_client.post("/tokens/", {"name": "", "expires_on": "2020-01-01"})
    assertContains(response, "This field is required.")
    assertContains(response, "Pick today or a later day.")
    assert not ApiToken.objects.exists()


def test_an_expiry_day_ends_the_token_after_that_day(pm_client):
    pm_client.post("/tokens/", {"name": "Quarterly report", "expires_on": "2099-03-31"})
    assert ApiToken.objects.get().expires_at.isoformat() == "2099-04-01T00:00:00+00:00"


def test_a_person_sees_and_revokes_only_their_own_tokens(pm, pm_client, lead):
    mine, _ = ApiToken.issue(person=pm, name="mine", created_by=pm)
    theirs, _ = ApiToken.issue(person=lead, name="theirs", created_by=lead)
    page = pm_client.get("/tokens/")
    assertContains(page, "mine")
    assertNotContains(page, "theirs")
    assert pm_client.post(f"/tokens/{theirs.pk}/revoke/").status_code == 404
    assert pm_client.post(f"/tokens/{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_revoked and not theirs.is_revoked


def test_admins_see_and_revoke_everyones_tokens(admin_client, admin_person, pm):
    token, _ = ApiToken.issue(person=pm, name="pm's sync", created_by=pm)
    assertContains(admin_client.get("/tokens/"), "Everyone")
    admin_client.post(f"/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_by == admin_person


def test_making_and_revoking_a_token_is_on_the_audit_trail(pm, pm_client):
    pm_client.post("/tokens/", {"name": "Slack bot"})
    token = ApiToken.objects.get()
    pm_client.post(f"/tokens/{token.pk}/revoke/")
    entries = load_entries(list(trail(kind="apitoken")))
    assert [(e.action, e.who) for e in entries] == [("Changed", "Priya Menon"),
                                                   ("Created", "Priya Menon")]


def test_people_without_a_role_get_no_tokens(no_role_client):
    assert no_role_client.post("/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_command_prints_a_working_token(pm, capsys):
    call_command("create_api_token", "pm", name="cron")
    raw = capsys.readouterr().out.strip()
    assert ApiToken.objects.get().name == "cron"
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/products").status_code == 200


def test_the_command_refuses_an_unknown_person(db):
    with pytest.raises(CommandError, match="No person is called"):
        call_command("create_api_token", "nobody")
