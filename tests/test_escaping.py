"""What people type is shown as text everywhere it appears, never as markup."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from roadmap.models import RoadmapItem
from tests.factories import make_item, make_metric, make_persona, review_item, triage

HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "'><a href=javascript:alert(1)>{{ 7*7 }}</a>",
]


@pytest.fixture(params=HOSTILE)
def hostile(request):
    return request.param


@pytest.fixture
def hostile_roadmap(db, pm, lead, hostile):
    customer = make_persona(name=f"Buyer {hostile}", description=f"Pays {hostile}",
                            concerns=f"Cares {hostile}")
    user = make_persona(side="user", name=f"Employee {hostile}")
    customer.metrics.add(make_metric(name=f"Revenue {hostile}"))
    item = make_item(title=f"Title {hostile}", description=f"Describes {hostile}",
                     request_quote=f"Quote {hostile}", requesting_persona=customer)
    triage(item, [customer], by=pm, indirect=[user], value=f"Value {hostile}")
    review_item(item, "challenged", f"Comment {hostile}", lead)
    return item


def assert_escaped(response, hostile, *shown):
    """No hostile markup in the page, and each of the `shown` texts there, escaped."""
    assert response.status_code == 200
    assertNotContains(response, hostile, html=False)
    assertNotContains(response, "<script>alert", html=False)
    assertNotContains(response, "onerror=alert(1)>", html=False)
    assertNotContains(response, "<svg onload", html=False)
    assertNotContains(response, "<a href=javascript", html=False)
    for text in shown:
        assertContains(response, escape(f"{text} {hostile}"), html=False)


def test_item_page_escapes_every_typed_text(admin_client, hostile_roadmap, hostile):
    response = admin_client.get(hostile_roadmap.get_absolute_url())
    assert_escaped(response, hostile, "Title", "Quote", "Describes", "Value", "Comment",
                   "Buyer", "Employee")


def test_roadmap_list_escapes_titles_and_persona_names(pm_client, hostile_roadmap, hostile):
    assert_escaped(pm_client.get(reverse("roadmap:item-list")), hostile, "Title", "Buyer")


def test_roadmap_list_escapes_challenges_keys_and_labels(pm_client, hostile_roadmap, hostile):
    RoadmapItem.objects.filter(pk=hostile_roadmap.pk).update(
        external_source="jira", external_key=f"Key {hostile}", labels=[f"Label {hostile}"],
        external_url="https://jira.example/browse/A-1?x=1&y=2")
    response = pm_client.get(reverse("roadmap:item-list"))
    assert_escaped(response, hostile, "Title", "Buyer", "Comment", "Key", "Label")
    assertContains(response, 'href="https://jira.example/browse/A-1?x=1&amp;y=2"', html=False)


def test_persona_list_escapes_descriptions_concerns_and_metrics(lead_client, hostile_roadmap,
                                                                hostile):
    assert_escaped(lead_client.get(reverse("personas:persona-list")), hostile,
                   "Buyer", "Pays", "Cares", "Revenue", "Employee")


def test_audit_trail_escapes_every_typed_text(admin_client, hostile_roadmap, hostile):
    assert_escaped(admin_client.get(reverse("audit:trail")), hostile,
                   "Title", "Quote", "Describes", "Value", "Comment", "Buyer", "Pays")


@pytest.mark.parametrize(("url_name", "shown"), [
    ("admin:personas_persona_changelist", "Buyer"),
    ("admin:roadmap_roadmapitem_changelist", "Title"),
    ("admin:personas_successmetric_changelist", "Revenue"),
])
def test_admin_changelists_escape_typed_text(admin_client, hostile_roadmap, hostile, url_name,
                                             shown):
    assert_escaped(admin_client.get(reverse(url_name)), hostile, shown)


def test_audit_csv_keeps_hostile_text_as_plain_cells(admin_client, hostile_roadmap, hostile):
    response = admin_client.get(reverse("audit:trail-csv"))
    body = b"".join(response.streaming_content).decode()
    assert f"Quote {hostile}".replace('"', '""') in body
