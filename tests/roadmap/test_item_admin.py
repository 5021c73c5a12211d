"""Editing an item in the admin takes part in the same version check as the app's pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from roadmap.models import RoadmapItem


def admin_edit(admin_client, item, title, version):
    return admin_client.post(reverse("admin:roadmap_roadmapitem_change", args=[item.pk]), {
        "product": item.product_id, "title": title, "description": "", "request_quote": "",
        "status": "idea", "horizon": "later", "effort": "", "owner": "", "version": version,
    })


def test_admin_edit_bumps_the_version(admin_client, item):
    response = admin_edit(admin_client, item, "Renamed in the admin", item.version)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.version) == ("Renamed in the admin", 2)


def test_stale_admin_edit_is_refused_and_keeps_the_input(admin_client, item, pm):
    theirs = RoadmapItem.objects.get(pk=item.pk)
    theirs.title = "Saved by a PM"
    theirs.save_edit(expected_version=1, edited_by=pm)
    response = admin_edit(admin_client, item, "Admin's older edit", version=1)
    assertContains(response, "Someone else saved this since you opened it")
    assertContains(response, "<tr><th scope=\"row\">Title</th><td>Saved by a PM</td>"
                             "<td>Admin&#x27;s older edit</td></tr>", html=True)
    assertContains(response, 'name="version" value="2"')  # saving again replaces theirs
    item.refresh_from_db()
    assert (item.title, item.version) == ("Saved by a PM", 2)
    assert admin_edit(admin_client, item, "Admin's older edit", version=2).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.version) == ("Admin's older edit", 3)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
def test_the_version_check_locks_the_item_until_the_save(admin_client, item):
    with CaptureQueriesContext(connection) as queries:
        admin_edit(admin_client, item, "Renamed", item.version)
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert locking and all('"roadmap_roadmapitem"' in sql for sql in locking)


def test_admin_change_form_carries_the_current_version(admin_client, item):
    RoadmapItem.objects.filter(pk=item.pk).update(version=7)
    response = admin_client.get(reverse("admin:roadmap_roadmapitem_change", args=[item.pk]))
    assertContains(response, 'name="version" value="7"')
