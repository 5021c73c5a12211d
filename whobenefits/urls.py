from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import health
from .api import urls as api_urls

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="roadmap:item-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("personas/", include("personas.urls")),
    path("roadmap/", include("roadmap.urls")),
    path("imports/", include("imports.urls")),
    path("evidence/", include("evidence.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("calibration/", include("calibration.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("audit.urls")),
    path("tokens/", include("tokens.urls")),
    path("api/", api_urls()),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

# Denials are logged with the person and address before the 403 page is shown.
handler403 = "audit.responses.permission_denied"
# Under /api/ a missing page is JSON, like every answer there.
handler404 = "whobenefits.errors.page_not_found"
# The database away: 503 and a page (or JSON under /api/) that says so, not a 500.
handler500 = "whobenefits.errors.server_error"
