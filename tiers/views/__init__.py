"""Vendor pages for tiers: the review list and the override form (thin over tiers' services and
selectors)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from partners.permissions import VendorStaffRequiredMixin
from partners.selectors import partner_benefits
from tiers import selectors
from tiers.forms import TierOverrideForm
from tiers.overrides import TierError, tier_override
from tiers.progress import tier_progress


class TierReviewView(VendorStaffRequiredMixin, TemplateView):
    template_name = "tiers/tier_review.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **selectors.tier_review_for_user(user=self.request.user), **kwargs
        )


class TierOverrideView(VendorStaffRequiredMixin, View):
    template_name = "tiers/tier_override.html"

    def _render(self, request, partner, form, status=200):
        context = {
            "partner": partner,
            "form": form,
            "progress": tier_progress(partner),
            "benefits": partner_benefits(partner),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        partner = selectors.partner_get_for_tier_override(user=request.user, pk=pk)
        return self._render(request, partner, TierOverrideForm(partner=partner))

    def post(self, request, pk):
        partner = selectors.partner_get_for_tier_override(user=request.user, pk=pk)
        form = TierOverrideForm(request.POST, partner=partner)
        if not form.is_valid():
            return self._render(request, partner, form, status=400)
        try:
            tier_override(
                partner=partner,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
                pinned_until=form.pinned_until_datetime(),
            )
        except TierError as exc:
            form.add_error(None, str(exc))
            return self._render(request, partner, form, status=400)
        messages.success(
            request,
            gettext_lazy("%(partner_name)s is now %(tier)s.")
            % {"partner_name": partner.name, "tier": form.cleaned_data["tier"].name},
        )
        return redirect("tiers:tier_override", partner.pk)
