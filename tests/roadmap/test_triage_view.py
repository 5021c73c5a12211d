import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import BeneficiaryClass, RoadmapItem, Triage
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_personas,
    make_product,
    triage,
)


def url(item):
    return reverse("roadmap:triage", args=[item.pk])


def post(client, item, *, version=None, htmx=False, **fields):
    data = {"version": item.version if version is None else version, **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(item), data, headers=headers)


# The page


def test_triage_page_lists_active_personas_by_side_with_keys(pm_client, item, customer_persona,
                                                             user_persona):
    make_persona(side="customer", name="Retired buyer", archived=True)
    response = pm_client.get(url(item))
    assertContains(response, "<legend>Customers</legend>", html=True)
    assertContains(response, "<legend>Users</legend>", html=True)
    assertContains(response, "IT administrator")
    assertContains(response, "Field employee")
    assertContains(response, "<kbd>1</kbd>", html=True)
    assertNotContains(response, "Retired buyer")


def test_triage_page_prefills_whose_problem_from_the_requesting_persona(pm_client, user_persona):
    item = make_item(requesting_persona=user_persona, request_quote="Fewer clicks, please.")
    response = pm_client.get(url(item))
    assertContains(response, 'value="user" id="id_whose_problem_1" checked', count=1)
    assertContains(response, "Fewer clicks, please.")


def test_metrics_and_indirect_beneficiaries_have_keys_after_m_and_i(pm_client, item,
                                                                  customer_persona,
                                                                  user_persona):
    make_metric(side="customer", name="Renewal rate")
    make_metric(side="user", name="Daily active users")
    response = post(pm_client, item, preview="1", primary_beneficiaries=[customer_persona.pk])
    # Metrics: m then their key, customers' first; an indirect beneficiary: i then the key
    # that picks the persona under question 1 (Field employee is 2).
    assertContains(response, 'data-key="m1"> <kbd class="key-sequence"><kbd>m</kbd><kbd>1</kbd>'
                             "</kbd> Renewal rate")
    assertContains(response, 'data-key="m2"> <kbd class="key-sequence"><kbd>m</kbd><kbd>2</kbd>'
                             "</kbd> Daily active users")
    assertContains(response, 'data-key="i2"> <kbd class="key-sequence"><kbd>i</kbd><kbd>2</kbd>'
                             '</kbd> <span class="pick-name">Field employee</span>')


def test_persona_keys_leave_out_the_keys_of_other_things(pm_client, item):
    make_personas(16)
    keys = re.findall(r'name="primary_beneficiaries" [^>]*data-key="(\w)"',
                      pm_client.get(url(item)).content.decode())
    assert keys == list("1234567890bdefgh")
    assert not {"a", "c", "i", "m", "s", "u"} & set(keys)


def test_archived_requesting_persona_is_named_on_the_form(pm_client):
    requester = make_persona(side="user", name="Night-shift nurse", archived=True)
    item = make_item(requesting_persona=requester, request_quote="Dark mode, please.")
    response = pm_client.get(url(item))
    assertContains(response, "Night-shift nurse, who asked for this, is archived")
    assertContains(response, "The answer may still be right")
    # Still the requester's side: the problem did not change.
    assertContains(response, 'value="user" id="id_whose_problem_1" checked')


def test_an_active_requesting_persona_gets_no_archived_note(pm_client, user_persona):
    item = make_item(requesting_persona=user_persona)
    assertNotContains(pm_client.get(url(item)), "who asked for this, is archived")


def test_retriage_shows_the_current_answer(pm_client, pm, item, customer_persona, user_persona):
    triage(item, [customer_persona], by=pm, value="Renewal keeps access.",
           indirect=[user_persona])
    response = pm_client.get(url(item))
    assertContains(response, f'value="{customer_persona.pk}" id="id_primary_beneficiaries_'
                             f'{customer_persona.pk}" checked')
    assertContains(response, "Renewal keeps access.</textarea>")
    assertContains(response, "Customers only")


def test_an_archived_persona_the_answer_names_is_shown_marked_archived(pm_client, pm, item):
    old = make_persona(name="Retired buyer")
    triage(item, [old], by=pm)
    old.archived = True
    old.save()
    response = pm_client.get(url(item))
    assertContains(response, "Retired buyer")
    assertContains(response, '<span class="archived">(archived)</span>', html=True)


def test_unknown_item_is_404(pm_client):
    assert pm_client.get("/roadmap/items/999999/triage/").status_code == 404


# Saving


def test_saving_a_both_sided_answer_redirects_to_the_item(pm_client, pm, item, customer_persona,
                                                          user_persona):
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk, user_persona.pk],
                    whose_problem="customer")
    assertRedirects(response, item.get_absolute_url(), fetch_redirect_response=False)
    answer = Triage.objects.get(item=item)
    assert answer.beneficiary_class == BeneficiaryClass.BOTH
    assert answer.triaged_by == pm
    item.refresh_from_db()
    assert item.version == 2


def test_saving_returns_to_where_the_pm_came_from(pm_client, item, customer_persona):
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    next="/roadmap/?horizon=now#item-1")
    assertRedirects(response, "/roadmap/?horizon=now#item-1", fetch_redirect_response=False)


def test_a_next_on_another_site_is_ignored(pm_client, item, customer_persona):
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    next="https://evil.example.com/")
    assertRedirects(response, item.get_absolute_url(), fetch_redirect_response=False)


def test_one_sided_answer_saves_question_2(pm_client, item, customer_persona, user_persona):
    renewal = make_metric(side="customer", name="Renewal rate")
    adoption = make_metric(side="user", name="Feature adoption")
    post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
         value_for_other_side="  Renewal keeps access.  ", indirect_beneficiaries=[user_persona.pk],
         metrics=[renewal.pk], other_side_metrics=[adoption.pk])
    answer = Triage.objects.get(item=item)
    assert answer.beneficiary_class == BeneficiaryClass.CUSTOMERS
    assert answer.whose_problem == "customer"
    assert answer.value_for_other_side == "Renewal keeps access."
    assert list(answer.indirect_beneficiaries.all()) == [user_persona]
    assert set(answer.metrics.all()) == {renewal, adoption}


def test_one_sided_answer_without_value_is_saved_and_flagged(pm_client, item, user_persona):
    post(pm_client, item, primary_beneficiaries=[user_persona.pk])
    assert Triage.objects.get(item=item).lacks_other_side_value


def test_clearing_all_personas_returns_the_item_to_untriaged(pm_client, pm, item,
                                                             customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    response = post(pm_client, item, whose_problem="customer")
    assert response.status_code == 302
    assert RoadmapItem.objects.untriaged().filter(pk=item.pk).exists()


def test_htmx_save_sends_the_browser_back(pm_client, item, customer_persona):
    response = post(pm_client, item, htmx=True, primary_beneficiaries=[customer_persona.pk],
                    next="/roadmap/")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/roadmap/"
    assert Triage.objects.filter(item=item).exists()


# Bad input


def test_a_both_sided_pick_needs_whose_problem(pm_client, item, customer_persona, user_persona):
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk, user_persona.pk])
    assertContains(response, "Say whose problem it is")
    assert not Triage.objects.exists()


def test_personas_who_pay_and_use_have_a_fieldset_and_keys_after_the_users(
        pm_client, item, customer_persona, user_persona):
    assertNotContains(pm_client.get(url(item)), "Pays and uses")
    owner = make_persona(side="both", name="Small-business owner")
    response = pm_client.get(url(item))
    assertContains(response, "<legend>Pays and uses</legend>", html=True)
    assertContains(response, f'value="{owner.pk}" id="id_primary_beneficiaries_{owner.pk}" '
                             'data-key="3" data-side="both"')


def test_a_persona_who_pays_and_uses_alone_is_both_sided(pm_client, item):
    owner = make_persona(side="both", name="Small-business owner")
    response = post(pm_client, item, preview="1", primary_beneficiaries=[owner.pk])
    assertContains(response, '<span class="badge class-both">Both</span>', html=True)
    assertNotContains(response, "How does this ultimately create value")
    assertContains(post(pm_client, item, primary_beneficiaries=[owner.pk]),
                   "Say whose problem it is")
    post(pm_client, item, primary_beneficiaries=[owner.pk], whose_problem="user")
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.BOTH


def test_a_requesting_persona_who_pays_and_uses_fills_in_no_whose_problem(pm_client):
    owner = make_persona(side="both", name="Small-business owner")
    response = pm_client.get(url(make_item(requesting_persona=owner)))
    assertNotContains(response, " checked data-key=\"c\"")
    assertNotContains(response, 'id="id_whose_problem_0" checked')
    assertNotContains(response, 'id="id_whose_problem_1" checked')


def test_the_items_products_personas_come_first_then_the_shared_ones(pm_client):
    expenses, invoicing = make_product(name="Expenses"), make_product(name="Invoicing")
    make_persona(name="A shared buyer", order=0)
    expenses.personas.add(make_persona(name="Travel manager", order=5))
    invoicing.personas.add(make_persona(name="Billing clerk"))
    make_persona(side="user", name="A shared employee")
    expenses.personas.add(make_persona(side="user", name="Field employee", order=9))
    response = pm_client.get(url(make_item(product=expenses)))
    text = response.content.decode()
    keys = re.findall(r'data-key="(\w)" data-side="\w+">\s*<kbd>\w</kbd>\s*'
                      r'<span class="pick-name">([^<]+)</span>', text)
    assert keys == [("1", "Travel manager"), ("2", "A shared buyer"),
                    ("3", "Field employee"), ("4", "A shared employee")]
    assertNotContains(response, "Billing clerk")


def test_a_persona_of_another_product_is_refused_by_name(pm_client, item):
    clerk = make_persona(name="Billing clerk")
    make_product(name="Invoicing").personas.add(clerk)
    response = post(pm_client, item, primary_beneficiaries=[clerk.pk])
    assertContains(response, "Billing clerk belongs to other products than this item&#x27;s.")
    assert not Triage.objects.exists()


def test_an_answer_keeps_a_persona_its_product_no_longer_has(pm_client, pm, item):
    clerk = make_persona(name="Billing clerk")
    triage(item, [clerk], by=pm)
    make_product(name="Invoicing").personas.add(clerk)
    assertContains(pm_client.get(url(item)), "Billing clerk")


def test_archived_persona_cannot_be_picked(pm_client, item):
    old = make_persona(name="Retired buyer", archived=True)
    response = post(pm_client, item, primary_beneficiaries=[old.pk])
    assertContains(response, "Retired buyer is archived and cannot be picked any more.")
    assert not Triage.objects.exists()


def test_indirect_beneficiary_must_be_on_the_other_side(pm_client, item, customer_persona):
    other = make_persona(side="customer", name="Economic buyer")
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    value_for_other_side="Kept typing this.", indirect_beneficiaries=[other.pk])
    assertContains(response, "Indirect beneficiaries must be on the other side")
    assertContains(response, "Kept typing this.</textarea>")
    assert not Triage.objects.exists()


def test_metric_must_belong_to_the_side_it_is_chosen_for(pm_client, item, customer_persona):
    adoption = make_metric(side="user", name="Feature adoption")
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    metrics=[adoption.pk])
    assertContains(response, "These metrics are the other side&#x27;s")
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    other_side_metrics=[make_metric(side="customer").pk])
    assertContains(response, "These metrics are on the side the item benefits")
    assert not Triage.objects.exists()


def test_too_long_an_answer_is_refused_and_kept(pm_client, item, customer_persona):
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    value_for_other_side="x" * 1001)
    assertContains(response, "Ensure this value has at most 1000 characters")
    assertContains(response, "x" * 1001)
    assert not Triage.objects.exists()


@pytest.mark.parametrize("nonsense", ["abc", "99999", "²", "9" * 20])
@pytest.mark.parametrize("field", ["primary_beneficiaries", "indirect_beneficiaries", "metrics",
                                   "other_side_metrics"])
def test_nonsense_ids_are_a_message_not_a_500(pm_client, item, customer_persona, field,
                                              nonsense):
    picks = {"primary_beneficiaries": [customer_persona.pk], field: [nonsense]}
    response = post(pm_client, item, **picks)
    assert response.status_code == 200
    assertContains(response, "one of your picks no longer exists")
    assert not Triage.objects.exists()


def test_htmx_error_returns_the_form_fragment(pm_client, item, customer_persona, user_persona):
    response = post(pm_client, item, htmx=True,
                    primary_beneficiaries=[customer_persona.pk, user_persona.pk])
    assert response.status_code == 200
    assertContains(response, 'id="triage-form"')
    assertNotContains(response, "<html")


# Concurrent edits


def test_a_stale_save_is_refused_with_what_changed_and_input_kept(pm_client, item,
                                                                  customer_persona, user_persona):
    loaded_version = item.version
    other_pm = make_person("Product manager", first_name="Marco", last_name="Rossi")
    triage(item, [customer_persona], by=other_pm, value="Their answer.")
    response = post(pm_client, item, version=loaded_version,
                    primary_beneficiaries=[user_persona.pk], value_for_other_side="Mine.")
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, "Saved by Marco Rossi")
    assertContains(response, "<td>Their answer.</td><td>Mine.</td>", html=True)
    assertContains(response, "Mine.</textarea>")
    answer = Triage.objects.get(item=item)
    assert answer.value_for_other_side == "Their answer."
    item.refresh_from_db()
    assertContains(response, f'name="version" value="{item.version}"')


def test_saving_again_after_a_refusal_replaces_the_answer(pm_client, item, customer_persona,
                                                          user_persona):
    other_pm = make_person("Product manager")
    triage(item, [customer_persona], by=other_pm)
    item.refresh_from_db()
    post(pm_client, item, primary_beneficiaries=[user_persona.pk])
    assert Triage.objects.get(item=item).beneficiary_class == BeneficiaryClass.USERS


# The live preview


def test_preview_shows_the_class_and_question_2_without_saving(pm_client, item, customer_persona):
    response = post(pm_client, item, htmx=True, preview="1",
                    primary_beneficiaries=[customer_persona.pk], value_for_other_side="Draft")
    assertContains(response, '<span class="badge class-customers">Customers only</span>',
                   html=True)
    assertContains(response, "How does this ultimately create value for users?")
    assertContains(response, "Draft</textarea>")
    assertContains(response, 'hx-swap-oob="true"')
    assertNotContains(response, "<html")
    assert not Triage.objects.exists()
    item.refresh_from_db()
    assert item.version == 1


def test_preview_of_a_both_sided_pick_has_no_question_2(pm_client, item, customer_persona,
                                                        user_persona):
    response = post(pm_client, item, htmx=True, preview="1", value_for_other_side="Kept",
                    primary_beneficiaries=[customer_persona.pk, user_persona.pk])
    assertContains(response, "Both")
    assertNotContains(response, "How does this ultimately create value")
    assertContains(response, '<input type="hidden" name="value_for_other_side" value="Kept">',
                   html=True)


def test_preview_fills_in_whose_problem_from_one_sided_picks(pm_client, item, user_persona):
    response = post(pm_client, item, preview="1", primary_beneficiaries=[user_persona.pk])
    assertContains(response, 'value="user" id="id_whose_problem_1" checked')
    assertContains(response, 'name="whose_problem_prefilled" value="user"')


def test_a_filled_in_whose_problem_follows_the_picks_to_the_other_side(pm_client, item,
                                                                      customer_persona):
    response = post(pm_client, item, preview="1", primary_beneficiaries=[customer_persona.pk],
                    whose_problem="user", whose_problem_prefilled="user")
    assertContains(response, 'value="customer" id="id_whose_problem_0" checked')


def test_a_filled_in_whose_problem_stays_when_the_picks_reach_both_sides(pm_client, item,
                                                                        customer_persona,
                                                                        user_persona):
    response = post(pm_client, item, preview="1", whose_problem="user",
                    whose_problem_prefilled="user",
                    primary_beneficiaries=[user_persona.pk, customer_persona.pk])
    assertContains(response, 'value="user" id="id_whose_problem_1" checked')
    post(pm_client, item, whose_problem="user", whose_problem_prefilled="user",
         primary_beneficiaries=[user_persona.pk, customer_persona.pk])
    assert Triage.objects.get(item=item).whose_problem == "user"


def test_whose_problem_the_pm_chose_does_not_follow_the_picks(pm_client, item, customer_persona):
    response = post(pm_client, item, preview="1", primary_beneficiaries=[customer_persona.pk],
                    whose_problem="user", whose_problem_prefilled="")
    assertContains(response, 'value="user" id="id_whose_problem_1" checked')
    post(pm_client, item, primary_beneficiaries=[customer_persona.pk], whose_problem="user")
    assert Triage.objects.get(item=item).whose_problem == "user"


def test_a_save_with_a_filled_in_whose_problem_takes_the_side_of_one_sided_picks(
        pm_client, item, customer_persona):
    # Filled in as user by earlier picks; the picks are now customers only.
    post(pm_client, item, primary_beneficiaries=[customer_persona.pk], whose_problem="user",
         whose_problem_prefilled="user")
    assert Triage.objects.get(item=item).whose_problem == "customer"


def test_preview_without_javascript_shows_the_whole_page(pm_client, item, user_persona):
    response = post(pm_client, item, preview="1", primary_beneficiaries=[user_persona.pk])
    assertContains(response, "<html")
    assertContains(response, "How does this ultimately create value for customers?")
    assert not Triage.objects.exists()


# Permissions


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_team_lead_gets_403_on_every_triage_branch(lead_client, item, customer_persona, headers):
    assert lead_client.get(url(item), headers=headers).status_code == 403
    for extra in ({}, {"preview": "1"}):
        data = {"version": 1, "primary_beneficiaries": [customer_persona.pk], **extra}
        assert lead_client.post(url(item), data, headers=headers).status_code == 403
    assert not Triage.objects.exists()


def test_admin_may_triage(admin_client, item, customer_persona):
    post(admin_client, item, primary_beneficiaries=[customer_persona.pk])
    assert Triage.objects.filter(item=item).exists()


# Query budgets


def test_triage_page_query_count_is_fixed(pm_client, pm, item, django_assert_num_queries):
    def answer_with(count):
        customers = make_personas(count)
        users = make_personas(count, side="user")
        metrics = [make_metric(side="user") for _ in range(count)]
        item.refresh_from_db()
        triage(item, customers, by=pm, indirect=users, metrics=[*metrics])

    answer_with(2)
    # The item, the personas and metrics offered (marked with the answer's picks: none of
    # their own), + the evidence's suggestions: thresholds, sums per side, revenue.
    with django_assert_num_queries(9) as few:
        pm_client.get(url(item))
    answer_with(20)
    with django_assert_num_queries(len(few.captured_queries)):
        pm_client.get(url(item))


def test_triage_save_query_count_is_fixed(pm_client, item, django_assert_num_queries):
    def save(personas):
        item.refresh_from_db()
        post(pm_client, item, primary_beneficiaries=[p.pk for p in personas])

    save(make_personas(2))
    few_personas, many = make_personas(2), make_personas(25)
    # 27 includes the session's update (a savepoint around it here) for the saved message.
    with django_assert_num_queries(26) as few:
        save(few_personas)
    with django_assert_num_queries(len(few.captured_queries)):
        save(many)


def test_a_missing_version_is_a_message_not_a_silent_failure(pm_client, item, customer_persona):
    response = pm_client.post(url(item), {"primary_beneficiaries": [customer_persona.pk]})
    assertContains(response, "This form is incomplete or out of date")
    assert not Triage.objects.exists()


def test_a_refusal_names_whoever_saved_last_even_an_edit_of_the_details(pm_client, pm, item,
                                                                        customer_persona):
    triage(item, [customer_persona], by=pm)
    item.refresh_from_db()
    loaded_version = item.version
    item.title = "Renamed by Marco"
    item.save_edit(expected_version=loaded_version, edited_by=make_person(
        "Product manager", first_name="Marco", last_name="Rossi"))
    response = post(pm_client, item, version=loaded_version,
                    primary_beneficiaries=[customer_persona.pk])
    assertContains(response, "Saved by Marco Rossi")
    assertContains(response, "The saved version now matches yours.")


def test_archived_metric_cannot_be_picked(pm_client, item, customer_persona):
    old = make_metric(name="Seats sold", archived=True)
    response = post(pm_client, item, primary_beneficiaries=[customer_persona.pk],
                    metrics=[old.pk])
    assertContains(response, "Seats sold is archived and cannot be picked any more.")
    assert not Triage.objects.exists()
