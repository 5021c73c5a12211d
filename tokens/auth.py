"""How the API knows who calls it: a personal token (`Authorization: Bearer <token>`) or the
browser's session (with its CSRF token on unsafe methods); and the per-token rate limit.

Every operation names the permission it needs (`signed_in(permission)`), checked here, before
ninja reads the body: a role that may not act gets 403 whatever it sends.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from whobenefits.roles import read_roles

from .models import ApiToken

NOT_ALLOWED = "Your role may not do this."


def check_permission(person, permission, refusal):
    """`permission` is a permission's name, or a test of the person (admins: is_staff)."""
    if permission is None:
        return person
    allowed = permission(person) if callable(permission) else read_roles(person).has_perm(
        permission)
    if not allowed:
        raise PermissionDenied(refusal or NOT_ALLOWED)
    return person


class BearerToken(HttpBearer):
    """A personal API token; a wrong, expired or revoked one is 401 even with a session."""

    def __init__(self, permission=None, refusal=None):
        self.permission, self.refusal = permission, refusal
        super().__init__()

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if header is None:
            return None
        scheme, _, raw = header.partition(" ")
        token = ApiToken.authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            raise AuthenticationError(message="This API token is not valid: it is wrong, "
                                              "expired or revoked, or its person is deactivated.")
        # The token acts as its person, with their role as it is now.
        request.user, request.api_token = token.person, token
        return check_permission(token.person, self.permission, self.refusal)

    def authenticate(self, request, token):  # __call__ does it all
        raise NotImplementedError


class Session(APIKeyCookie):
    """The browser's session: a signed-in person, and CSRF's token on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, permission=None, refusal=None):
        self.permission, self.refusal = permission, refusal
        super().__init__(csrf=True)

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None  # 401, not a CSRF refusal, for someone not signed in
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the "
                                 "csrftoken cookie's value, or use an API token.")
        return check_permission(request.user, self.permission, self.refusal)

    def authenticate(self, request, key):  # __call__ does it all
        raise NotImplementedError


def signed_in(permission=None, refusal=None):
    """The API's authentication for an operation that needs `permission` (a name, or a
    test of the person), or none."""
    return [BearerToken(permission, refusal), Session(permission, refusal)]


class TokenRateThrottle(SimpleRateThrottle):
    """settings.API_RATE_LIMIT requests per token ("600/min"); the browser is not limited.

    Counted in Django's cache: with the default local-memory cache that is per server
    process (gunicorn's workers each count), so set a shared cache to make it exact.
    """

    def __init__(self):  # the rate is read at each request, so settings can change it
        pass

    def allow_request(self, request):
        self.num_requests, self.duration = self.parse_rate(settings.API_RATE_LIMIT)
        return super().allow_request(request)

    def get_cache_key(self, request):
        token = getattr(request, "api_token", None)
        # The digest, not the id: ids come back after a rollback; digests never do.
        return None if token is None else f"api-rate-{token.digest[:32]}"

