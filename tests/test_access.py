"""Every page against every role: who gets in, who gets 403, who is sent to log in."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_item


@pytest.fixture
def urls(db):
    item = make_item()
    return {
        "roadmap": reverse("roadmap:item-list"),
        "item": reverse("roadmap:item-detail", args=[item.pk]),
        "personas": reverse("personas:persona-list"),
        "admin": reverse("admin:index"),
        "item-create": reverse("roadmap:item-create"),
        "item-edit": reverse("roadmap:item-edit", args=[item.pk]),
        "triage": reverse("roadmap:triage", args=[item.pk]),
        "triage-queue": reverse("roadmap:triage-queue"),
        "dashboard": reverse("roadmap:dashboard"),
        "export-csv": reverse("roadmap:export-csv"),
        "print": reverse("roadmap:print"),
        "review-form": reverse("roadmap:review", args=[item.pk]),
    }


EXPECTED = {
    # page: (product manager, team lead, admin, no role)
    "roadmap": (200, 200, 200, 403),
    "item": (200, 200, 200, 403),
    "personas": (200, 200, 200, 403),
    "admin": (302, 302, 200, 302),
    "item-create": (200, 403, 200, 403),
    "item-edit": (200, 403, 200, 403),
    "triage": (200, 403, 200, 403),
    "triage-queue": (200, 403, 200, 403),
    "dashboard": (200, 200, 200, 403),
    "export-csv": (200, 200, 200, 403),
    "print": (200, 200, 200, 403),
    "review-form": (403, 200, 200, 403),
}
ROLES = ["pm_client", "lead_client", "admin_client", "no_role_client"]


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_status(request, urls, page, role):
    client = request.getfixturevalue(role)
    expected = EXPECTED[page][ROLES.index(role)]
    assert client.get(urls[page]).status_code == expected


@pytest.mark.parametrize("page", EXPECTED)
def test_anonymous_is_sent_to_log_in(client, urls, page):
    response = client.get(urls[page])
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("page", ["roadmap", "item", "personas"])
def test_read_only_pages_refuse_post(pm_client, urls, page):
    assert pm_client.post(urls[page]).status_code == 405


def test_login_page_is_public(client, db):
    assert client.get(reverse("login")).status_code == 200


def test_logout_is_post_only_and_ends_the_session(pm_client):
    assert pm_client.get(reverse("logout")).status_code == 405
    pm_client.post(reverse("logout"))
    assert pm_client.get(reverse("roadmap:item-list")).status_code == 302


WRITE_PAGES = ["item-create", "item-edit", "triage", "triage-queue"]


@pytest.mark.parametrize("page", WRITE_PAGES)
@pytest.mark.parametrize("role, expected", [("lead_client", 403), ("no_role_client", 403)])
def test_roles_that_may_not_write_get_403_on_post_and_htmx(request, urls, page, role, expected):
    client = request.getfixturevalue(role)
    for headers in ({}, {"HX-Request": "true"}):
        assert client.post(urls[page], {"preview": "1"}, headers=headers).status_code == expected


@pytest.mark.parametrize("page", WRITE_PAGES)
def test_anonymous_post_to_a_write_page_is_sent_to_log_in(client, urls, page):
    response = client.post(urls[page], {"version": 1})
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("page", ["dashboard", "export-csv", "print"])
def test_review_read_pages_refuse_post(lead_client, urls, page):
    assert lead_client.post(urls[page]).status_code == 405


@pytest.mark.parametrize("role, expected", [
    ("pm_client", 403), ("lead_client", 200), ("admin_client", 200), ("no_role_client", 403),
])
def test_only_reviewers_may_post_a_review(request, urls, role, expected):
    # 200: the form comes back with its errors (nothing posted); 403: refused outright.
    client = request.getfixturevalue(role)
    assert client.post(urls["review-form"], {}).status_code == expected


def test_review_post_needs_csrf(lead, db):
    item = make_item()
    client = Client(enforce_csrf_checks=True)
    client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("roadmap:review", args=[item.pk]), {"verdict": "accepted"})
    assert response.status_code == 403
