"""Concurrent approvals on Postgres: every partner is assigned exactly once, the stratum's
permuted block is never handed out twice (whole blocks stay balanced), and two calls for the same
partner at the same moment make one assignment and one event. SQLite serialises every writer, so
there is no race to lose there."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from conftest import require_service
from events.models import Event
from onboarding import services
from onboarding.experiments.assignment import partner_assign
from onboarding.experiments.models import ExperimentAssignment
from onboarding.tests.factories import ApplicationFactory, running_experiment
from partners.choices import PartnerStatus, Region
from partners.tests.factories import PartnerFactory, PartnerTypeFactory, ProgramFactory, TierFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _run_together(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def run(*args):
        try:
            barrier.wait(timeout=10)
            target(*args)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_approvals_assign_each_partner_once_and_keep_blocks_whole():
    require_service(
        "Postgres", connection.vendor == "postgresql", "set DATABASE_URL to a Postgres database"
    )
    program = ProgramFactory()
    TierFactory(program=program, rank=1)
    experiment = running_experiment(program=program, actor=VendorAdminFactory())
    reseller = PartnerTypeFactory()
    manager = ChannelManagerFactory()
    applications = [ApplicationFactory(partner_type=reseller) for _ in range(8)]

    def approve(application):
        services.application_approve(
            application=application,
            actor=manager,
            program=program,
            partner_type=reseller,
            region=Region.EMEA,
        )

    errors = _run_together(approve, [(a,) for a in applications])
    assert not errors
    assignments = list(ExperimentAssignment.objects.filter(experiment=experiment))
    assert len(assignments) == 8 == len({a.partner_id for a in assignments})
    # 8 in one stratum = two whole blocks of 4: exactly 4 and 4 (a block read twice would not be)
    assert sorted(Counter(a.variant_id for a in assignments).values()) == [4, 4]
    assert Event.objects.filter(kind="onboarding.experiment_assigned").count() == 8
    stratum = experiment.strata.get()
    assert stratum.blocks_started == 2 and stratum.block == []
    for assignment in assignments:
        assert assignment.partner.checklist.template_id == assignment.variant.template_id


def test_two_assignments_of_the_same_partner_at_once_make_one():
    require_service(
        "Postgres", connection.vendor == "postgresql", "set DATABASE_URL to a Postgres database"
    )
    program = ProgramFactory()
    tier = TierFactory(program=program, rank=1)
    experiment = running_experiment(program=program, actor=VendorAdminFactory())
    # not entering onboarding, so not yet assigned (one created in onboarding is at once)
    partner = PartnerFactory(
        program=program, tier=tier, region=Region.APAC, status=PartnerStatus.INACTIVE
    )
    assert not ExperimentAssignment.objects.filter(partner=partner).exists()
    variants = []
    errors = _run_together(
        lambda: variants.append(partner_assign(experiment=experiment, partner=partner).variant_id),
        [()] * 4,
    )
    assert not errors
    assert len(set(variants)) == 1 and len(variants) == 4
    assert ExperimentAssignment.objects.filter(partner=partner).count() == 1
    assert Event.objects.filter(kind="onboarding.experiment_assigned", partner=partner).count() == 1
