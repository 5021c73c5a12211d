from django.core.files.uploadedfile import SimpleUploadedFile

from roadmap.models import RoadmapItem
from tests.factories import make_product

BACKLOG = b"Title,Effort,Key\nOffline drafts,3,D-1\nDark mode,5,D-2\n"


def upload(client, product, data=BACKLOG):
    return client.post("/api/imports", {"product": product, "source": "spreadsheet",
                                        "file": SimpleUploadedFile("backlog.csv", data)})


def test_a_script_imports_a_backlog_through_the_worker(pm_api, run_tasks):
    product = make_product(name="Expenses")
    started = upload(pm_api, product.slug)
    assert started.status_code == 202
    pk = started.json()["id"]
    assert started.json()["status"] == "reading"
    run_tasks()
    assert pm_api.get(f"/api/imports/{pk}").json()["status"] == "mapping"
    assert pm_api.post(f"/api/imports/{pk}/preview").status_code == 202
    run_tasks()
    previewed = pm_api.get(f"/api/imports/{pk}").json()
    assert (previewed["status"], previewed["counts"]["new"]) == ("previewed", 2)
    assert previewed["cannot_import"] == ""
    assert not RoadmapItem.objects.exists()
    assert pm_api.post(f"/api/imports/{pk}/confirm", {},
                       content_type="application/json").status_code == 202
    run_tasks()
    assert pm_api.get(f"/api/imports/{pk}").json()["status"] == "imported"
    assert sorted(RoadmapItem.objects.values_list("title", flat=True)) == [
        "Dark mode", "Offline drafts"]


def test_the_upload_forms_errors_name_their_fields(pm_api):
    response = upload(pm_api, "no-such-product")
    assert response.status_code == 422
    assert "product" in response.json()["errors"]


def test_a_preview_with_errors_says_why_it_cannot_be_imported(pm_api, pm):
    from tests.factories import import_file

    backlog = import_file(b"Title,Effort\nGood,3\nBad,lots\n", make_product(), by=pm,
                          commit=False)
    body = pm_api.get(f"/api/imports/{backlog.pk}").json()
    assert body["counts"]["errors"] == 1
    assert body["rows_with_errors"][0]["line"] == 3
    assert "have errors" in body["cannot_import"]
    refused = pm_api.post(f"/api/imports/{backlog.pk}/confirm", {},
                          content_type="application/json")
    assert refused.status_code == 422
    assert "have errors" in refused.json()["detail"]


def test_team_leads_get_403_on_imports_whatever_they_send(lead_api):
    assert lead_api.post("/api/imports", {}).status_code == 403
    assert lead_api.get("/api/imports/1").status_code == 403


def test_someone_elses_import_is_404(pm_api, admin_person):
    from tests.factories import import_file

    theirs = import_file(BACKLOG, make_product(), by=admin_person, commit=False)
    assert pm_api.get(f"/api/imports/{theirs.pk}").status_code == 404
