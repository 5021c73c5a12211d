"""While a round is open, no page, partial, export or API call shows a participant another
participant's round answers, and round answers leave the items' triage alone."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertNotContains

from roadmap import roles
from roadmap.models import Triage
from tests.conftest import logged_in_client
from tests.factories import answer_round, make_item, make_person, make_persona, make_round
from tokens.models import ApiToken

SECRET = "Marco's reason nobody else may read yet"


@pytest.fixture
def blind_round(pm, lead):
    marco = make_person(roles.PRODUCT_MANAGER, first_name="Marco", last_name="Rossi")
    buyer = make_persona(side="customer", name="Economic buyer")
    items = [make_item(title="Single sign-on"), make_item(title="Offline drafts")]
    started = make_round([pm, marco], items, by=lead)
    answer_round(started, marco, items[0], [buyer], value=SECRET)
    return started, items


def participant_urls(started, items):
    queue = reverse("calibration:round-queue", args=[started.pk])
    first = items[0].pk
    return [
        ("get", reverse("calibration:round-list"), {}),
        ("get", started.get_absolute_url(), {}),
        ("get", queue, {}),
        ("get", f"{queue}?item={first}", {}),
        ("get", f"{queue}?after={first}", {}),
        ("post", queue, {"item": first, "preview": "1"}),
        ("post", queue, {"item": first}),  # refused: no personas, the form shown again
        ("get", reverse("roadmap:item-detail", args=[first]), {}),
        ("get", reverse("roadmap:item-list"), {}),
        ("get", reverse("roadmap:dashboard"), {}),
        ("get", reverse("roadmap:export-csv"), {}),
        ("get", reverse("roadmap:print"), {}),
        ("get", reverse("roadmap:triage", args=[first]), {}),
        ("get", reverse("roadmap:triage-queue"), {}),
        ("get", f"/api/items/{first}", {}),
        ("get", f"/api/items/{first}/triage", {}),
        ("get", "/api/items", {}),
    ]


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("htmx", [False, True])
def test_no_url_shows_a_participant_another_participants_answer(pm, blind_round, htmx):
    started, items = blind_round
    client = logged_in_client(pm)
    token = {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.issue(
        person=pm, name="blind", created_by=pm)[1]}
    headers = {"HX-Request": "true"} if htmx else {}
    for method, url, data in participant_urls(started, items):
        extra = token if url.startswith("/api/") else {}
        response = getattr(client, method)(url, data, headers=headers, **extra)
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
        text = body(response)
        assert SECRET not in text, url
        assert "Marco's reason" not in text.replace("&#x27;", "'"), url


def test_the_participants_queue_shows_no_class_of_the_other_answer(pm, blind_round):
    started, items = blind_round
    response = logged_in_client(pm).get(
        reverse("calibration:round-queue", args=[started.pk]), {"item": items[0].pk})
    assertNotContains(response, "Customers only")
    assertNotContains(response, " checked data-key")  # no persona picked for them


def test_the_progress_page_shows_counts_not_answers(lead, blind_round):
    started, _ = blind_round
    response = logged_in_client(lead).get(started.get_absolute_url())
    assert "Marco Rossi" in response.content.decode()
    assertNotContains(response, SECRET)
    assertNotContains(response, "Customers only")


def test_round_answers_leave_the_items_untriaged(blind_round):
    _, items = blind_round
    assert not Triage.objects.filter(item__in=items).exists()


def test_the_audit_trail_shows_round_answers_once_the_round_closes(admin_client, lead,
                                                                  blind_round):
    started, _ = blind_round
    response = admin_client.get(reverse("audit:trail"), {"object_type": "roundanswer"})
    assertNotContains(response, SECRET)
    csv = body(admin_client.get(reverse("audit:trail-csv")))
    assert SECRET not in csv
    started.close(by=lead)
    response = admin_client.get(reverse("audit:trail"), {"object_type": "roundanswer"})
    assert SECRET in response.content.decode().replace("&#x27;", "'")
