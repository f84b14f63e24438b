"""The tier setup pages for a tier's requirements (with the live count and the impact
preview) and its benefits; the shared pieces are in ``tiers.views.setup``."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from partners.measures import Unit, measures, number_text
from tiers import selectors, services
from tiers.forms import BenefitForm, RequirementForm
from tiers.impact import impact_of, partners_meeting
from tiers.permissions import SetupEditMixin, can_view_setup
from tiers.views.setup import CONFIRM_TEMPLATE, ReviewedFormPage, ladder_url

# --- Requirements -------------------------------------------------------------------------------


def _count_text(meet: int, active: int) -> str:
    return ngettext(
        "%(meet)s of %(active)s active partner meets this today.",
        "%(meet)s of %(active)s active partners meet this today.",
        active,
    ) % {"meet": meet, "active": active}


class _RequirementPage(ReviewedFormPage):
    def program(self):
        return self.tier.program

    def check(self, form):
        """The no-JavaScript "Check": the form again with how many partners meet it today."""
        kwargs = form.service_kwargs()
        meet, active = partners_meeting(
            tier=self.tier,
            metric=kwargs["metric"],
            minimum=kwargs["minimum"],
            subject_id=kwargs["subject_id"],
        )
        return {"live_count": _count_text(meet, active)}

    def extra_context(self, form):
        return {
            "tier": self.tier,
            "count_url": reverse("tiers:setup_requirement_count", args=[self.tier.pk]),
            "subject_measures": json.dumps(form.subject_measures),
            "is_requirement": True,
            "catalogue": [
                {
                    "key": key,
                    "label": m.label,
                    "unit": Unit(m.unit).label,
                    "counting": m.counting,
                    "subject": m.subject,
                }
                for key, m in measures.items()
            ],
        }


class RequirementCreateView(_RequirementPage):
    title = gettext_lazy("New requirement")
    kind = "requirement-create"

    def load(self):
        self.tier = selectors.setup_tier_get(pk=self.kwargs["pk"])

    def get_form(self, data=None):
        return RequirementForm(data=data)

    def change(self, form):
        return lambda: services.requirement_create(
            actor=self.request.user, tier=self.tier, **form.service_kwargs()
        )

    def done_message(self, requirement):
        return _("Requirement added to %(tier)s.") % {"tier": self.tier.name}


class RequirementEditView(_RequirementPage):
    title = gettext_lazy("Edit requirement")
    kind = "requirement-edit"

    def load(self):
        self.requirement = selectors.setup_requirement_get(pk=self.kwargs["pk"])
        self.tier = self.requirement.tier

    def get_form(self, data=None):
        r = self.requirement
        initial = {"metric": r.metric, "minimum": number_text(r.minimum), "note": r.note}
        measure = r.measure
        if measure is not None and measure.subject and r.subject_id:
            initial[measure.subject] = str(r.subject_id)
        return RequirementForm(data=data, initial=initial)

    def change(self, form):
        return lambda: services.requirement_update(
            actor=self.request.user, requirement=self.requirement, **form.service_kwargs()
        )

    def extra_context(self, form):
        return {
            **super().extra_context(form),
            "delete_url": reverse("tiers:setup_requirement_delete", args=[self.requirement.pk]),
        }


class RequirementDeleteView(SetupEditMixin, View):
    """GET: the impact of removing the requirement and a confirmation; POST: remove it."""

    def get(self, request, pk):
        requirement = selectors.setup_requirement_get(pk=pk)
        tier = requirement.tier
        try:
            impact = impact_of(
                program=tier.program,
                change=lambda: services.requirement_delete(
                    actor=request.user, requirement=requirement
                ),
            )
        except ValidationError as exc:  # pragma: no cover - a removal is never refused today
            for message in exc.messages:
                messages.error(request, message)
            return redirect(ladder_url(tier.program_id))
        return render(
            request,
            CONFIRM_TEMPLATE,
            {
                "title": _("Remove “%(requirement)s” from %(tier)s?")
                % {"requirement": requirement, "tier": tier.name},
                "program": tier.program,
                "impact": impact,
                "action_url": reverse("tiers:setup_requirement_delete", args=[requirement.pk]),
                "fields": {},
                "button": _("Remove the requirement"),
                "danger": True,
                "cancel_url": ladder_url(tier.program_id),
            },
        )

    def post(self, request, pk):
        requirement = selectors.setup_requirement_get(pk=pk)
        services.requirement_delete(actor=request.user, requirement=requirement)
        messages.success(
            request, _("Requirement removed from %(tier)s.") % {"tier": requirement.tier.name}
        )
        return redirect(ladder_url(requirement.tier.program_id))


class RequirementCountView(View):
    """GET ``metric``, ``minimum`` and the measure's subject (e.g. ``certification``): JSON
    ``{"meet", "active", "text"}``, how many active partners of the tier's program meet it
    today. For vendor staff; every answer, errors included, is JSON (401 anonymous, 404 anybody
    else or an unknown tier, 400 with ``errors`` by field for bad input)."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            return JsonResponse({"detail": _("Log in first.")}, status=401)
        if not can_view_setup(request.user):
            return JsonResponse({"detail": _("Not found.")}, status=404)
        try:
            tier = selectors.setup_tier_get(pk=pk)
        except Http404:
            return JsonResponse({"detail": _("Not found.")}, status=404)
        form = RequirementForm(data=request.GET)
        form.fields["note"].required = False
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        kwargs = form.service_kwargs()
        meet, active = partners_meeting(
            tier=tier,
            metric=kwargs["metric"],
            minimum=kwargs["minimum"],
            subject_id=kwargs["subject_id"],
        )
        response = JsonResponse(
            {
                "meet": meet,
                "active": active,
                "text": _count_text(meet, active),
                "unit": str(measures.get(kwargs["metric"]).unit),
                "minimum": number_text(kwargs["minimum"]),
            }
        )
        response["Cache-Control"] = "no-store"
        return response


# --- Benefits -----------------------------------------------------------------------------------


class _BenefitPage(ReviewedFormPage):
    needs_review = False  # a benefit moves nobody: it is saved at once

    def program(self):
        return self.tier.program

    def extra_context(self, form):
        return {"tier": self.tier}


class BenefitCreateView(_BenefitPage):
    title = gettext_lazy("New benefit")
    kind = "benefit-create"

    def load(self):
        self.tier = selectors.setup_tier_get(pk=self.kwargs["pk"])

    def get_form(self, data=None):
        return BenefitForm(data=data)

    def change(self, form):
        return lambda: services.benefit_create(
            actor=self.request.user, tier=self.tier, **form.service_kwargs()
        )


class BenefitEditView(_BenefitPage):
    title = gettext_lazy("Edit benefit")
    kind = "benefit-edit"

    def load(self):
        self.benefit = selectors.setup_benefit_get(pk=self.kwargs["pk"])
        self.tier = self.benefit.tier

    def get_form(self, data=None):
        b = self.benefit
        initial = {
            "kind": b.kind,
            "name": b.name,
            "amount": number_text(b.amount) if b.amount is not None else None,
            "period": b.period,
            "value": b.value,
            "description": b.description,
            "position": b.position,
            "translations": b.translations,
        }
        return BenefitForm(data=data, initial=initial)

    def change(self, form):
        return lambda: services.benefit_update(
            actor=self.request.user, benefit=self.benefit, **form.service_kwargs()
        )

    def extra_context(self, form):
        return {
            "tier": self.tier,
            "delete_url": reverse("tiers:setup_benefit_delete", args=[self.benefit.pk]),
            "delete_question": _("Remove this benefit from %(tier)s?") % {"tier": self.tier.name},
        }


class BenefitDeleteView(SetupEditMixin, View):
    def post(self, request, pk):
        benefit = selectors.setup_benefit_get(pk=pk)
        services.benefit_delete(actor=request.user, benefit=benefit)
        messages.success(request, _("Benefit removed from %(tier)s.") % {"tier": benefit.tier.name})
        return redirect(ladder_url(benefit.tier.program_id))
