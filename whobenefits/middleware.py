from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse

from .roles import read_roles


class LoginRequired(LoginRequiredMiddleware):
    """Login on every page (Django's rule), and a clean answer to htmx whose session ended.

    Redirecting an htmx request to the login page would swap that whole page into the one
    on screen. A 401 swaps nothing: the page and what the person typed stay, and app.js
    shows the notice in base.html with a link to log in again.

    A signed-in person's roles are read here, in one statement (see whobenefits/roles.py):
    every page asks for them.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "login_required", True) and request.user.is_authenticated:
            read_roles(request.user)
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        # A history restore (back/forward) loads a whole page: it may go to the login page.
        if request.htmx and not request.htmx.history_restore_request:
            return HttpResponse("Your session has ended: log in again.", status=401,
                                content_type="text/plain; charset=utf-8")
        return super().handle_no_permission(request, view_func)
