"""Balance targets per quarter: set by team leads and admins in the app, refused when stale or
inconsistent, and the current and next quarter's plan against them on the dashboard and the
roadmap list."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from roadmap.models import BalanceTarget, Status
from roadmap.quarters import Quarter
from tests.factories import make_item, make_persona, make_product, triage

TARGETS = reverse("roadmap:targets")
DASHBOARD = reverse("roadmap:dashboard")
LIST = reverse("roadmap:item-list")
NOW = Quarter.current()


def edit_url(quarter):
    return reverse("roadmap:target-edit", args=[str(quarter)])


def shares(**changes):
    return {"min_both_share": 30, "max_customers_share": 40, "max_users_share": 40,
            "min_customer_effort_share": 50, "min_user_effort_share": 50} | changes


@pytest.fixture
def customer_heavy_quarter(pm):
    """The current quarter: 3 customers-only items (one states a value for users), 1 both."""
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    product = make_product(name="Expenses")
    for n, value in enumerate(["", "", "Audits keep the renewal."]):
        item = make_item(title=f"Admin {n}", product=product, effort=5,
                         target_quarter=str(NOW))
        triage(item, [buyer], by=pm, value=value)
    triage(make_item(title="Receipts", product=product, effort=5, target_quarter=str(NOW)),
           [buyer, employee], by=pm)
    make_item(title="Dropped", product=product, status=Status.DROPPED,
              target_quarter=str(NOW))
    return product


def test_a_team_lead_sets_a_quarters_own_targets_starting_from_the_default(lead_client, lead):
    response = lead_client.get(edit_url(NOW.next()))
    assertContains(response, "uses the default targets")
    assertContains(response, 'value="30"')
    response = lead_client.post(edit_url(NOW.next()), shares(min_both_share=45))
    assertRedirects(response, TARGETS, fetch_redirect_response=False)
    target = BalanceTarget.objects.get(quarter=str(NOW.next()))
    assert (target.min_both_share, target.version) == (45, 1)
    assert target.history.get().history_user == lead
    assertContains(lead_client.get(TARGETS), str(NOW.next()))


def test_an_admin_changes_the_default(admin_client):
    default = BalanceTarget.objects.get(quarter="")
    admin_client.post(edit_url("default"), shares(max_users_share=35, version=default.version))
    default.refresh_from_db()
    assert (default.max_users_share, default.version) == (35, 2)


def test_the_quarter_picker_is_labelled_as_the_other_forms(lead_client):
    assertContains(lead_client.get(TARGETS), '<label for="id_quarter">Quarter</label>', html=True)


def test_a_pm_reads_the_targets_but_gets_403_on_setting_them(pm_client):
    assertContains(pm_client.get(TARGETS), "Team leads and admins set the targets.")
    assert pm_client.get(edit_url(NOW)).status_code == 403
    assert pm_client.post(edit_url(NOW), shares()).status_code == 403
    assert not BalanceTarget.objects.filter(quarter=str(NOW)).exists()


@pytest.mark.parametrize("value", ["101", "-1", "many"])
def test_a_share_outside_0_to_100_is_an_error_beside_it(lead_client, value):
    response = lead_client.post(edit_url(NOW), shares(min_user_effort_share=value))
    assert response.status_code == 200
    assertContains(response, 'aria-invalid="true"', count=1)
    assertContains(response, f'value="{value}"')
    assert not BalanceTarget.objects.filter(quarter=str(NOW)).exists()


@pytest.mark.parametrize("field", ["min_both_share", "max_customers_share"])
def test_a_share_over_100_is_named_once_not_compared_with_the_others(lead_client, field):
    response = lead_client.post(edit_url(NOW), shares(**{field: "150"}))
    assertContains(response, "Ensure this value is less than or equal to 100.", count=1)
    assertNotContains(response, "leaves at most")
    assertContains(response, 'aria-invalid="true"', count=1)


def test_a_one_sided_maximum_that_contradicts_the_minimum_for_both_is_an_error(lead_client):
    response = lead_client.post(edit_url(NOW), shares(min_both_share=40,
                                                      max_customers_share=70))
    assertContains(response, "leaves at most 30% for both, below the 40% minimum")
    assertContains(response, 'aria-invalid="true"', count=1)
    assert not BalanceTarget.objects.filter(quarter=str(NOW)).exists()


def test_a_stale_edit_is_refused_with_what_differs_and_the_input_kept(lead_client, admin_client):
    default = BalanceTarget.objects.get(quarter="")
    admin_client.post(edit_url("default"), shares(min_both_share=20, version=default.version))
    response = lead_client.post(edit_url("default"), shares(min_both_share=35,
                                                            version=default.version))
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, 'value="35"')
    default.refresh_from_db()
    assert default.min_both_share == 20


def test_two_leads_giving_a_quarter_its_first_targets_do_not_overwrite(lead_client, lead):
    BalanceTarget(quarter=str(NOW)).save_shares(shares(min_both_share=10), expected_version=None,
                                                set_by=lead)
    response = lead_client.post(edit_url(NOW), shares(min_both_share=50))
    assertContains(response, "Someone else saved this since you opened it")
    assert BalanceTarget.objects.get(quarter=str(NOW)).min_both_share == 10


def test_an_unknown_quarter_is_404_and_the_picker_explains(lead_client):
    assert lead_client.get(reverse("roadmap:target-edit", args=["2027-Q9"])).status_code == 404
    assertContains(lead_client.get(TARGETS, {"quarter": "soon"}), "is not a quarter")
    assertRedirects(lead_client.get(TARGETS, {"quarter": "Q2 2027"}), edit_url("2027-Q2"),
                    fetch_redirect_response=False)


def test_the_dashboard_shows_the_quarter_off_target_with_the_misses(lead_client,
                                                                    customer_heavy_quarter):
    response = lead_client.get(DASHBOARD)
    assertContains(response, f"{NOW.label()}")
    # 3 of 4 customers only (75%, at most 40%); 1 of 4 both (25%, at least 30%); effort
    # serving users: both's 5 points and the 5 of the item with a value for users, of 20.
    assertContains(response, "Off target:</strong> items for both 25% (at least 30%); "
                             "customers only 75% (at most 40%).")
    checks = {c.field: c for c in response.context["balances"][0].checks}
    assert (checks["min_user_effort_share"].rounded, checks["min_user_effort_share"].met) == (
        50, True)
    assertContains(response, f"No triaged items are planned for {NOW.next().label()} yet.")


def test_the_dashboards_link_to_a_quarters_items_keeps_its_product_filter(
        lead_client, customer_heavy_quarter):
    response = lead_client.get(DASHBOARD, {"product": customer_heavy_quarter.slug})
    assertContains(response, f'href="{LIST}?target_quarter={NOW}&amp;product='
                             f'{customer_heavy_quarter.slug}">The items</a>')
    assertContains(lead_client.get(DASHBOARD), f'href="{LIST}?target_quarter={NOW}">The items')


def test_a_quarter_reads_as_2026_q4_on_every_page(lead_client, pm_client,
                                                   customer_heavy_quarter):
    # The spelling, the one the list and the item page show: never "Q4 2026".
    spoken = f"Q{NOW.number} {NOW.year}"
    for page in (lead_client.get(DASHBOARD), lead_client.get(TARGETS), pm_client.get(LIST),
                 lead_client.get(edit_url(NOW))):
        assertContains(page, str(NOW))
        assertNotContains(page, spoken)


def test_a_stated_value_for_the_other_side_counts_as_effort_serving_it(lead_client, pm):
    buyer = make_persona(side="customer")
    triage(make_item(effort=8, target_quarter=str(NOW)), [buyer], by=pm,
           value="Admins approve faster, so people wait less.")
    balance = lead_client.get(DASHBOARD).context["balances"][0]
    checks = {check.field: check.rounded for check in balance.checks}
    assert checks["min_user_effort_share"] == 100
    assert checks["max_customers_share"] == 100


def test_a_quarter_on_target_says_so(lead_client, pm):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    triage(make_item(effort=3, target_quarter=str(NOW)), [buyer, employee], by=pm)
    response = lead_client.get(DASHBOARD)
    assertContains(response, "On target.")
    assertNotContains(response, "Off target")


def test_the_roadmap_list_has_a_one_line_banner_when_the_current_quarter_is_off(
        pm_client, customer_heavy_quarter):
    response = pm_client.get(LIST)
    assertContains(response, f"{NOW.label()} is off target: items for both 25%", count=1)
    other = make_product(name="Travel")
    assertNotContains(pm_client.get(LIST, {"product": other.slug}), "is off target")


def test_the_quarters_own_targets_replace_the_default(lead_client, lead, customer_heavy_quarter):
    BalanceTarget(quarter=str(NOW)).save_shares(
        shares(min_both_share=20, max_customers_share=80, min_user_effort_share=20),
        expected_version=None, set_by=lead)
    assertContains(lead_client.get(DASHBOARD), "On target.")


def test_the_targets_page_query_count_is_fixed(lead_client, customer_heavy_quarter,
                                               django_assert_num_queries):
    for quarter in NOW.first(6):
        BalanceTarget.objects.create(quarter=str(quarter))
    with django_assert_num_queries(6):
        lead_client.get(TARGETS)


def test_a_target_change_is_on_the_audit_trail(lead_client, admin_client):
    lead_client.post(edit_url(NOW), shares(min_both_share=45))
    response = admin_client.get(reverse("audit:trail"), {"object_type": "balancetarget"})
    assertContains(response, f"Balance targets for {NOW}")
    assertContains(response, "Lena Schmidt")
