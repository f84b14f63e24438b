"""The tier setup pages (/manage/setup/tiers/): a program's ladder, and one small form per tier,
requirement and benefit. Vendor admins edit; channel managers read the ladder (403 on every
edit route); partner users get 404. Thin: tiers.selectors reads, tiers.services writes and
refuses, tiers.impact previews.

A change that can move partners (a requirement added, changed or removed; a tier added or moved)
is shown before it is saved: the form's "Review impact" runs the nightly evaluation dry
(``tiers.impact.impact_of``) and the page offers "Save" for exactly what was reviewed.
"""

import hashlib
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView

from kernel.query import query_id
from partners.measures import measures, number_text
from partners.models import Program
from tiers import selectors, services
from tiers.forms import BenefitForm, RequirementForm, TierForm
from tiers.impact import impact_of, partners_meeting
from tiers.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup, can_view_setup

FORM_TEMPLATE = "tiers/setup/form.html"
CONFIRM_TEMPLATE = "tiers/setup/confirm.html"


def ladder_url(program_id: int) -> str:
    return f"{reverse('tiers:setup_tiers')}?program={program_id}"


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _digest(kind: str, data: dict) -> str:
    """What was reviewed, so "Save" saves exactly that (an edited form is reviewed again)."""
    text = json.dumps([kind, {k: str(v) for k, v in sorted(data.items())}], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class TierSetupView(SetupViewMixin, TemplateView):
    """The ladder of one program (a picker switches programs)."""

    template_name = "tiers/setup/ladder.html"

    def get_context_data(self, **kwargs):
        programs = selectors.setup_programs()
        wanted = query_id(self.request, "program")
        program = next((p for p in programs if p.pk == wanted), None)
        if wanted is not None and program is None:
            raise Http404("No such program.")
        program = program or (programs[0] if programs else None)
        ladder = selectors.setup_ladder(program=program) if program else {"rows": [], "untiered": 0}
        return super().get_context_data(
            programs=programs,
            program=program,
            can_edit=can_edit_setup(self.request.user),
            grace_days=_grace_days(),
            **ladder,
            **kwargs,
        )


def _grace_days() -> int:
    return settings.PRM_TIER_GRACE_DAYS


class _ReviewedFormPage(SetupEditMixin, View):
    """GET shows the form; POST validates, then either previews the impact ("Review impact")
    or, for what was reviewed, saves it ("Save"). Bad input answers 400 with the errors."""

    form_class = None
    title = ""
    kind = ""
    needs_review = True

    def load(self) -> None:
        raise NotImplementedError

    def program(self) -> Program:
        raise NotImplementedError

    def get_form(self, data=None):
        raise NotImplementedError

    def change(self, form):
        """A callable that makes the change with the service."""
        raise NotImplementedError

    def done_message(self, saved) -> str:
        return _("Saved.")

    def review_needed(self, form) -> bool:
        return self.needs_review

    def extra_context(self, form) -> dict:
        return {}

    def render_form(self, form, *, status=200, **extra):
        context = {
            "form": form,
            "title": self.title,
            "program": self.program(),
            "cancel_url": ladder_url(self.program().pk),
            "needs_review": self.review_needed(form)
            if form.is_bound and form.is_valid()
            else self.needs_review,
            **self.extra_context(form),
            **extra,
        }
        return render(self.request, FORM_TEMPLATE, context, status=status)

    def _needs_review(self, form) -> bool:
        if form.is_bound and form.is_valid():
            return self.review_needed(form)
        return self.needs_review

    def get(self, request, **kwargs):
        self.load()
        return self.render_form(self.get_form())

    def post(self, request, **kwargs):
        self.load()
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        action = request.POST.get("action", "review")
        if action == "check":
            return self.render_form(form, **self.check(form))
        digest = _digest(self.kind, form.cleaned_data)
        reviewed = request.POST.get("reviewed") == digest
        if not self.review_needed(form) or (action == "save" and reviewed):
            try:
                saved = self.change(form)()
            except ValidationError as exc:
                _apply_errors(form, exc)
                return self.render_form(form, status=400)
            messages.success(request, self.done_message(saved))
            return redirect(ladder_url(self.program().pk))
        try:
            impact = impact_of(program=self.program(), change=self.change(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.render_form(form, status=400)
        return self.render_form(form, impact=impact, reviewed=digest)

    def check(self, form) -> dict:
        return {}


# --- Tiers --------------------------------------------------------------------------------------


class TierCreateView(_ReviewedFormPage):
    title = gettext_lazy("New tier")
    kind = "tier-create"

    def dispatch(self, request, *args, **kwargs):
        # The ladder's "New tier" names the program; without one, pick it on the ladder.
        user = request.user
        if user.is_authenticated and can_edit_setup(user) and query_id(request, "program") is None:
            return redirect("tiers:setup_tiers")
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        self._program = get_object_or_404(Program, pk=query_id(self.request, "program"))
        self.highest = self._program.tiers.count() + 1

    def program(self):
        return self._program

    def get_form(self, data=None):
        return TierForm(data=data, highest=self.highest, initial={"rank": self.highest})

    def change(self, form):
        c = form.cleaned_data
        return lambda: services.tier_create(
            actor=self.request.user,
            program=self._program,
            name=c["name"],
            description=c.get("description", ""),
            rank=c.get("rank"),
        )

    def done_message(self, tier):
        return _("Tier %(tier)s added.") % {"tier": tier.name}


class TierEditView(_ReviewedFormPage):
    title = gettext_lazy("Edit tier")
    kind = "tier-edit"

    def load(self):
        self.tier = selectors.setup_tier_get(pk=self.kwargs["pk"])
        self.highest = self.tier.program.tiers.count()

    def program(self):
        return self.tier.program

    def get_form(self, data=None):
        initial = {
            "name": self.tier.name,
            "rank": self.tier.rank,
            "description": self.tier.description,
        }
        return TierForm(data=data, highest=self.highest, initial=initial)

    def review_needed(self, form):
        """Only a new rank can move partners; a new name or description is saved at once."""
        rank = form.cleaned_data.get("rank")
        return rank is not None and rank != self.tier.rank

    def change(self, form):
        c = form.cleaned_data
        return lambda: services.tier_update(
            actor=self.request.user,
            tier=self.tier,
            name=c["name"],
            description=c.get("description", ""),
            rank=c.get("rank"),
        )

    def extra_context(self, form):
        return {"tier": self.tier}


class TierMoveView(SetupEditMixin, View):
    """POST ``direction`` up/down: shows the impact of the swap; with ``confirm`` saves it."""

    def post(self, request, pk):
        tier = selectors.setup_tier_get(pk=pk)
        direction = request.POST.get("direction", "")
        change = lambda: services.tier_move(actor=request.user, tier=tier, direction=direction)  # noqa: E731
        try:
            if request.POST.get("confirm"):
                change()
                messages.success(request, _("Tier %(tier)s moved.") % {"tier": tier.name})
                return redirect(ladder_url(tier.program_id))
            impact = impact_of(program=tier.program, change=change)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(ladder_url(tier.program_id))
        title = (
            _("Move %(tier)s up a rank?") if direction == "up" else _("Move %(tier)s down a rank?")
        ) % {"tier": tier.name}
        return render(
            request,
            CONFIRM_TEMPLATE,
            {
                "title": title,
                "program": tier.program,
                "impact": impact,
                "action_url": reverse("tiers:setup_tier_move", args=[tier.pk]),
                "fields": {"direction": direction, "confirm": "1"},
                "button": _("Save the new order"),
                "cancel_url": ladder_url(tier.program_id),
            },
        )


class TierDeleteView(SetupEditMixin, View):
    """GET: what deleting would need (or why it is refused); POST: delete."""

    def get(self, request, pk):
        tier = selectors.setup_tier_get(pk=pk)
        references = selectors.tier_references(tier)
        return render(
            request,
            CONFIRM_TEMPLATE,
            {
                "title": _("Delete tier %(tier)s?") % {"tier": tier.name},
                "program": tier.program,
                "references": references,
                "refused": bool(references),
                "intro": _(
                    "Its requirements and benefits are deleted with it; the tiers above it move "
                    "down one rank."
                ),
                "action_url": reverse("tiers:setup_tier_delete", args=[tier.pk]),
                "fields": {},
                "button": _("Delete the tier"),
                "danger": True,
                "cancel_url": ladder_url(tier.program_id),
            },
        )

    def post(self, request, pk):
        tier = selectors.setup_tier_get(pk=pk)
        try:
            services.tier_delete(actor=request.user, tier=tier)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(ladder_url(tier.program_id))
        messages.success(request, _("Tier %(tier)s deleted.") % {"tier": tier.name})
        return redirect(ladder_url(tier.program_id))


# --- Requirements -------------------------------------------------------------------------------


def _count_text(meet: int, active: int) -> str:
    return ngettext(
        "%(meet)s of %(active)s active partner meets this today.",
        "%(meet)s of %(active)s active partners meet this today.",
        active,
    ) % {"meet": meet, "active": active}


class _RequirementPage(_ReviewedFormPage):
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


class _BenefitPage(_ReviewedFormPage):
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
