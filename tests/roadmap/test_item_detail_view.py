from pytest_django.asserts import assertContains

from tests.factories import make_item, make_persona, triage


def test_item_page_shows_the_request_and_the_answer(pm_client, pm, customer_persona, user_persona):
    item = make_item(title="SSO", request_quote="We cannot roll out without SSO.",
                     requesting_persona=customer_persona)
    triage(item, [customer_persona], by=pm, value="Renewal keeps access.", indirect=[user_persona])
    response = pm_client.get(item.get_absolute_url())
    assertContains(response, "We cannot roll out without SSO.")
    assertContains(response, "Customers only")
    assertContains(response, "Renewal keeps access.")
    assertContains(response, "Field employee")
    assertContains(response, "Triaged by Priya Menon")


def test_item_page_marks_archived_personas(pm_client, pm, item):
    old = make_persona(name="Retired buyer")
    triage(item, [old], by=pm)
    old.archived = True
    old.save()
    assertContains(pm_client.get(item.get_absolute_url()), "Retired buyer (archived)")


def test_unknown_item_is_404(pm_client):
    assert pm_client.get("/roadmap/items/999999/").status_code == 404
