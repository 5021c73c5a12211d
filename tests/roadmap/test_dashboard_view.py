import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from roadmap.models import ReviewThresholds, RoadmapItem, Triage
from tests.factories import (
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_personas,
    make_product,
    review_item,
    triage,
)

URL = reverse("roadmap:dashboard")


@pytest.fixture
def roadmap(db, pm):
    """A small roadmap whose numbers are easy to check by hand."""
    platform, expenses = make_product(name="Platform"), make_product(name="Expenses")
    buyer = make_persona(side="customer", name="Economic buyer")
    make_persona(side="customer", name="Compliance officer")  # nothing names it
    employee = make_persona(side="user", name="Field employee")
    accountant = make_persona(side="user", name="Accountant")
    revenue = make_metric(side="customer", name="Revenue")
    make_metric(side="user", name="Daily active users")
    pm2 = make_person("Product manager", username="pm2", first_name="Marco")
    items = {
        "sso": make_item(title="SSO", product=platform, horizon="now", status="planned",
                         effort=5, owner=pm),
        "audit": make_item(title="Audit log", product=platform, horizon="now",
                           status="planned", effort=3, owner=pm),
        "bulk": make_item(title="Bulk edit", product=expenses, horizon="next", effort=2,
                          owner=pm2),
        "dark": make_item(title="Dark mode", product=expenses, horizon="later", owner=pm2),
        "shipped": make_item(title="Old export", product=expenses, horizon="now",
                             status="shipped", owner=pm),
        "new": make_item(title="Untriaged idea", product=platform, horizon="next", effort=8),
    }
    triage(items["sso"], [buyer], by=pm, metrics=[revenue])
    triage(items["audit"], [buyer], by=pm, value="Auditors stop asking people for exports.")
    triage(items["bulk"], [buyer, employee], by=pm2, metrics=[revenue])
    triage(items["dark"], [accountant], by=pm2, value="Happier staff renew.", indirect=[buyer])
    triage(items["shipped"], [buyer], by=pm)
    return items


def test_mix_counts_open_items_per_class_horizon_and_product(lead_client, roadmap):
    balance = lead_client.get(URL).context["balance"]
    assert balance.overall.items == {"customers": 2, "users": 1, "both": 1, "untriaged": 1}
    assert balance.overall.effort == {"customers": 8, "users": 0, "both": 2, "untriaged": 8}
    assert {m.label: m.total for m in balance.per_horizon} == {"Now": 2, "Next": 2, "Later": 1}
    assert {m.label: m.items["customers"] for m in balance.per_product} == {
        "Expenses": 0, "Platform": 2}


def test_mix_is_drawn_with_the_numbers_beside_it(lead_client, roadmap):
    response = lead_client.get(URL)
    assertContains(response, '<svg class="bar"', count=1 + 3 + 2)
    assertContains(response, "<title>Customers only: 2 items</title>")
    assertContains(response, '<td class="num" data-label="Total"><strong>5</strong>'
                             '<span class="effort-num">18 pts</span></td>', html=True)


def test_bars_keep_a_decimal_point_in_a_locale_with_a_comma(lead_client, roadmap):
    with translation.override("de"), override_settings(USE_THOUSAND_SEPARATOR=True):
        response = lead_client.get(URL)
    # Customers only: 2 of 5 open items, drawn 40 units wide on a 100-unit bar.
    assertContains(response, 'x="0.0" y="0" width="40.0" height="10"')


def test_buyers_trap_warns_with_the_numbers_behind_it(lead_client, roadmap):
    response = lead_client.get(URL)
    assertContains(response, "Building only for buyers")
    assertContains(response, "<strong>2 of 3</strong> triaged items in the now and next "
                             "horizons (67%) are customers only; the threshold is 50%.")
    assertNotContains(response, "Building only for users")


def test_thresholds_set_by_an_admin_change_the_warning(lead_client, roadmap):
    ReviewThresholds.objects.update_or_create(pk=1, defaults={"customers_only_share": 70})
    assertNotContains(lead_client.get(URL), "Building only for buyers")
    ReviewThresholds.objects.filter(pk=1).update(scope="now", customers_only_share=90)
    # The now horizon alone: both triaged items are customers only.
    assertContains(lead_client.get(URL), "(100%) are customers only; the threshold is 90%")


def test_a_share_just_over_the_threshold_never_reads_as_equal_to_it(lead_client, pm, db):
    ReviewThresholds.objects.update_or_create(pk=1, defaults={"customers_only_share": 33})
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    triage(make_item(horizon="now"), [buyer], by=pm, value="Renewals.")
    triage(make_item(horizon="now"), [buyer, employee], by=pm)
    triage(make_item(horizon="now"), [buyer, employee], by=pm)
    assertContains(lead_client.get(URL), "(33.3%) are customers only; the threshold is 33%.")


def test_reach_of_an_empty_selection_is_empty(db):
    assert RoadmapItem.objects.none().reach() == []


def test_reach_counts_per_horizon_and_says_whether_the_product_plans_in_horizons(pm, db):
    buyer = make_persona()
    triage(make_item(horizon="now"), [buyer], by=pm)
    triage(make_item(horizon="later", product=make_product(uses_horizons=False)), [buyer],
           by=pm)
    assert sorted((r.relation, r.target_id, r.horizon, bool(r.uses_horizons), r.items)
                  for r in RoadmapItem.objects.reach()) == [
        ("primary", buyer.pk, "later", False, 1), ("primary", buyer.pk, "now", True, 1)]


def test_the_traps_say_what_they_leave_out_and_why(lead_client, roadmap):
    response = lead_client.get(URL)
    # Dark mode is in later; the untriaged idea is in next but has no class to count.
    assertContains(response, "Counted: the triaged items in the now and next horizons. "
                             "1 item in later and 1 untriaged item are not counted.")
    assertContains(response, '<a class="no-print" href="/roadmap/review/?count=all">'
                             'Count all horizons</a>', html=True)


def test_one_click_counts_every_horizon_in_the_traps_and_flags(lead_client, roadmap):
    response = lead_client.get(URL, {"count": "all"})
    # SSO and Audit log of four triaged items: 50%, not above the threshold.
    assertContains(response, "Neither trap: in every horizon, 2 of 4 triaged items are "
                             "customers only")
    assertContains(response, "Counted: the triaged items in every horizon. 1 untriaged item "
                             "is not counted.")
    flagged = {r.persona.name for r in response.context["balance"].neglected_personas}
    assert flagged == {"Compliance officer"}  # Dark mode, in later, names the accountant
    assertContains(response, '<a class="no-print" href="/roadmap/review/">'
                             'Count only the near horizons</a>', html=True)
    assertContains(response, '<input type="hidden" name="count" value="all" id="id_count">',
                   html=True)  # the filter form keeps the switch


def test_the_switch_keeps_the_other_filters(lead_client, roadmap):
    response = lead_client.get(URL, {"owner": "pm2"})
    assertContains(response, 'href="/roadmap/review/?owner=pm2&amp;count=all"')


def test_the_persona_flags_say_what_they_leave_out(lead_client, roadmap):
    response = lead_client.get(URL)
    assertContains(response, "Flagged: no now or next item names it. 1 item in later is not "
                             "counted for the flag. 1 untriaged item is not counted: it names "
                             "no persona yet.")
    assertContains(response, "The success metrics the items shown expect to move. 1 untriaged "
                             "item is not counted: it names no metric yet.")


def test_a_product_planned_without_horizons_counts_its_later_items(lead_client, pm, db):
    product = make_product(name="Cal", uses_horizons=False)
    buyer, employee = make_persona(side="customer"), make_persona(side="user", name="Booker")
    triage(make_item(product=product, horizon="later"), [buyer], by=pm)
    triage(make_item(product=product, horizon="later"), [buyer], by=pm)
    triage(make_item(horizon="later"), [employee], by=pm)  # a product with horizons
    response = lead_client.get(URL)
    assertContains(response, "<strong>2 of 2</strong> triaged items in the now and next "
                             "horizons (100%) are customers only")
    assertContains(response, "Every item of Cal counts: planned without horizons. 1 item in "
                             "later is not counted.")
    flagged = {r.persona.name for r in response.context["balance"].neglected_personas}
    assert flagged == {"Booker"}


def test_nothing_left_out_offers_no_switch(lead_client, pm, db):
    triage(make_item(horizon="now"), [make_persona()], by=pm)
    response = lead_client.get(URL)
    assertNotContains(response, "not counted")
    assertNotContains(response, "Count all horizons")


def test_users_trap_warns_when_users_only_work_dominates(lead_client, pm, db):
    employee = make_persona(side="user")
    for _ in range(3):
        triage(make_item(horizon="now"), [employee], by=pm)
    assertContains(lead_client.get(URL), "Building only for users")


def test_one_sided_items_without_value_are_listed_with_their_owner(lead_client, roadmap):
    response = lead_client.get(URL)
    assert [item.title for item in response.context["one_sided"]] == ["SSO"]
    assertContains(response, "Owner: Priya Menon")


def test_the_one_sided_list_shows_the_first_ten_by_product_then_title(lead_client, pm):
    buyer = make_persona(side="customer")
    zeta, alpha, beta = (make_product(name=name) for name in ["Zeta", "Alpha", "Beta"])
    titles = {}
    for product, count in [(zeta, 4), (beta, 12), (alpha, 3)]:  # created out of name order
        for n in range(count):
            title = f"{product.name} {chr(ord('z') - n)}"  # created out of title order
            item = make_item(title=title, product=product, horizon=["now", "next"][n % 2])
            triage(item, [buyer], by=pm)
            titles.setdefault(product.name, []).append(title)
        stated = make_item(title=f"{product.name} a", product=product)  # states its value
        triage(stated, [buyer], by=pm, value="It keeps the renewal.")
    first = sorted(titles["Alpha"]) + sorted(titles["Beta"])[:7]
    response = lead_client.get(URL)
    assert [item.title for item in response.context["one_sided"]] == first
    assert response.context["one_sided_count"] == 19
    response = lead_client.get(URL, {"horizon": "next"})
    assert [item.title for item in response.context["one_sided"]] == (
        sorted(titles["Alpha"][1::2]) + sorted(titles["Beta"][1::2]) + sorted(
            titles["Zeta"][1::2])[:3])
    response = lead_client.get(URL, {"status": "shipped"})
    assert list(response.context["one_sided"]) == []


def test_the_value_map_dots_the_largest_items_of_each_cell(lead_client, pm):
    buyer = make_persona(side="customer")
    efforts = [None, *range(1, 14), 2]  # 15 items in one cell, two of effort 2
    items = [make_item(effort=effort) for effort in efforts]
    few = [make_item(effort=effort) for effort in [None, 2]]
    for item in items + few:
        triage(item, [buyer], by=pm)
    Triage.objects.filter(item__in=items).update(customer_value=3, user_value=0)
    Triage.objects.filter(item__in=few).update(customer_value=1, user_value=2)
    cells = {(cell.customer_value, cell.user_value): cell
             for cell in lead_client.get(URL).context["value_map"].cells}
    # Effort descending, the unestimated last, ties by age: 13 down to 3, then the older 2.
    largest = sorted(items[1:], key=lambda item: (-item.effort, item.pk))[:12]
    assert {dot.item_id for dot in cells[(3, 0)].dots} == {item.pk for item in largest}
    assert cells[(3, 0)].items == 15 and cells[(3, 0)].more == 3
    assert {dot.item_id for dot in cells[(1, 2)].dots} == {item.pk for item in few}
    assert not cells[(0, 0)].dots


def test_a_dot_names_its_item_escaped_and_follows_an_edit(lead_client, pm):
    item = make_item(title='Ship "fast" <now> & then', effort=None)
    triage(item, [make_persona(side="customer")], by=pm)
    Triage.objects.filter(item=item).update(customer_value=2, user_value=1)
    link = f'<a href="{item.get_absolute_url()}"'
    title = "Ship &quot;fast&quot; &lt;now&gt; &amp; then"
    response = lead_client.get(URL)
    assertContains(response, f'{link} aria-label="{title}: customer value 2, user value 1">'
                             f'<circle class="dot" cx="116" cy="118" r="3.5"><title>'
                             f'{title}</title></circle></a>', html=False)
    assertContains(response, f"{link}>{title}</a>", html=False)  # the table's largest items
    RoadmapItem.objects.filter(pk=item.pk).update(title="Renamed", effort=4)
    response = lead_client.get(URL)
    assertContains(response, f'{link} aria-label="Renamed: customer value 2, user value 1, '
                             '4 points"><circle class="dot" cx="116" cy="118" r="6.5">'
                             "<title>Renamed (4 points)</title></circle></a>", html=False)
    assertNotContains(response, title)


def test_persona_coverage_flags_personas_left_out_of_now_and_next(lead_client, roadmap):
    response = lead_client.get(URL)
    reach = {r.persona.name: r for side in response.context["balance"].sides
             for r in side.personas}
    assert (reach["Economic buyer"].primary, reach["Economic buyer"].indirect) == (3, 1)
    assert reach["Accountant"].primary == 1
    flagged = {r.persona.name for r in response.context["balance"].neglected_personas}
    assert flagged == {"Compliance officer", "Accountant"}
    assertContains(response, '<span class="badge warning">Left out</span>', count=2, html=True)


def test_archived_personas_are_left_out_of_coverage(lead_client, roadmap):
    make_persona(side="user", name="Retired persona", archived=True)
    assertNotContains(lead_client.get(URL), "Retired persona")


def test_metric_coverage_flags_a_side_nothing_moves(lead_client, roadmap):
    response = lead_client.get(URL)
    moved = {r.metric.name: r.items for side in response.context["balance"].sides
             for r in side.metrics}
    assert moved == {"Revenue": 2, "Daily active users": 0}
    assertContains(response, "Nothing planned moves a user metric.")
    assertNotContains(response, "Nothing planned moves a customer metric.")


def test_personas_who_pay_and_use_have_their_own_coverage_and_spring_no_trap(lead_client, pm,
                                                                             db):
    owner = make_persona(side="both", name="Small-business owner")
    for _ in range(3):
        triage(make_item(horizon="now"), [owner], by=pm, whose_problem="user")
    response = lead_client.get(URL)
    coverage = {side.label: [r.persona.name for r in side.personas]
                for side in response.context["balance"].sides}
    assert coverage == {"Customers": [], "Users": [], "Pays and uses": ["Small-business owner"]}
    assert [side.label for side in response.context["balance"].metric_sides] == [
        "Customers", "Users"]
    assert response.context["balance"].overall.items["both"] == 3
    assertNotContains(response, "Building only for")


def test_coverage_has_no_pays_and_uses_column_without_such_personas(lead_client, roadmap):
    assertNotContains(lead_client.get(URL), "Pays and uses")


def test_coverage_of_one_product_lists_its_own_personas_and_the_shared_ones(lead_client, db):
    expenses = make_product(name="Expenses")
    make_persona(name="A shared buyer")
    expenses.personas.add(make_persona(name="Travel manager"))
    make_product(name="Invoicing").personas.add(make_persona(name="Billing clerk"))

    def listed(**filters):
        response = lead_client.get(URL, filters)
        return {r.persona.name for side in response.context["balance"].sides
                for r in side.personas}

    assert listed(product="expenses") == {"Travel manager", "A shared buyer"}
    assert listed(product="invoicing") == {"Billing clerk", "A shared buyer"}
    assert listed() == {"Travel manager", "A shared buyer", "Billing clerk"}


def test_a_horizon_filter_narrows_coverage_but_not_the_now_and_next_flags(lead_client, roadmap):
    response = lead_client.get(URL, {"horizon": "now"})
    sides = response.context["balance"].sides
    reach = {r.persona.name: r for side in sides for r in side.personas}
    # SSO and Audit log are the open now items; Bulk edit (next) still counts as near.
    assert (reach["Economic buyer"].primary, reach["Economic buyer"].indirect) == (2, 0)
    assert reach["Economic buyer"].near == 3
    assert (reach["Accountant"].primary, reach["Accountant"].left_out_near) == (0, True)
    assert {r.metric.name: r.items for side in sides for r in side.metrics} == {
        "Revenue": 1, "Daily active users": 0}


@pytest.mark.parametrize("query, total", [
    ({"product": "platform"}, 3),
    ({"product": ["platform", "expenses"]}, 5),
    # Platform and Expenses have demo products' names and no person made them: the demo's.
    ({"product": "-demo"}, 0),
    ({"product": ["-demo", "platform"]}, 3),
    ({"horizon": "now"}, 2),
    ({"status": "shipped"}, 1),
    ({"status": "any"}, 6),
    ({"owner": "pm2"}, 2),
    # An invalid filter (an old bookmark) is shown as an error; the valid ones still apply.
    ({"product": "platform", "owner": "someone-gone"}, 3),
    ({"product": "platform", "status": "bogus"}, 3),
])
def test_filters_narrow_the_numbers(lead_client, roadmap, query, total):
    assert lead_client.get(URL, query).context["balance"].overall.total == total


def test_horizon_filter_keeps_the_trap_on_now_and_next(lead_client, roadmap):
    assertContains(lead_client.get(URL, {"horizon": "later"}), "Building only for buyers")


def test_unknown_filter_shows_an_error_and_the_whole_roadmap(lead_client, roadmap):
    response = lead_client.get(URL, {"horizon": "someday"})
    assert response.status_code == 200
    assertContains(response, "Select a valid choice")
    assert response.context["balance"].overall.total == 5


def test_the_heading_names_the_products_shown(lead_client, roadmap):
    response = lead_client.get(f"{URL}?product=platform&product=expenses")
    assertContains(response, "Showing: Open items · Product: Expenses, Platform")


def test_export_links_follow_the_filters(lead_client, roadmap):
    response = lead_client.get(URL, {"product": "platform", "horizon": "now"})
    assertContains(response, 'href="/roadmap/review/export.csv?product=platform&amp;horizon=now"')
    assertContains(response, 'href="/roadmap/review/print/?product=platform&amp;horizon=now"')


def test_htmx_filter_returns_only_the_results(lead_client, roadmap):
    response = lead_client.get(URL, {"product": "platform"}, headers={"HX-Request": "true"})
    assertContains(response, 'id="dashboard-results"')
    assertNotContains(response, "<html")


def test_only_the_panel_a_lead_opens_takes_the_focus(lead_client, roadmap):
    htmx = {"HX-Request": "true"}
    filtered = lead_client.get(URL, {"product": "platform"}, headers=htmx)
    assertNotContains(filtered, "data-autofocus")
    review_url = reverse("roadmap:review", args=[roadmap["sso"].pk])
    opened = lead_client.get(review_url, {"list": "challenges"}, headers=htmx)
    assertContains(opened, "data-autofocus", count=1)


def test_a_review_form_open_in_both_lists_has_ids_of_its_own(lead_client, roadmap):
    review_url = reverse("roadmap:review", args=[roadmap["sso"].pk])
    ids = [set(re.findall(r'id="([^"]+)"', lead_client.get(
        review_url, {"list": name}, headers={"HX-Request": "true"}).content.decode()))
        for name in ["one-sided", "challenges", "challenges"]]
    assert f"id_review{roadmap['sso'].pk}_challenges_comment" in ids[1]
    assert ids[0] and not ids[0] & ids[1]
    assert ids[1] == ids[2]  # the same list, the same HTML


def test_team_lead_gets_review_forms_in_the_lists(lead_client, roadmap):
    assertContains(lead_client.get(URL), "Review this item")


def test_pm_sees_the_dashboard_without_review_actions(pm_client, roadmap):
    response = pm_client.get(URL)
    assertContains(response, "Building only for buyers")
    assertNotContains(response, "Review this item")
    assertNotContains(response, 'name="verdict"')


def test_challenges_list_shows_answered_ones_first(lead_client, lead, pm, roadmap):
    review_item(roadmap["sso"], "challenged", "Who uses this?", lead)
    review_item(roadmap["bulk"], "challenged", "Effort?", lead)
    item = roadmap["sso"]
    item.refresh_from_db()
    triage(item, [item.triage.primary_beneficiaries.get()], by=pm, value="Renewals.")
    titles = [item.title for item in lead_client.get(URL).context["challenges"]]
    assert titles == ["SSO", "Bulk edit"]


def test_challenges_are_counted_and_the_list_says_when_it_shows_only_some(
    lead_client, pm, lead, customer_persona
):
    for n in range(12):
        item = make_item(title=f"Challenged {n}", owner=pm)
        triage(item, [customer_persona], by=pm, value="Renewals.")
        review_item(item, "challenged", "Why?", lead)
    response = lead_client.get(URL)
    assertContains(response, '<h2 id="challenges-heading">Challenges <span class="count">12'
                             '</span></h2>', html=True)
    assertContains(response, "Showing 10 of 12; the CSV export has them all.")


def test_an_item_in_both_lists_has_distinct_ids_and_panels(lead_client, lead, roadmap):
    sso = roadmap["sso"]  # one-sided without a value, and now challenged
    review_item(sso, "challenged", "Who uses this?", lead)
    response = lead_client.get(URL)
    assertContains(response, f'id="one-sided-{sso.pk}"', count=1)
    assertContains(response, f'id="challenges-{sso.pk}"', count=1)
    assertNotContains(response, f'id="review-{sso.pk}"')
    assertContains(response, 'hx-target="closest .review-panel"', count=2)


def test_dashboard_query_count_is_fixed_whatever_the_size(
    lead_client, pm, lead, django_assert_num_queries
):
    customers = make_personas(8, side="customer")
    users = make_personas(8, side="user")
    metric = make_metric()
    for n in range(3):
        product = make_product()
        for m in range(20):
            item = make_item(product=product, owner=pm, horizon=["now", "next", "later"][m % 3])
            if m % 4 == 0:
                triage(item, [customers[m % 8]], by=pm, metrics=[metric],
                       indirect=[users[n]])
            elif m % 4 == 1:
                triage(item, [customers[m % 8], users[(m + n) % 8]], by=pm)
            elif m % 4 == 2:
                triage(item, [users[m % 8]], by=pm)
                review_item(item, "challenged", "Why?", lead)
    # Valued in two cells: the value map reads the largest items of each filled cell.
    Triage.objects.filter(item__horizon="now").update(customer_value=3, user_value=1)
    Triage.objects.filter(item__horizon="next").update(customer_value=0, user_value=2)
    ReviewThresholds.current()
    lead_client.get(URL)  # begun quarters' plans are counted once, then kept (their tests)
    # session, person, roles, thresholds, class mix (which also counts the
    # one-sided items and the value map's cells), active personas, persona and metric reach
    # (one query), active metrics, products and owners for the filter menus, one-sided
    # list, challenges; the value map's largest items of the filled cells; evidence (by the same
    # thresholds): mismatched items with their count, renewals at risk with their count,
    # listening (tests/evidence counts the rest);
    # this quarter's and next's targets and their mix; plan against reality (the plans, what
    # shipped); calibration: the closed rounds and the target agreement;
    # outcomes: the readings, did it move per class (tests/outcomes counts the rest)
    with django_assert_num_queries(24):
        response = lead_client.get(URL)
    assert response.status_code == 200
    assert response.context["balance"].overall.total == 60
    with CaptureQueriesContext(connection) as near:
        lead_client.get(URL)
    with django_assert_num_queries(len(near.captured_queries)):  # every horizon: no more
        lead_client.get(URL, {"count": "all"})
