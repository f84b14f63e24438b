from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from console import urls as console_urls
from partners import urls as partner_urls
from prm import views

# The admin logs in through allauth, so it gets the same rate limits and MFA as the portal.
admin.site.login = secure_admin_login(admin.site.login)
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
    path("api/v1/", include("prm.api.urls")),
]

# Under /api/ every error is JSON, also those raised outside DRF's views (kernel/api/errors.py).
handler400 = "kernel.api.errors.bad_request"
handler403 = "kernel.api.errors.permission_denied"
handler404 = "kernel.api.errors.not_found"
handler500 = "kernel.api.errors.server_error"
