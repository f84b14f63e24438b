"""Customer pages: a partner's own customer accounts and their user adoption (portal), and the
program-wide user adoption by partner (vendor staff). Thin: selectors do the reading."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from customers import selectors
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin

PAGE_SIZE = 50


class _CustomersPage(TemplateView):
    template_name = "customers/customer_list.html"

    def get_context_data(self, **kwargs):
        accounts = selectors.customer_account_list_for_user(user=self.request.user).order_by(
            "partner__name", "name", "pk"
        )
        page = Paginator(accounts, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class PartnerCustomersView(PartnerMemberRequiredMixin, _CustomersPage):
    """A partner member's own customer accounts, seats and user adoption."""


class ManagerCustomersView(VendorStaffRequiredMixin, _CustomersPage):
    """Every customer account, and user adoption by partner."""
