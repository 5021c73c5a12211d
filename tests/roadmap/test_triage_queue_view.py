from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import BeneficiaryClass, QueueVisit, Triage
from tests.factories import (
    make_item,
    make_person,
    make_persona,
    make_personas,
    make_product,
    triage,
)

QUEUE = reverse("roadmap:triage-queue")


def save(client, item, query="", htmx=False, **fields):
    data = {"item": item.pk, "version": item.version, **fields}
    return client.post(QUEUE + query, data, headers={"HX-Request": "true"} if htmx else {})


def test_queue_shows_the_first_untriaged_item_and_how_many_are_left(pm_client, pm,
                                                                    customer_persona):
    triage(make_item(title="Already done"), [customer_persona], by=pm)
    make_item(title="First up")
    make_item(title="Second up")
    response = pm_client.get(QUEUE)
    assertContains(response, "First up")
    assertNotContains(response, "Second up")
    assertNotContains(response, "Already done")
    assertContains(response, "2 untriaged items left.")
    assertContains(response, "Save and next")


def test_queue_can_walk_one_product(pm_client):
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    make_item(title="Expense item", product=make_product(name="Expenses"))
    response = pm_client.get(QUEUE, {"product": "expenses"})
    assertContains(response, "Expense item")
    assertContains(response, "1 untriaged item left in Expenses.")
    assertNotContains(response, "Invoice item")


def test_queue_offers_the_items_products_personas_before_the_shared_ones(pm_client):
    expenses = make_product(name="Expenses")
    make_persona(name="A shared buyer")
    expenses.personas.add(make_persona(name="Travel manager"))
    make_product(name="Invoicing").personas.add(make_persona(name="Billing clerk"))
    make_item(title="Per diem rates", product=expenses)
    text = pm_client.get(QUEUE).content.decode()
    assert text.index("Travel manager") < text.index("A shared buyer")
    assert "Billing clerk" not in text


def test_queue_can_walk_several_products(pm_client, customer_persona):
    expense = make_item(title="Expense item", product=make_product(name="Expenses"))
    make_item(title="Platform item", product=make_product(name="Platform"))
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    query = "?product=expenses&product=invoicing"
    response = pm_client.get(QUEUE + query)
    assertContains(response, "2 untriaged items left in Expenses, Invoicing.")
    response = save(pm_client, expense, query, primary_beneficiaries=[customer_persona.pk])
    assertRedirects(response, f"{QUEUE}{query}&after={expense.pk}",
                    fetch_redirect_response=False)
    response = pm_client.get(response["Location"])
    assertContains(response, "Invoice item")
    assertNotContains(response, "Platform item")


def test_save_moves_on_to_the_next_item(pm_client, customer_persona):
    first, _ = make_item(title="First up"), make_item(title="Second up")
    response = save(pm_client, first, primary_beneficiaries=[customer_persona.pk])
    assertRedirects(response, f"{QUEUE}?after={first.pk}", fetch_redirect_response=False)
    assert Triage.objects.get(item=first).beneficiary_class == BeneficiaryClass.CUSTOMERS
    response = pm_client.get(response["Location"])
    assertContains(response, "Second up")
    assertContains(response, "1 untriaged item left.")


def test_htmx_save_answers_with_the_next_item_in_place(pm_client, customer_persona):
    first, _ = make_item(title="First up"), make_item(title="Second up")
    response = save(pm_client, first, htmx=True, primary_beneficiaries=[customer_persona.pk])
    assert response.status_code == 200
    assertNotContains(response, "<html")
    assertContains(response, "Triage saved: “First up” benefits customers only.")
    assertContains(response, "Second up")
    assertContains(response, "1 untriaged item left.")
    assert response["HX-Push-Url"] == f"{QUEUE}?after={first.pk}"


def test_skip_moves_on_without_saving(pm_client):
    first, _ = make_item(title="First up"), make_item(title="Second up")
    response = pm_client.get(QUEUE, {"after": first.pk})
    assertContains(response, "Second up")
    assertContains(response, "2 untriaged items left.")
    assert not Triage.objects.exists()


def test_end_of_queue_offers_to_start_again_with_skipped_items(pm_client):
    only = make_item(title="Skipped one")
    response = pm_client.get(QUEUE, {"after": only.pk})
    assertContains(response, "You reached the end of the queue. 1 skipped item is still "
                             "untriaged.")
    assertContains(response, "Start again from the first")


def test_empty_queue_says_everything_is_triaged(pm_client):
    assertContains(pm_client.get(QUEUE), "Nothing left to triage here")


def test_invalid_input_re_renders_the_same_item_with_input_kept(pm_client, customer_persona,
                                                                user_persona):
    first, _ = make_item(title="First up"), make_item(title="Second up")
    response = save(pm_client, first, htmx=True,
                    primary_beneficiaries=[customer_persona.pk, user_persona.pk])
    assertContains(response, "Say whose problem it is")
    assertContains(response, "First up")
    assertNotContains(response, "Second up")
    assertContains(response, f'value="{user_persona.pk}" id="id_primary_beneficiaries_'
                             f'{user_persona.pk}" checked')


def test_a_stale_save_in_the_queue_is_refused(pm_client, customer_persona, user_persona):
    item = make_item(title="Contested")
    loaded = item.version
    triage(item, [customer_persona], by=make_person("Product manager"))
    response = pm_client.post(QUEUE, {"item": item.pk, "version": loaded,
                                      "primary_beneficiaries": [user_persona.pk]})
    assertContains(response, "Someone else saved this since you opened it")
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.CUSTOMERS


def test_posting_an_unknown_item_is_404(pm_client):
    assert pm_client.post(QUEUE, {"item": "nope", "version": 1}).status_code == 404
    assert pm_client.post(QUEUE, {"item": 99999, "version": 1}).status_code == 404
    assert pm_client.post(QUEUE, {"item": "²", "version": 1}).status_code == 404
    assert pm_client.post(QUEUE, {"item": "9" * 30, "version": 1}).status_code == 404


def test_a_bad_position_keeps_the_product_filter(pm_client):
    make_item(title="Invoice item", product=make_product(name="Invoicing"))
    make_item(title="Expense item", product=make_product(name="Expenses"))
    response = pm_client.get(QUEUE, {"product": "expenses", "after": "-1"})
    assertContains(response, "Expense item")
    assertContains(response, "1 untriaged item left in Expenses.")


def test_team_lead_gets_403_on_the_queue(lead_client, customer_persona):
    item = make_item()
    assert lead_client.get(QUEUE).status_code == 403
    assert lead_client.get(QUEUE, headers={"HX-Request": "true"}).status_code == 403
    assert save(lead_client, item, htmx=True,
                primary_beneficiaries=[customer_persona.pk]).status_code == 403
    assert not Triage.objects.exists()


def test_queue_query_count_is_fixed(pm_client, pm, django_assert_num_queries):
    make_personas(2)
    make_item()
    QueueVisit.objects.create(pm=pm, last_seen_at=timezone.now() - timedelta(days=1))
    # + the evidence's suggestions: thresholds, sums per side, revenue; the PM's visit (read,
    # update) and the items new since the last one
    with django_assert_num_queries(14) as few:
        pm_client.get(QUEUE)
    make_personas(25, side="user")
    for _ in range(20):
        make_item()
    with django_assert_num_queries(len(few.captured_queries)):
        pm_client.get(QUEUE)


def test_show_question_2_without_javascript_does_not_save(pm_client, customer_persona):
    item = make_item(title="First up")
    response = save(pm_client, item, preview="1", primary_beneficiaries=[customer_persona.pk])
    assert response.status_code == 200
    assertContains(response, "How does this ultimately create value for users?")
    assert not Triage.objects.exists()


def test_roadmap_list_links_the_queue_for_the_product_it_shows(pm_client):
    make_product(name="Expenses")
    response = pm_client.get(reverse("roadmap:item-list"), {"product": "expenses"})
    assertContains(response, f'href="{QUEUE}?product=expenses"')
