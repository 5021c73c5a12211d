import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from roadmap.views import ITEMS_PER_PAGE
from tests.factories import make_item, make_personas, make_product, triage

URL = reverse("roadmap:item-list")


def test_list_shows_each_item_with_its_class_badge(pm_client, pm, customer_persona, user_persona):
    both = make_item(title="Audit log with search")
    triage(both, [customer_persona, user_persona], by=pm)
    make_item(title="Dark mode")
    response = pm_client.get(URL)
    assertContains(response, "Audit log with search")
    assertContains(response, '<span class="badge class-both">Both</span>', html=True)
    assertContains(response, '<span class="badge untriaged">Untriaged</span>', html=True)


def test_one_sided_item_without_value_shows_a_warning(pm_client, pm, customer_persona):
    triage(make_item(), [customer_persona], by=pm)
    assertContains(pm_client.get(URL), "No value stated for the other side")


@pytest.mark.parametrize("query, shown, hidden", [
    ({"status": "planned"}, "Planned item", "Idea item"),
    ({"horizon": "now"}, "Planned item", "Idea item"),
    ({"beneficiary_class": "untriaged"}, "Idea item", "Planned item"),
    ({"beneficiary_class": "customers"}, "Planned item", "Idea item"),
])
def test_filters_narrow_the_list(pm_client, pm, customer_persona, query, shown, hidden):
    planned = make_item(title="Planned item", status="planned", horizon="now")
    triage(planned, [customer_persona], by=pm)
    make_item(title="Idea item", status="idea", horizon="later")
    response = pm_client.get(URL, query)
    assertContains(response, shown)
    assertNotContains(response, hidden)


def test_product_filter_uses_the_product_slug(pm_client):
    make_item(title="Expense item", product=make_product(name="Expenses"))
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    response = pm_client.get(URL, {"product": "expenses"})
    assertContains(response, "Expense item")
    assertNotContains(response, "Invoice item")


def test_several_products_repeat_the_filter_in_the_url(pm_client):
    make_item(title="Expense item", product=make_product(name="Expenses"))
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    make_item(title="Platform item", product=make_product(name="Platform"))
    response = pm_client.get(f"{URL}?product=expenses&product=invoicing")
    assertContains(response, "Expense item")
    assertContains(response, "Invoice item")
    assertNotContains(response, "Platform item")
    assertContains(response, '<option value="expenses" selected>Expenses</option>', html=True)
    assertContains(response, '<option value="invoicing" selected>Invoicing</option>', html=True)


def test_all_but_the_demo_leaves_out_the_products_seed_demo_made(pm_client, pm):
    make_item(title="Demo item", product=make_product(name="Expenses"))  # a demo name, seeded
    acme = make_product(name="Acme")
    make_item(title="Our item", product=acme)
    response = pm_client.get(URL, {"product": "-demo"})
    assertContains(response, "Our item")
    assertNotContains(response, "Demo item")
    assertContains(response, '<option value="-demo" selected>All but the demo</option>',
                   html=True)


def test_an_unknown_product_among_several_is_an_error_and_all_items_show(pm_client):
    make_item(title="Expense item", product=make_product(name="Expenses"))
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    response = pm_client.get(f"{URL}?product=expenses&product=gone")
    assert response.status_code == 200
    assertContains(response, "Select a valid choice. gone is not one of the available choices.")
    assertContains(response, "Invoice item")


def test_the_queue_link_walks_the_products_the_list_shows(pm_client):
    make_product(name="Expenses"), make_product(name="Invoicing")
    response = pm_client.get(f"{URL}?product=expenses&product=invoicing")
    assertContains(response, 'href="/roadmap/triage/?product=expenses&amp;product=invoicing"')


def test_unknown_filter_value_shows_an_error_and_all_items(pm_client):
    make_item(title="Still listed")
    response = pm_client.get(URL, {"status": "someday"})
    assert response.status_code == 200
    assertContains(response, "Select a valid choice")
    assertContains(response, "Still listed")


def test_an_invalid_filter_leaves_the_valid_ones_applied(pm_client):
    make_item(title="Expense item", product=make_product(name="Expenses"))
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    response = pm_client.get(URL, {"product": "expenses", "beneficiary_class": "zzz"})
    assertContains(response, "Select a valid choice")
    assertContains(response, "Expense item")
    assertNotContains(response, "Invoice item")


def test_list_paginates_and_keeps_filters_in_page_links(pm_client):
    product = make_product(name="Big")
    for n in range(ITEMS_PER_PAGE + 5):
        make_item(title=f"Item {n:03}", product=product, status="idea")
    response = pm_client.get(URL, {"status": "idea"})
    assertContains(response, f"{ITEMS_PER_PAGE + 5} items")
    assertContains(response, "Page 1 of 2")
    assertContains(response, 'href="?status=idea&amp;page=2"')
    second = pm_client.get(URL, {"status": "idea", "page": 2})
    assertContains(second, "Item 054")
    assertNotContains(second, "Item 000")


def test_htmx_filter_returns_only_the_results_fragment(pm_client):
    make_item(title="Fragment item")
    response = pm_client.get(URL, headers={"HX-Request": "true"})
    assertContains(response, "Fragment item")
    assertNotContains(response, "<html")
    assertContains(response, 'id="item-results"')


def test_htmx_history_restore_gets_the_full_page(pm_client):
    response = pm_client.get(
        URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assertContains(response, "<html")


def test_list_query_count_is_fixed_whatever_the_size(
    pm_client, pm, django_assert_num_queries
):
    customers = make_personas(10, side="customer")
    users = make_personas(10, side="user")
    for n in range(3):
        product = make_product()
        for m in range(20):
            item = make_item(product=product, owner=pm)
            if m % 2:
                triage(item, [customers[m % 10], users[(m + n) % 10]], by=pm)
    # session, person, roles, count, products for the filter,
    # the page of items (with product, owner, triage, review, the personas' ids), the
    # personas (kept between writes: tests/roadmap/test_item_list_freshness.py),
    # the signed-in PM's challenged items; evidence: thresholds, sums per side, revenue;
    # the bulk edit's owners and products; the current quarter's targets and its mix (the
    # banner); outcomes: the PM's items asking "did it move?"
    with django_assert_num_queries(16):
        response = pm_client.get(URL)
    assert response.status_code == 200
    # Several products and all but the demo: one more query checks the picks, as for one.
    with django_assert_num_queries(17):
        pm_client.get(f"{URL}?product=product-0&product=product-1&product=-demo")


def test_one_products_items_come_in_the_same_order_as_unfiltered(pm_client):
    """Filtered by one product the list sorts by title and id (its index), which must be
    the order of the whole list by product name, title and id."""
    expenses, invoicing = make_product(name="Expenses"), make_product(name="Invoicing")
    for title in ["Receipts", "approvals", "Audit", "Receipts"]:
        make_item(product=expenses, title=title)
        make_item(product=invoicing, title=title)
    everything = [item.pk for item in pm_client.get(URL).context["page"].object_list]
    one = [item.pk for item in
           pm_client.get(URL, {"product": "expenses"}).context["page"].object_list]
    assert one == [pk for pk in everything if pk in set(one)]
    assert len(one) == 4
