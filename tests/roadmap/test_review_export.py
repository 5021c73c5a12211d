import csv
import io

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import make_item, make_metric, make_persona, make_product, review_item, triage
from whobenefits.spreadsheet import safe_cell

CSV_URL = reverse("roadmap:export-csv")
PRINT_URL = reverse("roadmap:print")


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="roadmap-')
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


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
    assert rows[0] == [
        "Product", "Title", "Status", "Horizon", "Who benefits", "Primary personas",
        "Indirect personas", "Success metrics", "Value for the other side", "Review",
    ]
    assert rows[1:] == [
        ["Expenses", "Dark mode", "Idea", "Later", "Untriaged", "", "", "", "", "Not reviewed"],
        ["Platform", "SSO", "Planned", "Now", "Customers only", "Economic buyer",
         "Field employee", "Renewal rate", "Renewal keeps access.",
         "Challenged: Who uses this?"],
    ]


def test_csv_follows_the_filters(pm_client, tagged):
    rows = read_csv(pm_client.get(CSV_URL, {"product": "platform", "status": "any"}))
    assert [row[1] for row in rows[1:]] == ["SSO", "Shipped thing"]


@pytest.mark.parametrize("hostile", [
    "=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)",
])
def test_csv_defuses_formulas(lead_client, pm, hostile):
    persona = make_persona(side="customer", name=f"{hostile} persona")
    item = make_item(title=hostile)
    triage(item, [persona], by=pm, value=hostile)
    row = read_csv(lead_client.get(CSV_URL))[1]
    assert row[1] == "'" + hostile
    assert row[5] == "'" + hostile + " persona"
    assert row[8] == "'" + hostile


def test_safe_cell_leaves_ordinary_text_alone():
    assert safe_cell("Single sign-on = happy admins") == "Single sign-on = happy admins"
    assert safe_cell(None) == ""
    assert safe_cell(12) == "12"


def test_safe_cell_defuses_tab_and_carriage_return_starts():
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1") == "'\r=1"


def test_csv_query_count_is_fixed(lead_client, pm, django_assert_num_queries):
    buyer, employee = make_persona(side="customer"), make_persona(side="user")
    for _ in range(30):
        triage(make_item(), [buyer, employee], by=pm, metrics=[make_metric()])
    # session, person, 2 permission lookups, product and owner checks are skipped (no
    # filters), the items, their primary and indirect personas and metrics
    with django_assert_num_queries(8):
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
