"""Assignment at approval: random (chi-square goodness of fit), stratified (balance within each
partner type x region), stable and exactly once; the partner gets its variant's checklist; the
guardrails (one running experiment per scope, the stop rule, the roll-out)."""

import itertools
import random
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from scipy.stats import chisquare

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from events.models import Event
from onboarding import services
from onboarding.experiments import assignment as assignment_module
from onboarding.experiments import services as experiment_services
from onboarding.experiments.assignment import new_block, partner_assign
from onboarding.experiments.models import ExperimentAssignment, ExperimentStatus, Verdict
from onboarding.tests.factories import ApplicationFactory, running_experiment
from partners import services as partner_services
from partners.choices import PartnerStatus, Region
from partners.tests.factories import PartnerFactory, PartnerTypeFactory, ProgramFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(monkeypatch):
    """A seeded generator, so a distribution check is reproducible (the product uses the
    operating system's)."""
    monkeypatch.setattr(assignment_module, "rng", random.Random(20261206))


@pytest.fixture
def program():
    program = ProgramFactory()
    program.first_tier = TierFactory(program=program, rank=1)
    return program


def _partner(program, **kwargs):
    """Not entering onboarding, so not assigned until a test assigns it (a partner created in
    onboarding is assigned at once)."""
    return PartnerFactory(
        program=program, tier=program.first_tier, status=PartnerStatus.INACTIVE, **kwargs
    )


def _approve(program, *, partner_type=None, region=Region.EMEA):
    application = ApplicationFactory(partner_type=partner_type or PartnerTypeFactory())
    return services.application_approve(
        application=application,
        actor=ChannelManagerFactory(),
        program=program,
        partner_type=application.partner_type,
        region=region,
    )


class _Variant:
    def __init__(self, pk, weight):
        self.pk, self.weight = pk, weight


def test_blocks_are_random_permutations_chi_square(seeded):
    # 2 variants of weight 1: blocks of 4 holding each twice; the 6 orders must be equally likely.
    variants = [_Variant(1, 1), _Variant(2, 1)]
    orders = Counter(tuple(new_block(variants)) for _ in range(3000))
    assert set(orders) == set(itertools.permutations([1, 1, 2, 2]))
    assert chisquare(list(orders.values())).pvalue > 0.01
    # weights 2:1 give blocks of 3 units repeated twice: 4 and 2 of 6
    assert Counter(new_block([_Variant(1, 2), _Variant(2, 1)])) == {1: 4, 2: 2}


def test_assignment_over_many_partners_follows_the_weights_chi_square(seeded, program):
    actor = VendorAdminFactory()
    experiment = running_experiment(program=program, actor=actor, weights=(2, 1))
    partners = [_partner(program) for _ in range(90)]
    for partner in partners:
        partner_assign(experiment=experiment, partner=partner)
    control, variant = experiment.variants.all()
    counts = Counter(ExperimentAssignment.objects.values_list("variant_id", flat=True))
    assert chisquare([counts[control.pk], counts[variant.pk]], [60, 30]).pvalue > 0.05
    # the first of each block is random: over 15 blocks both variants lead some of them
    firsts = Counter(
        a.variant_id
        for i, a in enumerate(ExperimentAssignment.objects.order_by("pk"))
        if i % 6 == 0
    )
    assert len(firsts) == 2


def test_assignment_is_balanced_within_every_stratum(seeded, program):
    experiment = running_experiment(program=program, actor=VendorAdminFactory())
    reseller = PartnerTypeFactory(name="Reseller", slug="reseller")
    integrator = PartnerTypeFactory(name="Integrator", slug="integrator")
    strata = [(t, r) for t in (reseller, integrator) for r in (Region.EMEA, Region.APAC)]
    # interleaved arrivals, 12 per stratum: every stratum fills whole blocks of 4 (6 and 6)
    for partner_type, region in strata * 12:
        partner = _partner(program, partner_type=partner_type, region=region)
        partner_assign(experiment=experiment, partner=partner)
    for partner_type, region in strata:
        counts = Counter(
            ExperimentAssignment.objects.filter(
                partner_type=partner_type, region=region
            ).values_list("variant_id", flat=True)
        )
        assert sorted(counts.values()) == [6, 6]
    assert experiment.strata.count() == 4


def test_approval_assigns_once_records_the_event_and_starts_the_variants_checklist(program):
    experiment = running_experiment(program=program, actor=VendorAdminFactory())
    partner = _approve(program)
    assignment = ExperimentAssignment.objects.get(partner=partner)
    assert partner.checklist.template == assignment.variant.template
    assert partner.checklist.version == assignment.version
    event = Event.objects.get(kind="onboarding.experiment_assigned", partner=partner)
    assert event.properties["variant"] == assignment.variant_id
    assert event.properties["experiment"] == experiment.pk
    # again: the same assignment, no second event, never another variant
    for _ in range(5):
        again = partner_assign(experiment=experiment, partner=partner)
        assert again.pk == assignment.pk and again.variant_id == assignment.variant_id
    assert Event.objects.filter(kind="onboarding.experiment_assigned").count() == 1


def test_a_partner_created_by_staff_in_onboarding_is_assigned_too(program):
    running_experiment(program=program, actor=VendorAdminFactory())
    common = {"program": program, "partner_type": PartnerTypeFactory(), "tier": None}
    common |= {"country": "DE", "region": Region.EMEA, "owner": None, "actor": VendorAdminFactory()}
    created = partner_services.partner_create(
        name="Made by staff", domain="staff.example", status=PartnerStatus.ONBOARDING, **common
    )
    assert ExperimentAssignment.objects.filter(partner=created).exists()
    assert created.checklist.template_id == created.experiment_assignment.variant.template_id


def test_partners_outside_the_scope_are_not_assigned(program):
    integrator = PartnerTypeFactory(name="Integrator", slug="integrator")
    running_experiment(
        program=program, actor=VendorAdminFactory(), partner_type=integrator, region=Region.APAC
    )
    outside = [
        _approve(program, partner_type=integrator, region=Region.EMEA),
        _approve(program, region=Region.APAC),
        _approve(ProgramFactory(), partner_type=integrator, region=Region.APAC),
    ]
    assert not ExperimentAssignment.objects.filter(partner__in=outside).exists()
    inside = _approve(program, partner_type=integrator, region=Region.APAC)
    assert ExperimentAssignment.objects.filter(partner=inside).exists()


def test_one_running_experiment_per_scope(program):
    actor = VendorAdminFactory()
    running_experiment(program=program, actor=actor)
    second = running_experiment(program=program, actor=actor, start=False, region=Region.EMEA)
    with pytest.raises(ValidationError, match="already runs"):
        experiment_services.experiment_start(actor=actor, experiment=second)
    other_program = ProgramFactory()
    running_experiment(program=other_program, actor=actor)  # another program: fine


def test_design_is_refused_with_fewer_than_two_variants_or_an_impossible_target(program):
    actor = VendorAdminFactory()
    with pytest.raises(ValidationError):
        running_experiment(program=program, actor=actor, weights=(1,))
    with pytest.raises(ValidationError):
        running_experiment(program=program, actor=actor, baseline_rate="95", min_difference="10")


def _activate_assigned(experiment, *, share_by_variant, joined_days_ago=120):
    """Move every assigned partner's join back and activate a share of each variant."""
    joined = timezone.now() - timedelta(days=joined_days_ago)
    by_variant = {}
    for assignment in ExperimentAssignment.objects.filter(experiment=experiment):
        by_variant.setdefault(assignment.variant_id, []).append(assignment)
    for variant_id, assignments in by_variant.items():
        share = share_by_variant[variant_id]
        for i, assignment in enumerate(assignments):
            activated = joined + timedelta(days=5) if i < share * len(assignments) else None
            type(assignment.partner).objects.filter(pk=assignment.partner_id).update(
                joined_at=joined, activated_at=activated
            )


def test_stopping_before_the_planned_sample_needs_the_warning_and_gives_no_verdict(program):
    actor = VendorAdminFactory()
    experiment = running_experiment(program=program, actor=actor)
    for _ in range(4):
        partner_assign(experiment=experiment, partner=_partner(program))
    with pytest.raises(ValidationError, match="without a verdict"):
        experiment_services.experiment_stop(actor=actor, experiment=experiment)
    with pytest.raises(ValidationError, match="no winner"):
        experiment_services.experiment_stop(
            actor=actor, experiment=experiment, early_ok=True, roll_out=True
        )
    stopped = experiment_services.experiment_stop(actor=actor, experiment=experiment, early_ok=True)
    assert stopped.status == ExperimentStatus.STOPPED and stopped.verdict == Verdict.NONE
    assert stopped.winner_id is None and stopped.rolled_out_at is None


def test_stopping_at_the_planned_sample_records_the_winner_and_rolls_it_out(seeded, program):
    actor = VendorAdminFactory()
    # a 40-point difference needs few partners: 20 % -> 60 %
    experiment = running_experiment(program=program, actor=actor, min_difference="40")
    n = experiment.sample_size
    for _ in range(2 * n + 2):
        partner_assign(experiment=experiment, partner=_partner(program))
    control, variant = experiment.variants.all()
    _activate_assigned(experiment, share_by_variant={control.pk: 0.2, variant.pk: 0.8})
    finished = experiment_services.experiment_stop(
        actor=actor, experiment=experiment, roll_out=True
    )
    assert finished.status == ExperimentStatus.FINISHED and finished.verdict == Verdict.WINNER
    assert finished.winner_id == variant.pk and finished.rolled_out_at is not None
    # new partners of the scope now get the winner's checklist (it is not the active template)
    newcomer = _approve(program)
    assert newcomer.checklist.template == variant.template
    assert not ExperimentAssignment.objects.filter(partner=newcomer).exists()
    # ending the roll-out gives new partners the usual targeting's checklist again
    experiment_services.experiment_roll_out_end(actor=actor, experiment=finished)
    later = _approve(program)
    assert later.checklist.template == control.template
