from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import include, path

from console import urls as console_urls
from partners import urls as partner_urls
from prm import views


def _superusers_only(request) -> bool:
    """The Django admin is for superusers (operators): vendor admins run the program from the
    product's setup pages (/manage/setup/), which check roles, validate and audit every change;
    ``is_staff`` alone no longer opens the admin."""
    return request.user.is_active and request.user.is_superuser


def _admin_login(view):
    """The admin logs in through allauth, so it gets the same rate limits and MFA as the portal;
    a signed-in user who is not a superuser is refused (403) instead of seeing a login form."""
    secured = secure_admin_login(view)

    def login(request, *args, **kwargs):
        if request.user.is_authenticated and not _superusers_only(request):
            raise PermissionDenied
        return secured(request, *args, **kwargs)

    return login


admin.site.has_permission = _superusers_only
admin.site.login = _admin_login(admin.site.login)
admin.site.site_header = "PRM administration"
admin.site.site_title = "PRM admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The console's pages keep their names in the partners and metrics namespaces (console/urls.py).
    path("", include((partner_urls.urlpatterns + console_urls.partner_pages, "partners"))),
    path("", include("tiers.urls")),
    path("", include("onboarding.urls")),
    path("", include("enablement.urls")),
    path("", include("deals.urls")),
    path("", include((console_urls.metric_pages, "metrics"))),
    path("", include((console_urls.console_pages, "console"))),
    path("", include("incentives.urls")),
    path("", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include("webhooks.urls")),
    path("", include("audit.urls")),
    path("", include("followup.urls")),
    path("", include("notifications.urls")),
    path("", include("leads.urls")),
    path("", include("plans.urls")),
    path("api/v1/", include("prm.api.urls")),
]

# Under /api/ every error is JSON, also those raised outside DRF's views (kernel/api/errors.py).
handler400 = "kernel.api.errors.bad_request"
handler403 = "kernel.api.errors.permission_denied"
handler404 = "kernel.api.errors.not_found"
handler500 = "kernel.api.errors.server_error"
