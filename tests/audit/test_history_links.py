"""Each persona and roadmap item page links admins to the object's own history."""

from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains


def test_admins_see_a_link_to_each_personas_history(admin_client, customer_persona):
    response = admin_client.get(reverse("personas:persona-list"))
    history = reverse("admin:personas_persona_history", args=[customer_persona.pk])
    assertContains(response, f'href="{history}"')
    assertContains(admin_client.get(history), "IT administrator")


def test_admins_see_a_link_to_the_items_history(admin_client, item):
    history = reverse("admin:roadmap_roadmapitem_history", args=[item.pk])
    assertContains(admin_client.get(item.get_absolute_url()), f'href="{history}"')
    assertContains(admin_client.get(history), "Single sign-on")


def test_other_roles_see_no_history_link(pm_client, lead_client, item, customer_persona):
    for client in [pm_client, lead_client]:
        assertNotContains(client.get(item.get_absolute_url()), "/history/")
        assertNotContains(client.get(reverse("personas:persona-list")), "/history/")
