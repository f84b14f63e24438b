"""Pages of activation experiments: the setup area (vendor admins create, start, stop and roll
out; channel managers read, the edit routes answer them 403) and the results page (vendor staff
read). Partner users get 404. Thin: selectors read, services write and refuse."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from kernel.forms import apply_errors
from onboarding.experiments import selectors, services
from onboarding.experiments.forms import ExperimentForm, StopForm
from onboarding.experiments.models import ExperimentStatus
from onboarding.permissions import SetupEditMixin, SetupViewMixin, can_edit_setup
from partners.permissions import VendorStaffRequiredMixin

PAGE_SIZE = 50


def _detail_url(pk: int) -> str:
    return reverse("onboarding:setup_experiment", args=[pk])


class ExperimentListView(SetupViewMixin, TemplateView):
    template_name = "onboarding/experiments/experiment_list.html"

    def get_context_data(self, **kwargs):
        experiments = selectors.experiment_list_for_user(user=self.request.user)
        page = Paginator(experiments, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, can_edit=can_edit_setup(self.request.user), **kwargs
        )


class ExperimentCreateView(SetupEditMixin, View):
    template_name = "onboarding/experiments/experiment_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ExperimentForm()})

    def post(self, request):
        form = ExperimentForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            experiment = services.experiment_create(
                actor=request.user, data=form.cleaned_data, variants=form.variants()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(request, _("Saved as a draft: check the sample size, then start it."))
        return redirect(_detail_url(experiment.pk))


class ExperimentDetailView(SetupViewMixin, TemplateView):
    """The design, the sample size each variant needs (shown before starting) and the actions."""

    template_name = "onboarding/experiments/experiment_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        experiment = selectors.experiment_get_for_user(user=user, pk=self.kwargs["pk"])
        return super().get_context_data(
            experiment=experiment,
            variants=selectors.variants_of(experiment),
            can_edit=can_edit_setup(user),
            **kwargs,
        )


class _ActionView(SetupEditMixin, View):
    """GET: the confirmation page saying what will happen; POST: do it."""

    template_name = "onboarding/experiments/experiment_confirm.html"
    action = ""

    def load(self):
        self.experiment = selectors.experiment_get_for_user(
            user=self.request.user, pk=self.kwargs["pk"]
        )

    def context(self, **extra):
        return {"experiment": self.experiment, "action": self.action, **extra}

    def get(self, request, pk):
        self.load()
        return render(request, self.template_name, self.context())


class ExperimentStartView(_ActionView):
    action = "start"

    def context(self, **extra):
        return super().context(variants=selectors.variants_of(self.experiment), **extra)

    def post(self, request, pk):
        self.load()
        try:
            services.experiment_start(actor=request.user, experiment=self.experiment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_detail_url(pk))
        messages.success(request, _("Started: new partners of this scope are assigned."))
        return redirect(_detail_url(pk))


class ExperimentStopView(_ActionView):
    action = "stop"

    def context(self, **extra):
        analysis = selectors.experiment_analysis(experiment=self.experiment)
        return super().context(
            analysis=analysis,
            verdict=selectors.verdict_sentence(self.experiment, analysis),
            form=extra.pop("form", StopForm()),
            **extra,
        )

    def post(self, request, pk):
        self.load()
        form = StopForm(request.POST)
        form.is_valid()
        try:
            services.experiment_stop(
                actor=request.user,
                experiment=self.experiment,
                roll_out=form.cleaned_data.get("roll_out", False),
                early_ok=form.cleaned_data.get("early_ok", False),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return render(request, self.template_name, self.context(form=form), status=400)
        messages.success(request, _("Stopped: no new partner is assigned."))
        return redirect(_detail_url(pk))


class ExperimentRollOutView(_ActionView):
    action = "roll_out"

    def post(self, request, pk):
        self.load()
        try:
            services.experiment_roll_out(actor=request.user, experiment=self.experiment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_detail_url(pk))
        messages.success(request, _("Rolled out: new partners of this scope get the winner."))
        return redirect(_detail_url(pk))


class ExperimentRollOutEndView(_ActionView):
    action = "roll_out_end"

    def post(self, request, pk):
        self.load()
        try:
            services.experiment_roll_out_end(actor=request.user, experiment=self.experiment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_detail_url(pk))
        messages.success(request, _("Roll-out ended: new partners get the usual checklist."))
        return redirect(_detail_url(pk))


class ExperimentResultsView(VendorStaffRequiredMixin, TemplateView):
    """Per variant: assigned, activated within N days (closed windows) with its interval, the
    Kaplan-Meier curves, the difference with the control, the decision only at the planned
    sample, and the per-step funnel. Bounded queries: experiment, variants, records, funnel."""

    template_name = "onboarding/experiments/experiment_results.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        experiment = selectors.experiment_get_for_user(user=user, pk=self.kwargs["pk"])
        variants = selectors.variants_of(experiment)
        # a stopped experiment is read as it was when it stopped
        now = experiment.stopped_at or timezone.now()
        analysis = selectors.experiment_analysis(experiment=experiment, now=now, variants=variants)
        funnel = selectors.step_funnel(experiment=experiment)
        names = {v.pk: v.template.name for v in variants}
        rows = []
        for variant, result in zip(variants, analysis.variants, strict=True):
            closed_share = min(result.closed / result.planned, 1.0) if result.planned else 0.0
            rows.append(
                {
                    "variant": variant,
                    "result": result,
                    "progress": round(100 * closed_share),
                    "funnel": funnel.get(variant.pk, []),
                }
            )
        comparisons = [
            {"name": names[c.variant], "control": names[c.control], "c": c}
            for c in analysis.comparisons
        ]
        chart = {
            "window": experiment.window_days,
            "x_label": _("days since joining"),
            "series": [
                {"label": names[r.variant], "points": [{"x": x, "y": y} for x, y in r.curve]}
                for r in analysis.variants
            ],
        }
        return super().get_context_data(
            experiment=experiment,
            analysis=analysis,
            rows=rows,
            comparisons=comparisons,
            chart=chart,
            verdict=selectors.verdict_sentence(experiment, analysis),
            winner_name=names.get(experiment.winner_id or analysis.winner or 0, ""),
            is_running=experiment.status == ExperimentStatus.RUNNING,
            can_edit=can_edit_setup(user),
            **kwargs,
        )
