"""The experiment pages: who may see and change them, the sample size shown before starting, the
confirmations, the results page (no verdict before the planned sample, says why; the verdict at
it) in bounded queries, and the setup hub's link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.experiments.assignment import partner_assign
from onboarding.experiments.models import Experiment, ExperimentAssignment, ExperimentStatus
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from onboarding.tests.factories import running_experiment as make_experiment
from partners.choices import PartnerStatus
from partners.models import Partner
from partners.tests.factories import PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

READ = {
    "anonymous": LOGIN,
    "partner_a_admin": 404,
    "partner_a_user": 404,
    "partner_b_admin": 404,
    "manager_owner": 200,
    "manager_other": 200,
    "vendor_admin": 200,
}
EDIT = {**READ, "manager_owner": 403, "manager_other": 403}


def _experiment(world, **kwargs):
    return make_experiment(
        program=world.partner_a.program, actor=world.users["vendor_admin"], **kwargs
    )


def _assign(world, experiment, n, *, activated_share=None, joined_days_ago=0):
    """``n`` partners assigned; with ``activated_share`` per variant id, joined long enough ago
    for their window to close and that share activated on day 5."""
    joined = timezone.now() - timedelta(days=joined_days_ago)
    for _ in range(n):
        partner = PartnerFactory(
            program=world.partner_a.program,
            tier=world.partner_a.tier,
            status=PartnerStatus.INACTIVE,
        )
        partner_assign(experiment=experiment, partner=partner)
    seen: dict[int, int] = {}
    for assignment in ExperimentAssignment.objects.filter(experiment=experiment):
        seen[assignment.variant_id] = seen.get(assignment.variant_id, 0) + 1
        share = (activated_share or {}).get(assignment.variant_id, 0)
        per_variant = n // 2
        activated = (
            joined + timedelta(days=5)
            if seen[assignment.variant_id] <= share * per_variant
            else None
        )
        Partner.objects.filter(pk=assignment.partner_id).update(
            joined_at=joined, activated_at=activated
        )


def test_the_pages_are_for_vendor_staff_and_edits_for_vendor_admins(client_as, world):
    experiment = _experiment(world)
    assert_role_matrix(client_as, reverse("onboarding:setup_experiments"), READ)
    assert_role_matrix(
        client_as, reverse("onboarding:setup_experiment", args=[experiment.pk]), READ
    )
    assert_role_matrix(
        client_as, reverse("onboarding:experiment_results", args=[experiment.pk]), READ
    )
    assert_role_matrix(client_as, reverse("onboarding:setup_experiment_create"), EDIT)
    assert_role_matrix(
        client_as, reverse("onboarding:setup_experiment_stop", args=[experiment.pk]), EDIT
    )


def test_creating_shows_the_sample_size_before_starting_then_start_confirms(client_as, world):
    control = ChecklistTemplateFactory(program=world.partner_a.program, name="Long path")
    shorter = ChecklistTemplateFactory(
        program=world.partner_a.program, name="Short path", is_active=False
    )
    for template in (control, shorter):
        TemplateStepFactory(template=template, key="first")
    client = client_as("vendor_admin")
    response = client.post(
        reverse("onboarding:setup_experiment_create"),
        {
            "name": "Short path test",
            "program": world.partner_a.program.pk,
            "window_days": "90",
            "baseline_rate": "20",
            "min_difference": "10",
            "alpha": "0.05",
            "power": "0.8",
            "template_1": control.pk,
            "weight_1": "1",
            "template_2": shorter.pk,
            "weight_2": "1",
        },
    )
    experiment = Experiment.objects.get(name="Short path test")
    assert response.status_code == 302 and experiment.status == ExperimentStatus.DRAFT
    page = client.get(response["Location"])
    assert page.content.decode().count('data-testid="sample-size">292<') == 2
    confirm = client.get(reverse("onboarding:setup_experiment_start", args=[experiment.pk]))
    assert confirm.status_code == 200 and "Start the experiment" in confirm.content.decode()
    client.post(reverse("onboarding:setup_experiment_start", args=[experiment.pk]))
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING


def test_a_bad_design_is_refused_with_400_and_nothing_saved(client_as, world):
    template = ChecklistTemplateFactory(program=world.partner_a.program)
    response = client_as("vendor_admin").post(
        reverse("onboarding:setup_experiment_create"),
        {"name": "x", "program": world.partner_a.program.pk, "window_days": "90", "baseline_rate": "95",
         "min_difference": "10", "alpha": "0.05", "power": "0.8", "template_1": template.pk,
         "weight_1": "1"},
    )  # fmt: skip
    assert response.status_code == 400 and not Experiment.objects.exists()


def test_results_before_the_planned_sample_say_why_there_is_no_verdict(
    client_as, world, django_assert_max_num_queries
):
    experiment = _experiment(world)
    variants = list(experiment.variants.all())
    _assign(world, experiment, 24, activated_share={variants[1].pk: 1.0}, joined_days_ago=120)
    client = client_as("manager_other")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("onboarding:experiment_results", args=[experiment.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "No verdict yet." in html and "fixed horizon" in html and "Verdict:" not in html
    assert "not a decision yet" in html
    assert page.context["analysis"].ready is False
    assert "experiment-curves-data" in html and "Stop to record it" not in html


def test_results_at_the_planned_sample_show_the_verdict_then_stop_rolls_out(
    client_as, world, django_assert_max_num_queries
):
    experiment = _experiment(world, min_difference="50")  # 20 % -> 70 %: a small sample
    variants = list(experiment.variants.all())
    n = 2 * experiment.sample_size + 4
    _assign(world, experiment, n, activated_share={variants[0].pk: 0.2, variants[1].pk: 0.9},
            joined_days_ago=120)  # fmt: skip
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("onboarding:experiment_results", args=[experiment.pk]))
    html = page.content.decode()
    assert "Verdict:" in html and variants[1].template.name in html
    stop = reverse("onboarding:setup_experiment_stop", args=[experiment.pk])
    assert "the verdict is valid" in client.get(stop).content.decode()
    client.post(stop, {"roll_out": "on"})
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.FINISHED
    assert experiment.winner_id == variants[1].pk and experiment.rolled_out_at is not None


def test_stopping_early_without_the_warning_ticked_is_refused(client_as, world):
    experiment = _experiment(world)
    stop = reverse("onboarding:setup_experiment_stop", args=[experiment.pk])
    client = client_as("vendor_admin")
    assert "No verdict is valid yet." in client.get(stop).content.decode()
    assert client.post(stop, {}).status_code == 400
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.RUNNING
    client.post(stop, {"early_ok": "on"})
    experiment.refresh_from_db()
    assert experiment.status == ExperimentStatus.STOPPED


def test_the_setup_hub_links_the_experiments(client_as, world):
    page = client_as("vendor_admin").get(reverse("console:setup"))
    assert reverse("onboarding:setup_experiments") in page.content.decode()
