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
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from kernel.forms import apply_errors
from kernel.query import query_id
from partners.models import Program
from tiers import selectors, services
from tiers.forms import TierForm
from tiers.impact import impact_of
from tiers.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup

FORM_TEMPLATE = "tiers/setup/form.html"
CONFIRM_TEMPLATE = "tiers/setup/confirm.html"


def ladder_url(program_id: int) -> str:
    return f"{reverse('tiers:setup_tiers')}?program={program_id}"


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


class ReviewedFormPage(SetupEditMixin, View):
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
                apply_errors(form, exc)
                return self.render_form(form, status=400)
            messages.success(request, self.done_message(saved))
            return redirect(ladder_url(self.program().pk))
        try:
            impact = impact_of(program=self.program(), change=self.change(form))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_form(form, status=400)
        return self.render_form(form, impact=impact, reviewed=digest)

    def check(self, form) -> dict:
        return {}


# --- Tiers --------------------------------------------------------------------------------------


class TierCreateView(ReviewedFormPage):
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
            translations=c.get("translations", {}),
        )

    def done_message(self, tier):
        return _("Tier %(tier)s added.") % {"tier": tier.name}


class TierEditView(ReviewedFormPage):
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
            "translations": self.tier.translations,
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
            translations=c.get("translations", {}),
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
