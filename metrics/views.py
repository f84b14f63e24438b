"""Metric pages. Thin: resolve the partner through partners.selectors (scoped to the user; an
outsider gets 404), then render what metrics.definitions computes."""

from django.views.generic import TemplateView

from metrics import definitions
from partners import selectors as partner_selectors
from partners.permissions import PartnerMemberRequiredMixin, VendorStaffRequiredMixin


class _AdoptionPage(TemplateView):
    template_name = "metrics/partner_adoption.html"
    history_days = 90

    def get_partner(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        partner = self.get_partner()
        score = definitions.adoption_score_for_partner(partner_id=partner.pk)
        history = definitions.adoption_score_history(partner_id=partner.pk)
        return super().get_context_data(
            partner=partner,
            score=score,
            explained=definitions.adoption_score_explained(score) if score else [],
            offerings=definitions.partner_offerings(partner_id=partner.pk),
            freshness=definitions.metrics_freshness(),
            history={
                "labels": [p.day.isoformat() for p in history],
                "scores": [p.score for p in history],
            },
            **kwargs,
        )


class PartnerAdoptionView(PartnerMemberRequiredMixin, _AdoptionPage):
    """A partner user's own adoption: score, its parts, its 90-day history, offerings."""

    def get_partner(self):
        membership = partner_selectors.membership_for_user(self.request.user)
        return partner_selectors.partner_get_for_user(
            user=self.request.user, pk=membership.partner_id
        )


class ManagerPartnerAdoptionView(VendorStaffRequiredMixin, _AdoptionPage):
    """The same page about one partner, for vendor staff."""

    def get_partner(self):
        return partner_selectors.partner_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
