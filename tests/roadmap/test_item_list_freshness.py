"""The roadmap list keeps what it shows (the quarter's banner, the PM's panels, the filters'
menus, the count and the rows) and the bulk edit's menus until the data changes
(whobenefits/changes.py): each change, then the list read again, shows it. These tests
commit, as production does (a test's own transaction would keep the cache out of the way)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmap import roles
from roadmap.models import Product, ReviewThresholds
from tests.conftest import logged_in_client
from tests.factories import (
    make_item,
    make_note,
    make_person,
    make_product,
    review_item,
    triage,
)

pytestmark = pytest.mark.django_db(transaction=True)
LIST = reverse("roadmap:item-list")


def cached(client, *present):
    """Read the list twice: the second time all of it from the cache (no product menu,
    challenge, owner or item read)."""
    first = client.get(LIST)
    for text in present:
        assertContains(first, text)
    with CaptureQueriesContext(connection) as second:
        again = client.get(LIST)
    assert again.status_code == 200
    read = " ".join(q["sql"] for q in second.captured_queries)
    assert " OVER " not in read  # no panel read (each counts its items in a window)
    assert 'FROM "roadmap_product" ORDER BY' not in read  # no product menu read
    assert 'SELECT DISTINCT "auth_user"' not in read  # no owner menu read
    assert "roadmap_roadmapitem" not in read  # no count, no rows
    assert read.count("audit_changestamp") == 1  # the stamps, read once for the request
    return first


def test_a_challenge_shows_in_the_pms_panel_at_once(pm_client, pm, lead, customer_persona):
    item = make_item(title="Audit export", owner=pm)
    triage(item, [customer_persona], by=pm)
    cached(pm_client, "Audit export")
    assertNotContains(pm_client.get(LIST), "Challenged items you own")
    review_item(item, "challenged", "Who uses it?", lead)
    response = pm_client.get(LIST)
    assertContains(response, "Challenged items you own")
    assertContains(response, ">Audit export</a>: Who uses it?")


def test_each_pm_sees_their_own_panel(pm_client, pm, lead, customer_persona):
    item = make_item(title="Audit export", owner=pm)
    triage(item, [customer_persona], by=pm)
    review_item(item, "challenged", "Who uses it?", lead)
    cached(pm_client, "Challenged items you own")
    other = make_person(roles.PRODUCT_MANAGER, username="pm2")
    assertNotContains(logged_in_client(other).get(LIST), "Challenged items you own")


def test_a_new_product_shows_in_the_menus_at_once(pm_client, pm):
    make_item(title="Audit export", owner=pm)
    cached(pm_client, "Audit export")
    Product.objects.create(name="Platform", slug="platform")
    response = pm_client.get(LIST)
    assertContains(response, '<option value="platform">Platform</option>', html=True)
    assertContains(response, f'<option value="{Product.objects.get(slug="platform").pk}">'
                             "Platform</option>", html=True)


def test_a_new_owner_shows_in_the_bulk_menu_at_once(pm_client, pm):
    make_item(title="Audit export", owner=pm, product=make_product(name="Expenses"))
    cached(pm_client, "Audit export")
    newcomer = make_person(roles.PRODUCT_MANAGER, username="sam", first_name="Sam",
                           last_name="Novak")
    assertContains(pm_client.get(LIST), f'<option value="{newcomer.pk}">Sam Novak</option>',
                   html=True)


def test_changed_thresholds_show_in_the_rows_at_once(pm_client, pm, buyer, user_persona):
    # The thresholds are kept until they are written (ReviewThresholds.current).
    item = make_item(title="Approve from email", owner=pm)
    triage(item, [user_persona], by=pm)
    make_note(buyer, by=pm, items=[item])
    make_note(buyer, by=pm, items=[item])
    cached(pm_client, "Tag disagrees with the evidence (customers 100%)")
    thresholds = ReviewThresholds.current()
    thresholds.evidence_min_notes = 3
    thresholds.save()
    assertNotContains(pm_client.get(LIST), "Tag disagrees with the evidence (")


def test_a_renamed_persona_shows_in_the_rows_at_once(pm_client, pm, customer_persona):
    # The rows name the personas from those kept until one changes (Persona.kept_in_order).
    triage(make_item(title="Audit export", owner=pm), [customer_persona], by=pm)
    cached(pm_client, '<li class="chip side-customer">IT administrator</li>')
    customer_persona.name = "Security officer"
    customer_persona.save()
    response = pm_client.get(LIST)
    assertContains(response, '<li class="chip side-customer">Security officer</li>')
    assertNotContains(response, "IT administrator")


def test_an_edit_and_a_note_show_in_the_rows_at_once(pm_client, pm, buyer, customer_persona):
    item = make_item(title="Audit export", owner=pm)
    triage(item, [customer_persona], by=pm)
    cached(pm_client, ">Audit export</a>")
    item.title = "Audit log export"
    item.save()
    make_note(buyer, by=pm, items=[item])
    response = pm_client.get(LIST)
    assertContains(response, ">Audit log export</a>")
    assertNotContains(response, ">Audit export</a>")
    assertContains(response, '1 <span class="muted" title="score">')


def test_an_edit_of_items_leaves_the_bulk_menus_kept(pm_client, pm):
    # They show people and products: an item's edit does not read the owners again.
    item = make_item(title="Audit export", owner=pm, product=make_product(name="Expenses"))
    cached(pm_client, "Audit export")
    item.title = "Audit log export"
    item.save()
    with CaptureQueriesContext(connection) as read:
        response = pm_client.get(LIST)
    assertContains(response, ">Audit log export</a>")
    assertContains(response, f'<option value="{pm.pk}">', html=False)
    assert 'SELECT DISTINCT "auth_user"' not in " ".join(q["sql"] for q in read.captured_queries)


def test_between_writes_the_list_makes_a_fixed_number_of_queries(
        pm_client, pm, customer_persona, django_assert_num_queries):
    # session, person, roles, the stamps. The banner, panels, menus, the count and the
    # rows (with their evidence) are kept.
    for items in (3, 30):
        for _ in range(items):
            triage(make_item(owner=pm), [customer_persona], by=pm)
        pm_client.get(LIST)
        with django_assert_num_queries(4):
            pm_client.get(LIST)
