import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import Review
from tests.factories import make_item, make_person, make_product, review_item, triage


@pytest.fixture
def triaged(item, pm, customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    return item


def url(item):
    return reverse("roadmap:review", args=[item.pk])


def post(client, item, htmx=False, **fields):
    review = Review.objects.filter(item=item).first()
    data = {"version": item.version, "review_version": review.version if review else 0,
            "comment": "", **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(item), data, headers=headers)


def test_team_lead_accepts_and_returns_to_the_item(lead_client, lead, triaged):
    response = post(lead_client, triaged, verdict="accepted")
    assertRedirects(response, triaged.get_absolute_url())
    review = Review.objects.get(item=triaged)
    assert (review.verdict, review.reviewed_by) == ("accepted", lead)


def test_challenge_returns_to_the_dashboard_view_it_came_from(lead_client, triaged):
    response = post(lead_client, triaged, verdict="challenged", comment="Who uses this?",
                    next="/roadmap/review/?horizon=now")
    assertRedirects(response, "/roadmap/review/?horizon=now")
    assert Review.objects.get(item=triaged).comment == "Who uses this?"


def test_next_pointing_off_site_is_ignored(lead_client, triaged):
    response = post(lead_client, triaged, verdict="accepted", next="https://evil.example/")
    assertRedirects(response, triaged.get_absolute_url())


def test_challenge_without_comment_shows_the_error_and_keeps_the_verdict(lead_client, triaged):
    response = post(lead_client, triaged, verdict="challenged", comment="   ")
    assert response.status_code == 200
    assertContains(response, "Say why you challenge this item.")
    assert re.search(r'value="challenged"[^>]* checked', response.content.decode())
    assert not Review.objects.exists()


def test_htmx_review_on_the_item_page_returns_the_panel_with_a_fresh_form(
    lead_client, triaged
):
    response = post(lead_client, triaged, htmx=True, verdict="accepted")
    assertNotContains(response, "<html")
    assertContains(response, f'id="review-{triaged.pk}"')
    assertContains(response, "<strong>Accepted</strong>")
    assertContains(response, 'name="review_version" value="1"')


def test_htmx_review_in_a_dashboard_row_folds_back_to_the_verdict(lead_client, triaged):
    response = post(lead_client, triaged, htmx=True, verdict="challenged", comment="Why?",
                    list="challenges", next="/roadmap/review/")
    assertContains(response, "<strong>Challenged</strong>")
    assertNotContains(response, "Save review")
    assertContains(response, "Review this item")


def test_stale_review_is_refused_and_shows_the_current_one(lead_client, lead, triaged):
    stale = {"version": triaged.version, "review_version": 0}
    review_item(triaged, "challenged", "First lead's doubt.",
                make_person("Team lead", first_name="Tomas", last_name="Berg"))
    response = lead_client.post(url(triaged), {**stale, "verdict": "accepted", "comment": ""})
    assert response.status_code == 200
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, "Saved by Tomas Berg")
    assertContains(response, "<tr><th scope=\"row\">Verdict</th><td>Challenged</td>"
                             "<td>Accepted</td></tr>", html=True)
    assertContains(response, "First lead&#x27;s doubt.")
    assert Review.objects.get(item=triaged).verdict == "challenged"


def test_untriaged_item_cannot_be_reviewed(lead_client, item):
    response = post(lead_client, item, verdict="accepted")
    assert response.status_code == 200
    assertContains(response, "Triage this item before reviewing it.")
    assert not Review.objects.exists()


def test_pm_gets_403_on_review_save(pm_client, triaged):
    assert post(pm_client, triaged, verdict="accepted").status_code == 403
    assert post(pm_client, triaged, htmx=True, verdict="accepted").status_code == 403
    assert not Review.objects.exists()


def test_review_of_a_missing_item_is_404(lead_client):
    assert lead_client.post(reverse("roadmap:review", args=[999999])).status_code == 404


def test_item_page_shows_the_review_form_to_a_team_lead_only(lead_client, pm_client, triaged):
    assertContains(lead_client.get(triaged.get_absolute_url()), "Save review")
    assertNotContains(pm_client.get(triaged.get_absolute_url()), "Save review")


def test_item_page_shows_the_whole_exchange(pm_client, pm, lead, triaged, user_persona):
    review_item(triaged, "challenged", "Who uses this?", lead)
    triaged.refresh_from_db()
    triage(triaged, [*triaged.triage.primary_beneficiaries.all(), user_persona], by=pm)
    response = pm_client.get(triaged.get_absolute_url())
    assertContains(response, "Answered: look again")
    assertContains(response, "<strong>Challenged</strong> by Lena Schmidt")
    assertContains(response, "<strong>Answered</strong> by Priya Menon")


def test_pm_sees_challenged_items_and_why_on_the_roadmap_list(pm_client, lead, triaged):
    make_item(title="Unchallenged")
    review_item(triaged, "challenged", "No value for users stated.", lead)
    response = pm_client.get(reverse("roadmap:item-list"))
    assertContains(response, '<span class="badge challenged">Challenged</span>', html=True)
    assertContains(response, "Challenged items you own")
    assertContains(response, "No value for users stated.", count=2)


def test_the_roadmap_list_shows_the_first_ten_challenges_and_says_how_many(
        pm_client, pm, lead, customer_persona):
    # One product: the panel lists items by product name, then title, and each factory item's
    # own product would sort "Product 10" before "Product 9".
    product = make_product()
    for n in range(12):
        challenged = make_item(title=f"Challenged {n:02}", owner=pm, product=product)
        triage(challenged, [customer_persona], by=pm)
        review_item(challenged, "challenged", "Who uses it?", lead)
    response = pm_client.get(reverse("roadmap:item-list"))
    assertContains(response, "Showing 10 of 12:")
    assertContains(response, 'href="/roadmap/review/?owner=pm"')
    assertContains(response, ">Challenged 09</a>: Who uses it?")
    assertNotContains(response, ">Challenged 10</a>: Who uses it?")


def test_dashboard_link_loads_the_form_in_place(lead_client, triaged):
    response = lead_client.get(url(triaged), {"list": "one-sided", "next": "/roadmap/review/"},
                               headers={"HX-Request": "true"})
    assertNotContains(response, "<html")
    assertContains(response, "Save review")
    assertContains(response, '<input type="hidden" name="list" value="one-sided">', html=True)
    assertContains(response, 'name="next" value="/roadmap/review/"')


def test_review_page_works_without_javascript(lead_client, triaged):
    response = lead_client.get(url(triaged), {"next": "/roadmap/review/?horizon=now"})
    assertContains(response, "<html")
    assertContains(response, "Save review")
    assertContains(response, 'name="next" value="/roadmap/review/?horizon=now"')


def test_refused_review_keeps_what_the_lead_typed_and_saves_on_purpose(lead_client, triaged):
    stale = {"version": triaged.version, "review_version": 0}
    review_item(triaged, "accepted", "", make_person("Team lead"))
    response = lead_client.post(url(triaged), {
        **stale, "verdict": "challenged", "comment": "Nobody on the user side gains.",
    })
    assertContains(response, "Nobody on the user side gains.")
    assertContains(response, 'name="review_version" value="1"')
    assert Review.objects.get(item=triaged).verdict == "accepted"
    again = lead_client.post(url(triaged), {
        "version": triaged.version, "review_version": 1, "verdict": "challenged",
        "comment": "Nobody on the user side gains.",
    })
    assert again.status_code == 302
    assert Review.objects.get(item=triaged).verdict == "challenged"
