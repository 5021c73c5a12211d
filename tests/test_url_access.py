"""Every URL pattern of the project, for every role and anonymous, with GET and POST.

EXPECTED is keyed by URL name (or by route, for the admin's unnamed patterns). A new URL
pattern without an entry fails test_every_url_pattern_has_an_expected_status, naming it:
add a row saying what each role gets. Statuses are "GET/POST" for, in order:
product manager, team lead, admin, a person with no role, anonymous.
A POST sends no data: for the admin's forms that re-shows the form with its errors
(200) and changes nothing.
"""

import copy

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from calibration.models import AgreementTarget, Round
from evidence.models import Company, Evidence
from personas.models import Archetype, Persona
from roadmap import roles
from roadmap.models import ReviewThresholds, RoadmapItem
from tests.conftest import logged_in_client, made_once_for_the_module, make_role_person
from tests.factories import (
    import_file,
    make_item,
    make_metric,
    make_person,
    make_persona,
    make_product,
    make_reading,
    make_round,
    review_item,
    triage,
)
from tests.test_tasks import add
from tokens.models import ApiToken

ROLES = ["pm", "lead", "admin_person", "no_role_person", "anonymous"]

# Non-staff roles are sent to the admin's own login page (302), as Django's admin does.
LOGIN = "302/302"


def admin_row(admin_get, admin_post):
    return ("302/302", "302/302", f"{admin_get}/{admin_post}", "302/302", LOGIN)


EXPECTED = {
    # The app
    "home": ("302/302", "302/302", "302/302", "302/302", LOGIN),
    "login": ("302/302", "302/302", "302/302", "302/302", "200/200"),
    "logout": ("405/302", "405/302", "405/302", "405/302", LOGIN),
    "personas:persona-list": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    # A POST is a bulk edit: an empty one is re-shown with its errors (200).
    "roadmap:item-list": ("200/200", "200/403", "200/200", "403/403", LOGIN),
    "roadmap:item-detail": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:item-create": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    "roadmap:item-edit": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    # An empty POST is re-shown with its errors (200), and saves nothing.
    "roadmap:triage": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    # A POST names the item it answers; without one there is nothing to answer (404).
    "roadmap:triage-queue": ("200/404", "403/403", "200/404", "403/403", LOGIN),
    "roadmap:dashboard": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:export-csv": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:export-xlsx": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:print": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:review": ("403/403", "200/200", "200/200", "403/403", LOGIN),
    # Everyone reads the balance targets; team leads and admins set them (an empty POST is
    # re-shown with its errors).
    "roadmap:targets": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "roadmap:target-edit": ("403/403", "200/200", "200/200", "403/403", LOGIN),
    # Evidence: PMs and team leads record and link it; an empty POST re-shows the form with
    # its errors (200) or names no item (404).
    "evidence:inbox": ("200/200", "200/200", "200/200", "403/403", LOGIN),
    "evidence:item-notes": ("200/200", "200/200", "200/200", "403/403", LOGIN),
    "evidence:evidence-edit": ("200/200", "200/200", "200/200", "403/403", LOGIN),
    "evidence:link": ("200/404", "200/404", "200/404", "403/403", LOGIN),
    "evidence:unlink": ("405/404", "405/404", "405/404", "405/403", LOGIN),
    "evidence:company-list": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "evidence:company-detail": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "evidence:company-options": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    # Metric readings: everyone with a role reads them; admins record, correct, withdraw.
    # An empty POST re-shows the form with its errors (200); a withdrawal without a
    # version is sent back to the reading (302).
    "outcomes:reading-list": ("200/403", "200/403", "200/200", "403/403", LOGIN),
    "outcomes:reading-edit": ("403/403", "403/403", "200/200", "403/403", LOGIN),
    "outcomes:reading-withdraw": ("405/403", "405/403", "405/302", "405/403", LOGIN),
    # Calibration: everyone with a role opens the list; team leads and admins start, close
    # and settle rounds. The round is the PM's (and another PM's): the team lead and the
    # admin see it but have no queue in it (404); a POST to the queue names no item (404).
    # The team lead's close closes it; the admin's then says it was closed (302). An empty
    # settle is refused with a message (302).
    "calibration:round-list": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "calibration:round-create": ("403/403", "200/200", "200/200", "403/403", LOGIN),
    "calibration:round-detail": ("200/405", "200/405", "200/405", "403/405", LOGIN),
    "calibration:round-queue": ("200/404", "404/404", "404/404", "403/403", LOGIN),
    "calibration:round-close": ("405/403", "405/302", "405/302", "405/403", LOGIN),
    "calibration:round-resolve": ("405/403", "405/302", "405/302", "405/403", LOGIN),
    # Did it move? The item's owner (the PM here) and admins answer; an empty POST re-shows
    # the form with its errors.
    "outcomes:outcome": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    # Everyone's own email settings; an empty POST unticks every box (saved, 302).
    "outcomes:email-settings": ("200/302", "200/302", "200/302", "403/403", LOGIN),
    "audit:trail": ("403/405", "403/405", "200/405", "403/405", LOGIN),
    "audit:trail-csv": ("403/405", "403/405", "200/405", "403/405", LOGIN),
    # Imports: product managers and admins; team leads read the roadmap, they do not fill it.
    # The import is a finished preview of the product manager's, which admins see too.
    "imports:import-list": ("200/405", "403/405", "200/405", "403/405", LOGIN),
    "imports:upload": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    "imports:upload-notes": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    # Metric readings: admins only (they record readings); an empty POST re-shows the form.
    "imports:upload-readings": ("403/403", "403/403", "200/200", "403/403", LOGIN),
    "imports:import-detail": ("302/405", "403/405", "302/405", "403/405", LOGIN),  # to preview
    "imports:map": ("200/200", "403/403", "200/200", "403/403", LOGIN),
    "imports:preview": ("200/405", "403/405", "200/405", "403/405", LOGIN),
    "imports:confirm": ("405/302", "405/403", "405/302", "405/403", LOGIN),
    "imports:conflicts": ("405/302", "405/403", "405/302", "405/403", LOGIN),
    "imports:run-again": ("405/302", "405/403", "405/302", "405/403", LOGIN),
    "imports:abandon": ("405/302", "405/403", "405/302", "405/403", LOGIN),
    "imports:undo": ("405/302", "405/403", "405/302", "405/403", LOGIN),
    "imports:skipped-rows": ("200/405", "403/405", "200/405", "403/405", LOGIN),
    # Personal API tokens: everyone with a role makes and revokes their own; admins anyone's.
    # An empty POST re-shows the form with its error (200). The token is the PM's: a team
    # lead does not see it (404).
    "tokens:token-list": ("200/200", "200/200", "200/200", "403/403", LOGIN),
    "tokens:token-revoke": ("405/302", "405/404", "405/302", "405/403", LOGIN),
    # The JSON API (the whole matrix, with tokens and every method, is in tests/api/): a
    # session here; never a login redirect but for the docs page. A POST that is not JSON
    # is a 400, an empty form 422; the preview's POST queues it (202), so the admin's
    # finds it previewing (422).
    "api:api-root": ("404/404",) * 5,
    "api:openapi-json": ("200/405", "200/405", "200/405", "200/405", "401/405"),
    "api:openapi-view": ("200/405", "200/405", "200/405", "200/405", LOGIN),
    "api:list_products": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:list_personas": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:list_metrics": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:list_items": ("200/400", "200/403", "200/400", "403/403", "401/401"),
    "api:create_item": ("200/400", "200/403", "200/400", "403/403", "401/401"),
    "api:get_item": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:edit_item": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:get_triage": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:put_triage": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:delete_triage": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:get_review": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:create_product": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:edit_product": ("405/405",) * 5,
    "api:get_balance": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:create_persona": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:create_metric": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:edit_persona": ("405/405",) * 5,
    "api:edit_metric": ("405/405",) * 5,
    "api:upload": ("405/422", "405/403", "405/422", "405/403", "405/401"),
    "api:get_import": ("200/405", "403/405", "200/405", "403/405", "401/405"),
    "api:preview": ("405/202", "405/403", "405/422", "405/403", "405/401"),
    "api:confirm": ("405/400", "405/403", "405/400", "405/403", "405/401"),
    "api:list_audit": ("403/405", "403/405", "200/405", "403/405", "401/405"),
    "api:put_review": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:list_companies": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:list_evidence": ("200/400", "200/400", "200/400", "403/403", "401/401"),
    "api:create_evidence": ("200/400", "200/400", "200/400", "403/403", "401/401"),
    "api:link_evidence": ("405/400", "405/400", "405/400", "405/403", "405/401"),
    "api:unlink_evidence": ("405/405",) * 5,
    "api:list_readings": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:create_reading": ("200/403", "200/403", "200/400", "403/403", "401/401"),
    "api:get_reading": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:correct_reading": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    "api:withdraw_reading": ("200/405", "200/405", "200/405", "403/405", "401/405"),
    # Probes for a load balancer: no login; GET and HEAD only.
    "healthz": ("200/405",) * 5,
    "readyz": ("200/405",) * 5,
    # The admin: only the Admin role (staff) gets in; inside, its permissions decide.
    "admin:index": admin_row(200, 200),
    "admin:login": ("200/200", "200/200", "302/200", "200/200", "200/200"),
    "admin:logout": admin_row(405, 302),
    "admin:password_change": admin_row(200, 200),
    "admin:password_change_done": admin_row(200, 405),
    "admin:autocomplete": admin_row(403, 405),  # 403: no model named in the query
    "admin:jsi18n": admin_row(200, 405),
    "admin:view_on_site": admin_row(302, 302),
    "admin:app_list": admin_row(200, 200),
    "admin/(?P<url>.*)$": admin_row(404, 404),
}

# Per admin model: what the Admin role may do there (from roadmap/migrations/0002 and 0004).
ADMIN_MODEL_ACCESS = {
    "personas_persona": {"add", "change", "delete", "history"},
    "personas_successmetric": {"add", "change", "delete", "history"},
    "personas_archetype": {"add", "change", "delete", "history"},
    "roadmap_product": {"add", "change", "delete", "history"},
    "roadmap_roadmapitem": {"add", "change", "history"},
    "roadmap_reviewthresholds": {"change", "history"},  # one row: no add, no delete
    "calibration_agreementtarget": {"change", "history"},  # one row, the same
    "auth_user": {"add", "change", "history"},  # people are deactivated, never deleted
    "auth_group": set(),  # the three roles are fixed; admins read them
    "axes_accessattempt": {"delete"},  # deleting an attempt lifts a lockout
    "axes_accesslog": set(),
    "axes_accessfailurelog": set(),
    "django_tasks_database_dbtaskresult": set(),  # the worker's queue, read-only for everyone
    "evidence_company": {"add", "change", "history"},  # archived and merged, never deleted
    "evidence_evidence": {"add", "change", "history"},  # evidence is never deleted
    "outcomes_metricreading": {"add", "change", "delete", "history"},  # withdrawn, audited
}


def model_rows(model, may):
    def row(allowed, get, post, refused="403/403"):
        return admin_row(*(get, post)) if allowed else admin_row(*refused.split("/"))

    rows = {
        f"admin:{model}_changelist": admin_row(200, 200),
        f"admin:{model}_add": row("add" in may, 200, 200),
        f"admin:{model}_change": row(True, 200, 200 if "change" in may else 403),
        f"admin:{model}_delete": row("delete" in may, 200, 200),
        f"admin:{model}_history": admin_row(200, 200),
        f"admin/{'/'.join(model.rsplit('_', 1))}/<path:object_id>/": admin_row(302, 302),
    }
    if "history" in may:
        # Past versions are shown read-only: a POST (the revert button) is refused.
        rows[f"admin:{model}_simple_history"] = admin_row(200, 403)
    return rows


for _model, _may in ADMIN_MODEL_ACCESS.items():
    EXPECTED.update(model_rows(_model, _may))
EXPECTED["admin:auth_user_password_change"] = admin_row(200, 200)


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            key = (f"{namespace}:{pattern.name}" if namespace else pattern.name) \
                if pattern.name else route
            yield key, route


PATTERNS = dict(walk(get_resolver().url_patterns))


def test_every_url_pattern_has_an_expected_status():
    missing = sorted(set(PATTERNS) - set(EXPECTED))
    assert not missing, (
        "These URL patterns have no row in tests/test_url_access.py EXPECTED: "
        + ", ".join(missing)
    )
    assert not set(EXPECTED) - set(PATTERNS), "Rows for URLs that no longer exist"


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker):
    """The people and objects, made once for the module's hundreds of tests; each test
    runs in a savepoint of their transaction."""
    yield from made_once_for_the_module(django_db_blocker, make_people_and_objects)


@pytest.fixture
def people_and_objects(db, made):
    return copy.deepcopy(made)


@pytest.fixture
def pm(people_and_objects):
    return people_and_objects["pm"]


@pytest.fixture
def lead(people_and_objects):
    return people_and_objects["lead"]


@pytest.fixture
def admin_person(people_and_objects):
    return people_and_objects["admin_person"]


@pytest.fixture
def no_role_person(people_and_objects):
    return people_and_objects["no_role_person"]


@pytest.fixture
def objects(people_and_objects):
    return people_and_objects["objects"]


def make_people_and_objects():
    people = {name: make_role_person(name) for name in ROLES if name != "anonymous"}
    return {**people, "objects": make_objects(people["pm"], people["lead"])}


def make_objects(pm, lead):
    persona = make_persona(name="Buyer")
    item = make_item(requesting_persona=persona, owner=pm)
    triage(item, [persona], by=pm)
    review_item(item, "accepted", "", lead)
    attempt = AccessAttempt.objects.create(username="x", ip_address="10.0.0.1",
                                           failures_since_start=1)
    company = Company.objects.create(name="Acme")
    note = Evidence.record(recorded_by=pm, items=[item], text="We need SSO.", persona=persona,
                           company=company)
    calibration_round = make_round([pm, make_person(roles.PRODUCT_MANAGER)], [item], by=lead)
    return {
        "personas_persona": persona, "personas_successmetric": make_metric(),
        "personas_archetype": Archetype.objects.create(name="Security officer", side="customer"),
        "roadmap_product": make_product(), "roadmap_roadmapitem": item,
        "roadmap_reviewthresholds": ReviewThresholds.current(), "auth_user": pm,
        "auth_group": Group.objects.first(), "axes_accessattempt": attempt,
        "axes_accesslog": AccessLog.objects.create(username="x", ip_address="10.0.0.1"),
        "axes_accessfailurelog": AccessFailureLog.objects.create(username="x",
                                                                 ip_address="10.0.0.1"),
        "django_tasks_database_dbtaskresult": DBTaskResult.objects.get(
            pk=add.enqueue(1, 2).id),
        "import": import_file(b"Title,Effort\nDark mode,3\nBad,lots\n", item.product, by=pm,
                              commit=False),
        "evidence_company": company, "evidence_evidence": note,
        "outcomes_metricreading": make_reading(make_metric(name="Revenue"), item.product,
                                               "2026-01", 1000, by=pm),
        "api_token": ApiToken.issue(person=pm, name="sync", created_by=pm)[0],
        "round": calibration_round,
        "calibration_agreementtarget": AgreementTarget.current(),
    }


def url_for(key, objects):
    route = PATTERNS[key]
    if key == "roadmap:target-edit":
        return reverse(key, args=["default"])
    if key in {"roadmap:item-detail", "roadmap:item-edit", "roadmap:triage", "roadmap:review",
               "evidence:item-notes", "outcomes:outcome"}:
        return reverse(key, args=[objects["roadmap_roadmapitem"].pk])
    if key.startswith("imports:") and key not in {"imports:import-list", "imports:upload",
                                                  "imports:upload-notes",
                                                  "imports:upload-readings"}:
        return reverse(key, args=[objects["import"].pk])
    if key in {"evidence:evidence-edit", "evidence:link", "evidence:unlink"}:
        return reverse(key, args=[objects["evidence_evidence"].pk])
    if key in {"api:get_item", "api:edit_item", "api:get_triage", "api:put_triage",
               "api:delete_triage", "api:get_review", "api:put_review"}:
        return reverse(key, args=[objects["roadmap_roadmapitem"].pk])
    api_objects = {"api:edit_product": "roadmap_product", "api:edit_persona": "personas_persona",
                   "api:edit_metric": "personas_successmetric", "api:get_import": "import",
                   "api:preview": "import", "api:confirm": "import"}
    if key in api_objects:
        return reverse(key, args=[objects[api_objects[key]].pk])
    if key == "api:link_evidence":
        return reverse(key, args=[objects["evidence_evidence"].pk])
    if key == "api:unlink_evidence":
        return reverse(key, args=[objects["evidence_evidence"].pk,
                                  objects["roadmap_roadmapitem"].pk])
    if key in {"outcomes:reading-edit", "outcomes:reading-withdraw", "api:get_reading",
               "api:correct_reading", "api:withdraw_reading"}:
        return reverse(key, args=[objects["outcomes_metricreading"].pk])
    if key.startswith("calibration:") and key not in {"calibration:round-list",
                                                      "calibration:round-create"}:
        args = [objects["round"].pk]
        if key == "calibration:round-resolve":
            args.append(objects["roadmap_roadmapitem"].pk)
        return reverse(key, args=args)
    if key == "tokens:token-revoke":
        return reverse(key, args=[objects["api_token"].pk])
    if key == "evidence:company-detail":
        return reverse(key, args=[objects["evidence_company"].pk])
    if key == "admin:view_on_site":
        persona = objects["personas_persona"]
        return reverse(key, args=[ContentType.objects.get_for_model(Persona).pk, persona.pk])
    if key == "admin:app_list":
        return reverse(key, kwargs={"app_label": "personas"})
    if key == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/"
    if key == "admin:auth_user_password_change":
        return reverse(key, args=[objects["auth_user"].pk])
    if key.startswith("admin/"):
        model = "_".join(route.split("/")[1:3])
        return reverse(f"admin:{model}_change", args=[objects[model].pk])[:-len("change/")]
    if key.endswith("_simple_history"):
        obj = objects[key.removeprefix("admin:").removesuffix("_simple_history")]
        record = obj.history.latest("history_date", "history_id")
        return reverse(key, args=[obj.pk, record.history_id])
    for suffix in ["_change", "_delete", "_history"]:
        model = key.removeprefix("admin:").removesuffix(suffix)
        if key.endswith(suffix) and model in ADMIN_MODEL_ACCESS:
            obj = objects[model]
            return reverse(key, args=[obj.pk])
    return reverse(key)


def client_for(request, role):
    """A fresh client each time: a POST to a logout must not leak into the next request."""
    return Client() if role == "anonymous" else logged_in_client(request.getfixturevalue(role))


@pytest.mark.parametrize("key", sorted(EXPECTED, key=str))
def test_each_role_gets_the_expected_status(request, objects, key):
    url = url_for(key, objects)
    actual = []
    for role in ROLES:
        statuses = []
        for method in ["get", "post"]:
            response = getattr(client_for(request, role), method)(url)
            statuses.append(str(response.status_code))
            if role == "anonymous" and response.status_code == 302:
                assert "login" in response["Location"], f"{key}: {response['Location']}"
        actual.append("/".join(statuses))
    assert tuple(actual) == EXPECTED[key], f"{key} {url}: got {actual}"


APP_KEYS = sorted(key for key in EXPECTED if not key.startswith("admin"))


@pytest.mark.parametrize("key", APP_KEYS)
def test_htmx_and_preview_requests_are_refused_like_the_page(request, objects, key):
    """A partial asked for alone (htmx), or a triage's class preview, gets the same 403."""
    url = url_for(key, objects)
    for role, expected in zip(ROLES, EXPECTED[key], strict=True):
        for method, status in zip(["get", "post"], expected.split("/"), strict=True):
            if status == "403":
                response = getattr(client_for(request, role), method)(
                    url, {"preview": "1"}, headers={"HX-Request": "true"})
                assert response.status_code == 403, f"{key} {method} as {role}"


WRITE_KEYS = ["roadmap:item-create", "roadmap:item-edit", "roadmap:triage",
              "roadmap:triage-queue", "roadmap:review", "evidence:item-notes", "evidence:inbox",
              "evidence:evidence-edit", "evidence:link", "evidence:unlink",
              "calibration:round-create", "calibration:round-queue", "calibration:round-close",
              "calibration:round-resolve"]


@pytest.mark.parametrize("key", WRITE_KEYS)
def test_every_write_needs_the_csrf_token(objects, admin_person, key):
    item = objects["roadmap_roadmapitem"]
    before = (item.title, item.version, item.review.version)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_person, backend="django.contrib.auth.backends.ModelBackend")
    data = {"title": "Changed", "product": item.product_id, "status": "idea", "horizon": "now",
            "version": item.version, "item": item.pk, "verdict": "challenged", "comment": "Why?",
            "review_version": 1, "text": "Changed", "persona": item.requesting_persona_id,
            "source": "interview", "importance": 1, "observed_on": "2026-01-01"}
    for headers in ({}, {"HX-Request": "true"}):
        assert client.post(url_for(key, objects), data, headers=headers).status_code == 403
    item.refresh_from_db()
    assert (item.title, item.version, item.review.version) == before
    assert RoadmapItem.objects.count() == 1
    note = objects["evidence_evidence"]
    assert list(Evidence.objects.values_list("text", flat=True)) == ["We need SSO."]
    assert list(note.items.all()) == [item]
    assert not objects["round"].answers.exists()
    assert Round.objects.get(pk=objects["round"].pk).closed_at is None


def test_missing_objects_are_404_for_everyone_who_may_look(pm_client, lead_client, admin_client,
                                                          db):
    missing = reverse("roadmap:item-detail", args=[999_999])
    for client in [pm_client, lead_client, admin_client]:
        assert client.get(missing).status_code == 404


# The API, operation by operation: the roles that may call each (the others get 403,
# anonymous 401), with a token and with the session, an empty JSON body for every write.
# A new operation without a row fails test_every_api_operation_has_a_row.
PM, LEAD, ADMIN = "pm", "lead", "admin_person"
EVERYONE = {PM, LEAD, ADMIN}
API_ACCESS = {
    ("GET", "/api/products"): EVERYONE,
    ("POST", "/api/products"): {ADMIN},
    ("PATCH", "/api/products/{pk}"): {ADMIN},
    ("GET", "/api/personas"): EVERYONE,
    ("POST", "/api/personas"): {ADMIN},
    ("PATCH", "/api/personas/{pk}"): {ADMIN},
    ("GET", "/api/metrics"): EVERYONE,
    ("POST", "/api/metrics"): {ADMIN},
    ("PATCH", "/api/metrics/{pk}"): {ADMIN},
    ("GET", "/api/items"): EVERYONE,
    ("POST", "/api/items"): {PM, ADMIN},
    ("GET", "/api/items/{pk}"): EVERYONE,
    ("PATCH", "/api/items/{pk}"): {PM, ADMIN},
    ("GET", "/api/items/{pk}/triage"): EVERYONE,
    ("PUT", "/api/items/{pk}/triage"): {PM, ADMIN},
    ("DELETE", "/api/items/{pk}/triage"): {PM, ADMIN},
    ("GET", "/api/items/{pk}/review"): EVERYONE,
    ("PUT", "/api/items/{pk}/review"): {LEAD, ADMIN},
    ("GET", "/api/balance"): EVERYONE,
    ("POST", "/api/imports"): {PM, ADMIN},
    ("GET", "/api/imports/{pk}"): {PM, ADMIN},
    ("POST", "/api/imports/{pk}/preview"): {PM, ADMIN},
    ("POST", "/api/imports/{pk}/confirm"): {PM, ADMIN},
    ("GET", "/api/audit"): {ADMIN},
    # evidence/api.py's
    ("GET", "/api/companies"): EVERYONE,
    ("GET", "/api/evidence"): EVERYONE,
    ("POST", "/api/evidence"): EVERYONE,
    ("POST", "/api/evidence/{pk}/items"): EVERYONE,
    ("DELETE", "/api/evidence/{pk}/items/{item_pk}"): EVERYONE,
    # outcomes/api.py's
    ("GET", "/api/readings"): EVERYONE,
    ("POST", "/api/readings"): {ADMIN},
    ("GET", "/api/readings/{pk}"): EVERYONE,
    ("PUT", "/api/readings/{pk}"): {ADMIN},
    ("DELETE", "/api/readings/{pk}"): {ADMIN},
}
SAFE = {"GET", "HEAD", "OPTIONS"}
# The CSRF cookie's secret and the header the browser's page would send with it.
CSRF_SECRET = "a" * 32


def api_operations():
    from whobenefits.api import api

    schema = api.get_openapi_schema()
    return {(method.upper(), route) for route, methods in schema["paths"].items()
            for method in methods}


OPERATIONS = api_operations()


def test_every_api_operation_has_a_row(db):
    assert not OPERATIONS - set(API_ACCESS), "operations without a row in API_ACCESS"


def api_url(route, objects):
    pk = {"/api/products/": "roadmap_product", "/api/personas/": "personas_persona",
          "/api/metrics/": "personas_successmetric", "/api/imports/": "import",
          "/api/evidence/": "evidence_evidence", "/api/readings/": "outcomes_metricreading"}
    item = str(objects["roadmap_roadmapitem"].pk)
    route = route.replace("{item_pk}", item)
    for prefix, name in pk.items():
        if route.startswith(prefix):
            return route.replace("{pk}", str(objects[name].pk))
    return route.replace("{pk}", item)


def api_call(client, method, url, **extra):
    return client.generic(method, url, "{}", content_type="application/json", **extra)


def token_for(person):
    return {"HTTP_AUTHORIZATION": "Bearer " + ApiToken.issue(
        person=person, name="matrix", created_by=person)[1]}


@pytest.mark.parametrize(("method", "route"), sorted(OPERATIONS))
def test_each_role_may_call_the_api_as_on_the_pages(request, objects, method, route):
    url = api_url(route, objects)
    assert api_call(Client(), method, url).status_code == 401
    for role in ["pm", "lead", "admin_person", "no_role_person"]:
        person = request.getfixturevalue(role)
        session = Client(enforce_csrf_checks=True)
        session.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        session.cookies["csrftoken"] = CSRF_SECRET
        for how, extra in [("token", token_for(person)),
                           ("session", {"HTTP_X_CSRFTOKEN": CSRF_SECRET})]:
            client = Client() if how == "token" else session
            status = api_call(client, method, url, **extra).status_code
            if role in API_ACCESS[(method, route)]:
                assert status not in (401, 403) and status < 500, f"{role} {how}: {status}"
            else:
                assert status == 403, f"{role} {how}: {status}"


@pytest.mark.parametrize(("method", "route"),
                         sorted(op for op in OPERATIONS if op[0] not in SAFE))
def test_every_api_write_by_session_needs_the_csrf_token(objects, admin_person, method, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_person, backend="django.contrib.auth.backends.ModelBackend")
    response = api_call(client, method, api_url(route, objects))
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
