"""/api/v1/: the one router every app registers on, the OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from customers.api import routes as customer_routes
from deals.api import routes as deal_routes
from enablement.api import routes as enablement_routes
from incentives.api import routes as incentive_routes
from ingestion.api import routes as ingestion_routes
from leads.api import routes as lead_routes
from metrics.api import routes as metrics_routes
from onboarding.api import routes as onboarding_routes
from partners.api import routes as partner_routes
from plans.api import routes as plan_routes
from webhooks.api import routes as webhook_routes

# No `.json` suffix routes: JSON is the only format, and the suffix variants reached handlers
# that take no `format` argument (a 500 found by the access sweep, tests/security/).
router = DefaultRouter()
router.include_format_suffixes = False
API_APPS = (
    partner_routes,
    onboarding_routes,
    deal_routes,
    enablement_routes,
    customer_routes,
    incentive_routes,
    webhook_routes,
    lead_routes,
    plan_routes,
)
for app in API_APPS:
    app.register(router)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *metrics_routes.urlpatterns,
    *ingestion_routes.urlpatterns,
    *customer_routes.urlpatterns,
    path("", include(router.urls)),
]
