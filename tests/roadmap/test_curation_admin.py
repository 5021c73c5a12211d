"""Metrics, products, thresholds and people in the admin: validation, roles at a glance,
deactivation."""

from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from personas.models import SuccessMetric
from roadmap import roles
from roadmap.models import Product, ReviewThresholds
from tests.factories import make_item, make_metric, make_person, make_persona, make_product, triage


def test_a_metric_used_by_triage_answers_keeps_its_side(admin_client, pm, customer_persona):
    metric = make_metric(name="Revenue")
    triage(make_item(), [customer_persona], by=pm, metrics=[metric])
    response = admin_client.post(
        reverse("admin:personas_successmetric_change", args=[metric.pk]),
        {"name": "Revenue", "side": "user", "kind": "amount", "description": "",
         "order": 0},
    )
    assertContains(response, "its side is fixed")
    metric.refresh_from_db()
    assert metric.side == "customer"


def test_an_unused_metric_can_change_side(admin_client):
    metric = make_metric(name="Adoption")
    admin_client.post(reverse("admin:personas_successmetric_change", args=[metric.pk]),
                      {"name": "Adoption", "side": "user", "kind": "amount", "description": "",
         "order": 0})
    assert SuccessMetric.objects.get(pk=metric.pk).side == "user"


def test_an_admin_sets_a_products_default_horizon_and_horizon_use_on_the_trail(
        admin_client, admin_person):
    product = make_product(name="Cal")
    admin_client.post(reverse("admin:roadmap_product_change", args=[product.pk]), {
        "name": "Cal", "slug": "cal", "description": "", "default_horizon": "now"})
    product.refresh_from_db()
    assert (product.default_horizon, product.uses_horizons) == ("now", False)
    assert product.history.first().history_user == admin_person
    assert make_item(product=product, horizon="").horizon == "now"


def test_threshold_shares_must_be_percentages(admin_client):
    thresholds = ReviewThresholds.current()
    response = admin_client.post(
        reverse("admin:roadmap_reviewthresholds_change", args=[thresholds.pk]),
        {"customers_only_share": 140, "users_only_share": -5, "scope": "now"},
    )
    assertContains(response, "Ensure this value is less than or equal to 100.")
    assertContains(response, "Ensure this value is greater than or equal to 0.")
    thresholds.refresh_from_db()
    assert thresholds.customers_only_share == 50


def test_people_list_shows_each_persons_roles(admin_client, pm, lead):
    response = admin_client.get(reverse("admin:auth_user_changelist"))
    assertContains(response, roles.PRODUCT_MANAGER)
    assertContains(response, roles.TEAM_LEAD)


def test_people_list_filters_by_role(admin_client, pm, lead):
    response = admin_client.get(reverse("admin:auth_user_changelist"),
                                {"role": roles.TEAM_LEAD})
    assert [p.username for p in response.context["cl"].result_list] == ["lead"]


def test_the_role_field_offers_only_the_three_roles(admin_client, pm):
    Group.objects.create(name="Shadow group")
    response = admin_client.get(reverse("admin:auth_user_change", args=[pm.pk]))
    assertNotContains(response, "Shadow group")
    assertNotContains(response, "Superuser status")


def test_a_staff_admin_cannot_edit_a_superuser(admin_client):
    root = make_person(username="root", is_superuser=True, is_staff=True)
    response = admin_client.post(reverse("admin:auth_user_change", args=[root.pk]), {
        "username": "root", "first_name": "", "last_name": "", "email": "", "is_active": "",
    })
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_a_deactivated_person_keeps_their_name_on_what_they_tagged(
    admin_client, pm, pm_client, customer_persona
):
    item = make_item(title="Bulk approve")
    triage(item, [customer_persona], by=pm)
    admin_client.post(reverse("admin:auth_user_change", args=[pm.pk]), {
        "username": "pm", "first_name": "Priya", "last_name": "Menon", "email": "",
        "groups": [Group.objects.get(name=roles.PRODUCT_MANAGER).pk],
    })
    pm.refresh_from_db()
    assert not pm.is_active
    assert pm_client.get(reverse("roadmap:item-list")).status_code == 302
    page = admin_client.get(item.get_absolute_url())
    assertContains(page, "Triaged by Priya Menon")


def test_no_one_but_a_superuser_may_delete_people(admin_person, pm, lead):
    for person in [admin_person, pm, lead]:
        assert not person.has_perm("auth.delete_user")


def test_an_admin_gives_a_product_its_own_personas_on_the_audit_trail(admin_client,
                                                                      admin_person):
    clerk, shared = make_persona(name="Billing clerk"), make_persona(name="Economic buyer")
    invoicing = make_product(name="Invoicing")
    response = admin_client.post(
        reverse("admin:roadmap_product_change", args=[invoicing.pk]),
        {"name": "Invoicing", "slug": "invoicing", "description": "", "personas": [clerk.pk],
         "default_horizon": "later", "uses_horizons": "on"})
    assert response.status_code == 302
    assert set(Product.objects.filter(pk=invoicing.pk).personas()) == {clerk, shared}
    assert set(Product.objects.exclude(pk=invoicing.pk).personas()) == {shared}
    record = invoicing.history.latest()
    assert record.history_user == admin_person
    assert [row.persona for row in record.personas.all()] == [clerk]
    assertContains(admin_client.get(reverse("admin:roadmap_product_changelist")),
                   "Billing clerk")
