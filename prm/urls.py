from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

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
    path("", include("partners.urls")),
    path("", include("tiers.urls")),
    path("", include("onboarding.urls")),
    path("", include("enablement.urls")),
    path("", include("deals.urls")),
    path("", include("metrics.urls")),
    path("", include("incentives.urls")),
    path("", include("accounts.urls")),
    path("", include("customers.urls")),
    path("", include("webhooks.urls")),
    path("", include("audit.urls")),
    path("api/v1/", include("prm.api.urls")),
]

# Under /api/ every error is JSON, also those raised outside DRF's views (prm/api/errors.py).
handler400 = "prm.api.errors.bad_request"
handler403 = "prm.api.errors.permission_denied"
handler404 = "prm.api.errors.not_found"
handler500 = "prm.api.errors.server_error"
