"""Every write path leaves a history record naming who did it; the trail cannot be rewritten."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from evidence.models import Company
from personas.models import Persona, SuccessMetric
from roadmap import roles
from roadmap.models import Product, Review, ReviewThresholds, RoadmapItem, Triage
from tests.factories import make_metric, make_person, make_persona, review_item, triage

Person = get_user_model()


def latest(model, obj):
    return model.history.filter(id=obj.pk).latest("history_date", "history_id")


def persona_form(persona, **changes):
    data = {
        "name": persona.name, "slug": persona.slug, "side": persona.side,
        "archetype": persona.archetype_id, "description": persona.description,
        "concerns": persona.concerns, "order": persona.order,
        "metrics": [m.pk for m in persona.metrics.all()],
    }
    if persona.archived:
        data["archived"] = "on"
    data.update(changes)
    return data


def test_admin_edit_of_a_persona_records_who_and_the_metric_picks(admin_client, admin_person):
    persona = make_persona(name="Buyer")
    metric = make_metric(name="Revenue")
    response = admin_client.post(
        reverse("admin:personas_persona_change", args=[persona.pk]),
        persona_form(persona, description="Signs the contract.", metrics=[metric.pk]),
    )
    assert response.status_code == 302
    record = latest(Persona, persona)
    assert record.history_user == admin_person
    assert record.description == "Signs the contract."
    assert [row.successmetric_id for row in record.metrics.all()] == [metric.pk]


def test_admin_edit_of_a_metric_product_and_thresholds_is_recorded(admin_client, admin_person):
    metric = make_metric(name="Revenue")
    admin_client.post(reverse("admin:personas_successmetric_change", args=[metric.pk]), {
        "name": "Net revenue", "side": "customer", "kind": "amount", "description": "", "order": 1,
    })
    admin_client.post(reverse("admin:roadmap_product_add"), {
        "name": "Mobile", "slug": "mobile", "description": "", "default_horizon": "later",
        "uses_horizons": "on",
    })
    thresholds = ReviewThresholds.current()
    admin_client.post(reverse("admin:roadmap_reviewthresholds_change", args=[thresholds.pk]), {
        "customers_only_share": 60, "users_only_share": 40, "scope": "now", "evidence_share": 70,
        "evidence_min_notes": 2, "metrics_rising_at": 5, "metrics_falling_at": 5,
    })
    assert latest(SuccessMetric, metric).name == "Net revenue"
    assert latest(SuccessMetric, metric).history_user == admin_person
    product = Product.objects.get(name="Mobile")
    assert latest(Product, product).history_type == "+"
    assert latest(Product, product).history_user == admin_person
    assert latest(ReviewThresholds, thresholds).customers_only_share == 60
    assert latest(ReviewThresholds, thresholds).history_user == admin_person


def test_admin_edit_of_a_roadmap_item_is_recorded(admin_client, admin_person, item):
    response = admin_client.post(reverse("admin:roadmap_roadmapitem_change", args=[item.pk]), {
        "product": item.product_id, "title": "SAML single sign-on", "description": "",
        "request_quote": "", "status": "planned", "horizon": "now", "effort": "",
        "owner": "", "version": item.version,
    })
    assert response.status_code == 302
    record = latest(RoadmapItem, item)
    assert (record.title, record.history_user) == ("SAML single sign-on", admin_person)
    assert RoadmapItem.history.filter(id=item.pk).count() == 2  # created, then this edit


def test_role_changes_are_recorded_with_the_groups_before_and_after(admin_client, admin_person):
    pm = make_person(roles.PRODUCT_MANAGER, username="newlead")
    lead_role = Group.objects.get(name=roles.TEAM_LEAD)
    response = admin_client.post(reverse("admin:auth_user_change", args=[pm.pk]), {
        "username": "newlead", "first_name": pm.first_name, "last_name": pm.last_name,
        "email": "", "groups": [lead_role.pk], "is_active": "on",
    })
    assert response.status_code == 302
    record = latest(Person, pm)
    assert record.history_user == admin_person
    assert [row.group_id for row in record.groups.all()] == [lead_role.pk]
    previous = record.prev_record
    assert [row.group.name for row in previous.groups.all()] == [roles.PRODUCT_MANAGER]


def test_giving_the_admin_role_makes_a_person_staff(admin_client):
    pm = make_person(roles.PRODUCT_MANAGER, username="promoted")
    admin_role = Group.objects.get(name=roles.ADMIN)
    admin_client.post(reverse("admin:auth_user_change", args=[pm.pk]), {
        "username": "promoted", "first_name": "", "last_name": "", "email": "",
        "groups": [admin_role.pk], "is_active": "on",
    })
    pm.refresh_from_db()
    assert pm.is_staff and not pm.is_superuser


@pytest.mark.parametrize("model, make, noun", [
    (Persona, lambda: make_persona(name="Old buyer"), "persona"),
    (Company, lambda: Company.objects.create(name="Old customer"), "company"),
])
def test_admin_actions_archive_and_restore_are_recorded(admin_client, admin_person, model,
                                                         make, noun):
    row = make()
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    page = admin_client.post(changelist, {"action": "archive_selected",
                                          "_selected_action": [row.pk]}, follow=True)
    assert f"Archived 1 {noun}." in page.text
    assert latest(model, row).archived is True
    admin_client.post(changelist, {"action": "restore_selected", "_selected_action": [row.pk]})
    record = latest(model, row)
    assert record.archived is False and record.history_user == admin_person


def test_triage_and_review_writes_are_recorded(pm, lead, item, customer_persona):
    triage(item, [customer_persona], by=pm)
    review_item(item, "accepted", "", lead)
    assert Triage.history.get().history_user == pm
    assert Review.history.get().history_user == lead


def test_the_seed_command_leaves_a_record_of_everything_it_creates(db):
    call_command("seed_demo", verbosity=0)
    for model in [Persona, SuccessMetric, Product, RoadmapItem, Triage, Person]:
        recorded = set(model.history.values_list("id", flat=True))
        assert recorded == set(model.objects.values_list("pk", flat=True)), model
    admin = Person.objects.get(username="admin")
    assert [r.group.name for r in latest(Person, admin).groups.all()] == [roles.ADMIN]


def test_a_login_does_not_add_a_history_record(client, db):
    person = make_person(roles.PRODUCT_MANAGER, username="daily")
    before = Person.history.filter(id=person.pk).count()
    client.post(reverse("login"), {"username": "daily", "password": "a-long-test-password"})
    assert "_auth_user_id" in client.session
    assert Person.history.filter(id=person.pk).count() == before


def test_history_never_holds_password_hashes(db):
    person = make_person(username="secretive")
    assert not hasattr(latest(Person, person), "password")


# Append-only


@pytest.mark.parametrize("model", [Persona, SuccessMetric, Product, RoadmapItem, Triage, Review,
                                   ReviewThresholds, Person])
def test_history_models_are_not_in_the_admin(model):
    assert model.history.model not in admin.site._registry


def test_no_role_may_change_or_delete_history(admin_person, pm, lead):
    for person in [admin_person, pm, lead]:
        for model in [Persona, RoadmapItem, Triage, Person]:
            opts = model.history.model._meta
            for action in ["add", "change", "delete"]:
                assert not person.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def test_history_pages_in_the_admin_are_read_only(admin_client, admin_person):
    persona = make_persona(name="Buyer", description="First")
    persona.description = "Second"
    persona.save()
    first = Persona.history.filter(id=persona.pk).earliest("history_date")
    url = reverse("admin:personas_persona_simple_history", args=[persona.pk, first.history_id])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Revert" not in page.content.decode()
    response = admin_client.post(url, persona_form(persona, description="First"))
    assert response.status_code == 403
    persona.refresh_from_db()
    assert persona.description == "Second"


def test_a_product_added_with_its_own_personas_has_one_creation_record(admin_client,
                                                                       admin_person):
    clerk = make_persona(name="Billing clerk")
    admin_client.post(reverse("admin:roadmap_product_add"), {
        "name": "Invoicing", "slug": "invoicing", "description": "", "personas": [clerk.pk],
        "default_horizon": "later", "uses_horizons": "on",
    })
    product = Product.objects.get(name="Invoicing")
    [record] = product.history.all()
    assert (record.history_type, record.history_user) == ("+", admin_person)
    assert [row.persona for row in record.personas.all()] == [clerk]
