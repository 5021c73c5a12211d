import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from roadmap.csv_export import HEADER
from tests.factories import make_item, make_metric, make_persona, make_product, review_item, triage
from whobenefits.spreadsheet import safe_cell, unescape_cell

CSV_URL = reverse("roadmap:export-csv")
PRINT_URL = reverse("roadmap:print")


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roadmap-')
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("\ufeff")  # so Excel reads UTF-8 (curly quotes, emoji) right
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def read_dicts(response):
    header, *rows = read_csv(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def tagged(db, pm, lead):
    platform = make_product(name="Platform")
    buyer = make_persona(side="customer", name="Economic buyer")
    employee = make_persona(side="user", name="Field employee")
    sso = make_item(title="SSO", product=platform, horizon="now", status="planned")
    triage(sso, [buyer], by=pm, value="Renewal keeps access.", indirect=[employee],
           metrics=[make_metric(name="Renewal rate")])
    review_item(sso, "challenged", "Who uses this?", lead)
    make_item(title="Dark mode", product=make_product(name="Expenses"), horizon="later")
    make_item(title="Shipped thing", product=platform, status="shipped")


def test_csv_has_one_row_per_open_item_with_every_column(lead_client, tagged):
    rows = read_csv(lead_client.get(CSV_URL))
    # Roadmap's columns, then the evidence app's (tests/evidence has their values).
    assert rows[0] == [*HEADER, "Customer notes", "Customer score", "End-user mentions",
                       "User score", "Companies asking", "Revenue asking",
                       "Revenue renewing within 90 days", "Tag disagrees with the evidence"]
    assert [row[HEADER.index("Title")] for row in rows[1:]] == ["Dark mode", "SSO"]


def test_csv_rows_carry_the_item_its_triage_and_where_it_came_from(lead_client, pm, lead):
    buyer = make_persona(side="customer", name="Economic buyer")
    sso = make_item(title="SSO", product=make_product(name="Platform"), horizon="now",
                    status="planned", effort=8, owner=pm, description="SAML first.",
                    target_quarter="2027-Q1", requesting_persona=buyer, external_source="jira",
                    external_key="PLAT-7",
                    external_url="https://acme.atlassian.net/browse/PLAT-7",
                    labels=["identity", "enterprise"])
    triage(sso, [buyer], by=pm, value="Renewal keeps access.", metrics=[make_metric(
        name="Renewal rate")])
    review_item(sso, "challenged", "Who uses this?", lead)
    sso.refresh_from_db()
    row = read_dicts(lead_client.get(CSV_URL))[0]
    assert {name: row[name] for name in HEADER} == {
        "Item id": str(sso.pk), "URL": f"http://testserver/roadmap/items/{sso.pk}/",
        "Product": "Platform", "Title": "SSO", "Description": "SAML first.",
        "Originating request": "Please make this better.", "Requesting persona": "Economic buyer",
        "Status": "Planned", "Horizon": "Now", "Target quarter": "2027-Q1", "Shipped on": "",
        "Effort": "8", "Owner": "Priya Menon",
        "Who benefits": "Customers only", "Whose problem": "Customer problem",
        "Primary personas": "Economic buyer", "Indirect personas": "",
        "Success metrics": "Renewal rate", "Value for the other side": "Renewal keeps access.",
        "Review": "Challenged: Who uses this?",
        "Created": sso.created_at.isoformat(timespec="seconds"),
        "Updated": sso.updated_at.isoformat(timespec="microseconds"),
        "Triaged": sso.triage.triaged_at.isoformat(timespec="seconds"),
        "Source": "Jira", "External key": "PLAT-7",
        "External URL": "https://acme.atlassian.net/browse/PLAT-7",
        "Labels": "identity, enterprise",
    }


def test_csv_names_a_persona_who_pays_and_uses_on_a_both_sided_item(lead_client, pm):
    owner = make_persona(side="both", name="Small-business owner")
    triage(make_item(title="Receipts by photo", requesting_persona=owner), [owner], by=pm,
           whose_problem="user")
    [row] = read_dicts(lead_client.get(CSV_URL))
    assert (row["Requesting persona"], row["Who benefits"], row["Whose problem"],
            row["Primary personas"]) == ("Small-business owner", "Both", "User problem",
                                         "Small-business owner")


def test_xlsx_has_the_same_rows_with_formulas_kept_as_text(lead_client, pm):
    item = make_item(title='=HYPERLINK("http://evil.example")', effort=3)
    response = lead_client.get(reverse("roadmap:export-xlsx"))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = [[cell for cell in r] for r in sheet.iter_rows(max_row=2)]
    assert [cell.value for cell in header][:len(HEADER)] == HEADER
    title = row[HEADER.index("Title")]
    assert (title.value, title.data_type) == ('=HYPERLINK("http://evil.example")', "s")
    assert row[HEADER.index("Item id")].value == item.pk
    assert row[HEADER.index("Effort")].value == 3


def test_csv_follows_the_filters(pm_client, tagged):
    rows = read_csv(pm_client.get(CSV_URL, {"product": "platform", "status": "any"}))
    assert [row[HEADER.index("Title")] for row in rows[1:]] == ["SSO", "Shipped thing"]


def test_csv_and_xlsx_take_several_products(lead_client, tagged):
    make_item(title="Booking page", product=make_product(name="Cal"))
    query = "?product=platform&product=cal"
    assert {row["Title"] for row in read_dicts(lead_client.get(CSV_URL + query))} == {
        "SSO", "Booking page"}
    sheet = load_workbook(io.BytesIO(lead_client.get(
        reverse("roadmap:export-xlsx") + query).content)).active
    assert sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "Booking page", "SSO"]


@pytest.mark.parametrize("hostile", [
    "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)",
])
def test_csv_defuses_formulas(lead_client, pm, hostile):
    persona = make_persona(side="customer", name=f"{hostile} persona")
    item = make_item(title=hostile)
    triage(item, [persona], by=pm, value=hostile)
    row = read_dicts(lead_client.get(CSV_URL))[0]
    assert row["Title"] == "'" + hostile
    assert row["Primary personas"] == "'" + hostile + " persona"
    assert row["Value for the other side"] == "'" + hostile
    assert unescape_cell(row["Title"]) == hostile


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Single sign-on = happy admins") == "Single sign-on = happy admins"
    assert safe_cell(None) == ""
    assert safe_cell(12) == "12"


def test_safe_cell_defuses_tab_and_carriage_return_starts():
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1") == "'\r=1"


@pytest.mark.parametrize("text", ["=1", "'=1", "''+x", "'quoted", "plain", ""])
def test_unescape_cell_gives_back_what_safe_cell_was_given(text):
    assert unescape_cell(safe_cell(text)) == text


def test_csv_query_count_is_fixed(lead_client, pm, django_assert_num_queries):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    for _ in range(30):
        triage(make_item(), [buyer, employee], by=pm, metrics=[make_metric()])
    # session, person, roles, product and owner checks are skipped (no
    # filters), the items, their primary and indirect personas and metrics; per chunk of
    # items, evidence: thresholds, sums per side, revenue
    with django_assert_num_queries(10):
        rows = read_csv(lead_client.get(CSV_URL))
    assert len(rows) == 31


def test_printable_page_has_the_summary_and_items_without_review_forms(lead_client, tagged):
    response = lead_client.get(PRINT_URL, {"horizon": "now"})
    assertContains(response, "Roadmap balance: who benefits")
    assertContains(response, "Horizon: Now")
    assertContains(response, "The mix")
    assertContains(response, "Persona coverage")
    assertContains(response, "<strong>SSO</strong>")
    assertNotContains(response, "Dark mode")
    assertNotContains(response, "Save review")
    assertContains(response, "data-print")


def test_printed_page_lists_horizons_now_next_later(lead_client):
    for horizon in ["later", "now", "next"]:
        make_item(title=f"{horizon.title()} item", horizon=horizon)
    text = lead_client.get(reverse("roadmap:print"), {"status": "any"}).content.decode()
    assert text.index("Now item") < text.index("Next item") < text.index("Later item")
