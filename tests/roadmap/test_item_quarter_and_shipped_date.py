"""An item's target quarter and shipped date: on its form, the list, bulk edit, the API, the
history and an import. A shipped date is set when the item ships, may be corrected, and goes
when the item leaves shipped (its history keeps it)."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from imports.models import BacklogImport
from roadmap.models import RoadmapItem, Status
from tests.factories import import_file, make_item, make_product
from tests.imports.test_undo import undo_now

LIST = reverse("roadmap:item-list")


def edit(client, item, **changes):
    data = {"title": item.title, "product": item.product_id, "description": "",
            "request_quote": "", "requesting_persona": "", "status": item.status,
            "horizon": item.horizon, "target_quarter": item.target_quarter,
            "shipped_on": item.shipped_on or "", "effort": "", "owner": "",
            "version": item.version}
    return client.post(reverse("roadmap:item-edit", args=[item.pk]), data | changes)


def test_a_long_text_in_the_quarter_is_quoted_short_and_kept_whole_in_its_box(pm_client):
    item = make_item(title="SSO")
    pasted = "Sometime after the spring release, once finance signs off. " * 5
    response = edit(pm_client, item, target_quarter=pasted)
    assertContains(response, "“Sometime after the s…” is not a quarter.")
    assertContains(response, f'value="{pasted}"')
    item.refresh_from_db()
    assert item.target_quarter == ""


def test_pm_plans_an_item_for_a_quarter_written_their_way(pm_client):
    item = make_item()
    edit(pm_client, item, target_quarter="Q1 2027")
    item.refresh_from_db()
    assert item.target_quarter == "2027-Q1"
    assert item.history.latest("history_id").target_quarter == "2027-Q1"
    assertContains(pm_client.get(item.get_absolute_url()), "planned for 2027-Q1")


def test_a_quarter_out_of_range_is_an_error_beside_it_with_the_input_kept(pm_client):
    item = make_item(title="SSO")
    response = edit(pm_client, item, target_quarter="2027-Q5", title="SSO again")
    assert response.status_code == 200
    assertContains(response, "is not a quarter")
    assertContains(response, 'value="2027-Q5"')
    assertContains(response, 'value="SSO again"')
    item.refresh_from_db()
    assert (item.title, item.target_quarter, item.version) == ("SSO", "", 1)


def test_marking_an_item_shipped_dates_it_today(pm_client):
    item = make_item(status=Status.IN_PROGRESS)
    edit(pm_client, item, status="shipped")
    item.refresh_from_db()
    assert item.shipped_on == timezone.localdate()
    assert item.history.latest("history_id").shipped_on == timezone.localdate()


def test_the_shipped_date_can_be_corrected_but_not_to_the_future(pm_client):
    item = make_item(status=Status.SHIPPED)
    edit(pm_client, item, shipped_on="2026-01-15")
    item.refresh_from_db()
    assert item.shipped_on == date(2026, 1, 15)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = edit(pm_client, item, shipped_on=tomorrow.isoformat())
    assertContains(response, "cannot have shipped in the future")
    item.refresh_from_db()
    assert item.shipped_on == date(2026, 1, 15)


def test_reopening_a_shipped_item_clears_its_date_and_the_history_keeps_it(pm_client):
    item = make_item(status=Status.SHIPPED, shipped_on=date(2026, 3, 2))
    edit(pm_client, item, status="in_progress")
    item.refresh_from_db()
    assert (item.status, item.shipped_on) == ("in_progress", None)
    assert item.history.earliest("history_id").shipped_on == date(2026, 3, 2)


def test_a_date_typed_for_an_item_not_shipped_is_pointed_out(pm_client):
    item = make_item(status=Status.PLANNED)
    response = edit(pm_client, item, shipped_on="2026-03-02")
    assertContains(response, "Only a shipped item has a shipped date")
    item.refresh_from_db()
    assert item.shipped_on is None


def test_the_list_shows_and_filters_the_quarter(pm_client):
    make_item(title="SSO", target_quarter="2027-Q1")
    make_item(title="Dark mode", target_quarter="2027-Q2")
    make_item(title="Shipped thing", status=Status.SHIPPED, shipped_on=date(2026, 11, 3))
    response = pm_client.get(LIST, {"target_quarter": "q1 2027"})
    assertContains(response, "SSO")
    assertNotContains(response, "Dark mode")
    assertContains(pm_client.get(LIST), '<td data-label="Quarter" class="nowrap">2027-Q2</td>',
                   html=True)
    assertContains(pm_client.get(LIST), "3 Nov 2026")


def test_an_invalid_quarter_filter_is_shown_and_left_out(pm_client):
    make_item(title="SSO", target_quarter="2027-Q1")
    response = pm_client.get(LIST, {"target_quarter": "soon"})
    assertContains(response, "“soon” is not a quarter")
    assertContains(response, "SSO")


def test_bulk_edit_plans_the_ticked_items_for_a_quarter_and_ships_them(pm_client):
    first, second = make_item(), make_item(target_quarter="2026-Q1")
    quarter = timezone.localdate().year, (timezone.localdate().month - 1) // 3 + 1
    current = f"{quarter[0]}-Q{quarter[1]}"
    pm_client.post(LIST, {"bulk-items": [f"{i.pk}:{i.version}" for i in (first, second)],
                          "bulk-target_quarter": current, "bulk-status": "shipped"})
    for item in (first, second):
        item.refresh_from_db()
        today = timezone.localdate()
        assert (item.target_quarter, item.status, item.shipped_on) == (current, "shipped", today)
    pm_client.post(LIST, {"bulk-items": [f"{first.pk}:{first.version}"],
                          "bulk-target_quarter": "nobody"})
    first.refresh_from_db()
    assert first.target_quarter == ""


def test_an_import_that_reopens_an_item_clears_its_date_and_undo_brings_it_back(pm):
    product = make_product(name="Platform")
    import_file(b"Key,Title,Status\nP-1,SSO,Done\n", product, by=pm)
    item = RoadmapItem.objects.get()
    assert item.shipped_on == timezone.localdate()
    RoadmapItem.objects.filter(pk=item.pk).update(shipped_on=date(2026, 2, 1))
    reopened = import_file(b"Key,Title,Status\nP-1,SSO,Doing\n", product, by=pm)
    assert reopened.status == BacklogImport.State.IMPORTED
    item.refresh_from_db()
    assert (item.status, item.shipped_on) == ("in_progress", None)
    undo_now(reopened, pm)
    item.refresh_from_db()
    assert (item.status, item.shipped_on) == ("shipped", date(2026, 2, 1))


def test_an_import_maps_fix_versions_and_sprint_dates_to_the_target_quarter(pm):
    product = make_product(name="Platform")
    data = (b"Summary,Issue key,Status,Fix Version/s\n"
            b"SSO,PLAT-1,To Do,Q1 2027\n"
            b"Audit log,PLAT-2,To Do,Release 2027-Q2\n"
            b"Sprint work,PLAT-3,To Do,PLAT Sprint 4 (2027-06-16 - 2027-07-02)\n"
            b"No version,PLAT-4,To Do,\n")
    done = import_file(data, product, by=pm, mapping={"unknown_owner": "unassigned"})
    assert done.status == BacklogImport.State.IMPORTED
    assert dict(RoadmapItem.objects.values_list("external_key", "target_quarter")) == {
        "PLAT-1": "2027-Q1", "PLAT-2": "2027-Q2", "PLAT-3": "2027-Q3", "PLAT-4": ""}


def test_a_linear_cycle_maps_to_the_quarter_of_its_end(pm):
    product = make_product(name="Platform")
    data = (b"ID,Title,Team,Status,Cycle Name,Cycle End\n"
            b"ENG-1,Offline mode,Eng,Todo,Cycle 9,2027-03-31T23:00:00.000Z\n")
    import_file(data, product, by=pm)
    assert RoadmapItem.objects.get().target_quarter == "2027-Q1"


def test_a_fix_version_naming_no_quarter_is_an_error_on_its_row(pm):
    product = make_product(name="Platform")
    data = b"Summary,Issue key,Status,Fix Version/s\nSSO,PLAT-1,To Do,v2.3\n"
    preview = import_file(data, product, by=pm, commit=False)
    [row] = preview.rows.all()
    assert "\u201cv2.3\u201d names no quarter and no dates" in str(row.errors)
    assert not RoadmapItem.objects.exists()
