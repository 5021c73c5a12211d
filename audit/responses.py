"""Responses the security settings point at: the 403 page and the login lockout."""

from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from .security_log import log_denied


@requires_csrf_token
def permission_denied(request, exception=None):
    """handler403: log who was refused what, then show the plain 403 page."""
    log_denied(request, str(exception or ""))
    return render(request, "403.html", status=403)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a locked account looks exactly like a wrong password.

    The login view has already answered with its "enter a correct username and password"
    error (axes' backend refused the login); hand that back unchanged, so a guesser cannot
    tell a lockout from a wrong password or an unknown account. The lockout is logged.
    """
    if original_response is not None:
        return original_response
    form = AuthenticationForm(request)
    form.cleaned_data = {}
    form.add_error(None, form.get_invalid_login_error())
    return render(request, "registration/login.html", {"form": form}, status=200)
