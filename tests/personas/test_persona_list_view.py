from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_metric, make_persona, make_personas

URL = reverse("personas:persona-list")


def test_personas_are_grouped_by_side(pm_client):
    make_persona(name="Economic buyer", side="customer")
    make_persona(name="Accountant", side="user")
    response = pm_client.get(URL)
    text = response.content.decode()
    assert text.index("Customers") < text.index("Economic buyer") < text.index("Users")
    assert text.index("Users") < text.index("Accountant")


def test_archived_personas_show_only_on_request(pm_client):
    make_persona(name="Retired buyer", archived=True)
    assertNotContains(pm_client.get(URL), "Retired buyer")
    assertContains(pm_client.get(URL, {"archived": "1"}), "Retired buyer")


def test_persona_shows_its_metrics(pm_client):
    persona = make_persona(name="Economic buyer")
    persona.metrics.add(make_metric(name="Revenue"))
    assertContains(pm_client.get(URL), "Revenue")


def test_persona_list_query_count_is_fixed(pm_client, django_assert_num_queries):
    for persona in make_personas(30):
        persona.metrics.add(make_metric())
    # session, person, roles, personas, their metrics
    with django_assert_num_queries(5):
        pm_client.get(URL)


def test_the_page_explains_when_a_persona_pays_and_uses(pm_client):
    make_persona(name="Small-business owner", side="both")
    response = pm_client.get(URL)
    assertContains(response, '<h2 id="side-both">Pays and uses</h2>', html=True)
    assertContains(response, "Small-business owner")
    assertContains(response, "In B2B software this is rare")
