"""The JSON API at /api/: each app's router (its api.py), assembled here, and the one error
shape for every refusal. OpenAPI at /api/openapi.json, interactive docs at /api/docs.

A new app's router: write `<app>/api.py` with `router = Router(tags=[...])`, each operation
with `auth=signed_in("<app>.<permission>")`, and add it to ROUTERS below.
"""

import logging
import math
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaError

from audit import security_log
from audit.api import router as audit_router
from evidence.api import router as evidence_router
from imports.api import router as imports_router
from outcomes.api import router as outcomes_router
from personas.api import router as personas_router
from roadmap.api import router as roadmap_router
from tokens.auth import TokenRateThrottle, signed_in

from .api_errors import REFUSALS, ErrorOut, InvalidInput, StaleVersion, error_body
from .errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, is_database_unavailable

logger = logging.getLogger(__name__)

ROUTERS = [roadmap_router, personas_router, imports_router, audit_router, evidence_router,
           outcomes_router]

class WhoBenefitsAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """ninja's schema, with the refusals every operation may answer, in the one shape."""
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema()
        refusal = {"description": "Refused: the detail and each field's errors.",
                   "content": {"application/json": {"schema": {
                       "$ref": "#/components/schemas/ErrorOut"}}}}
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status in REFUSALS:
                    operation["responses"].setdefault(status, refusal)
        return schema


api = WhoBenefitsAPI(
    title="Who Benefits API",
    version="1",
    description="Everything a product manager, a team lead or a script does in the browser, "
                "with the same rules. Authenticate with a personal API token "
                "(`Authorization: Bearer <token>`, made on the API tokens page) or the "
                "browser's session (with the X-CSRFToken header on writes).",
    urls_namespace="api",
    auth=signed_in(),
    throttle=[TokenRateThrottle()],
    docs_decorator=lambda view: signed_in_only(view),
)
for router in ROUTERS:
    api.add_router("", router)


def answer(request, status, detail, errors=None, **more):
    return api.create_response(request, error_body(detail, errors, **more), status=status)


@api.exception_handler(SchemaError)
def invalid_schema(request, exc):
    """ninja's validation of the path, query and body: each message under its field."""
    errors = {}
    for error in exc.errors:
        # loc is (where, the parameter, field...) for a body or form, (where, field) else.
        where, *loc = [str(part) for part in error.get("loc", ())] or ["body"]
        if where in ("body", "form"):
            loc = loc[1:]
        errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "Invalid."))
    return answer(request, 422, InvalidInput(errors).detail, errors)


@api.exception_handler(InvalidInput)
def invalid_input(request, exc):
    return answer(request, 422, exc.detail, exc.errors)


@api.exception_handler(ValidationError)
def model_rule(request, exc):
    error = InvalidInput.from_validation_error(exc)
    return answer(request, 422, error.detail, error.errors)


@api.exception_handler(StaleVersion)
def stale_version(request, exc):
    return answer(request, 409, str(exc), {"version": [str(exc)]}, current=exc.current,
                  differences=exc.differences)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    message = exc.message if exc.message != "Unauthorized" else (
        "Sign in, or send a personal API token: Authorization: Bearer <token>.")
    response = answer(request, 401, message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Throttled)
def throttled(request, exc):
    wait = math.ceil(exc.wait) if exc.wait else 60
    response = answer(request, 429, f"Too many requests with this token: try again in "
                                    f"{wait} seconds.")
    response["Retry-After"] = str(wait)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    return answer(request, exc.status_code, str(exc))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    security_log.log_denied(request, str(exc))  # as the pages' 403s are
    return answer(request, 403, str(exc) or "Your role may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return answer(request, 404, "Not found: nothing with this id, or not visible to you.")


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    return answer(request, 413, "The request body is too large.")


@api.exception_handler(Exception)
def unexpected(request, exc):
    """Never an HTML page: the database away is a 503 (as on the pages), anything else a
    logged 500 in the one shape."""
    if is_database_unavailable(exc):
        response = answer(request, 503, DATABASE_UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return answer(request, 500, "Something went wrong on our side; it is logged.")


def signed_in_only(view):
    """The schema and the docs, for people signed in or holding a token."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            if not any(auth(request) for auth in signed_in()):
                raise AuthenticationError()
        except Exception as exc:  # answered in the one shape
            return api.on_exception(request, exc)
        return view(request, *args, **kwargs)

    return wrapped


def json_refusals(view):
    """ninja's plain-text 405 in the one shape."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not isinstance(response, JsonResponse):
            allowed = ", ".join(sorted(response["Allow"].split(", ")))  # ninja's is a set
            response = JsonResponse(error_body(f"{request.method} is not allowed here; "
                                               f"use {allowed}."), status=405)
            response["Allow"] = allowed
        return response

    return wrapped


# ninja serves these whatever the method.
READ_ONLY = {"openapi-json", "openapi-view"}


def urls():
    """The API's URL patterns, answering in JSON and checking their own authentication (no
    login redirect). The docs page is a page for people: signing in first, as everywhere."""
    patterns, app_name, namespace = api.urls
    wrapped = []
    for pattern in patterns:
        view = pattern.callback
        view = json_refusals(require_GET(view) if pattern.name in READ_ONLY else view)
        if pattern.name != "openapi-view":
            view = login_not_required(view)
        wrapped.append(path(str(pattern.pattern), view, name=pattern.name))
    return wrapped, app_name, namespace
