"""The security log: logins, logouts, failed logins, lockouts and 403s, with who and where.

Written to the "whobenefits.security" logger (settings.LOGGING); ship it to your log store.
Connected in AuditConfig.ready(). Usernames are logged with %r so a typed newline cannot
forge a log line.
"""

import logging

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("whobenefits.security")


def client_address(request):
    """The client's address: REMOTE_ADDR, or what the trusted proxies put in X-Forwarded-For.

    Behind a proxy every request comes from the proxy's address; counting lockouts by it
    would lock everyone out at once. Only the last TRUSTED_PROXY_COUNT hops are trusted:
    anything further left was written by the client and may be forged.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                 if part.strip()]
    if count and len(forwarded) >= count:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def address(request):
    """The client's address as django-axes sees it (the same one lockouts count)."""
    return (get_client_ip_address(request) if request is not None else None) or "unknown"


def who(request):
    person = getattr(request, "user", None)
    return person.get_username() if person is not None and person.is_authenticated \
        else "anonymous"


@receiver(user_logged_in, dispatch_uid="security-log-login")
def log_login(sender, request, user, **kwargs):
    log.info("login username=%r address=%s", user.get_username(), address(request))


@receiver(user_logged_out, dispatch_uid="security-log-logout")
def log_logout(sender, request, user, **kwargs):
    username = user.get_username() if user is not None else "anonymous"
    log.info("logout username=%r address=%s", username, address(request))


@receiver(user_login_failed, dispatch_uid="security-log-login-failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    log.warning("login failed username=%r address=%s", credentials.get("username"),
                address(request))


@receiver(user_locked_out, dispatch_uid="security-log-locked-out")
def log_locked_out(sender, request, username, ip_address, **kwargs):
    log.warning("login locked out username=%r address=%s", username, ip_address or "unknown")


def log_denied(request, reason=""):
    log.warning("403 denied username=%r address=%s method=%s path=%r reason=%r",
                who(request), address(request), request.method, request.path, reason)
