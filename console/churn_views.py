"""The churn model page for vendor staff (``console:churn_model``): the stored versions with
their backtest against the at-risk rules and the newest one's reliability chart
(docs/metrics.md "Churn forecast"). Partners never reach it (vendor staff only)."""

from django.views.generic import TemplateView

from metrics import churn_pages
from metrics.churn import FEATURES, HORIZON_DAYS
from partners.permissions import VendorStaffRequiredMixin


class ChurnModelView(VendorStaffRequiredMixin, TemplateView):
    template_name = "console/churn_model.html"

    def get_context_data(self, **kwargs):
        page = churn_pages.model_page()
        version = page["state"].version
        weights = []
        if page["state"].trained:
            weights = sorted(
                zip(version.feature_names, version.coefficients, strict=True),
                key=lambda item: -abs(item[1]),
            )
        return super().get_context_data(
            **page, weights=weights, features=FEATURES, horizon=HORIZON_DAYS, **kwargs
        )
