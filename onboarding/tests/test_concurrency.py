"""Database-level guarantee: two last steps completed at the same moment activate the partner
exactly once, and never leave it stuck (each sees the other's step). Postgres only: SQLite
serialises every writer, so there is no race to lose there."""

import threading

import pytest
from django.db import connection, connections

from accounts.tests.factories import ChannelManagerFactory
from conftest import require_service
from events.models import Event
from onboarding import services
from onboarding.choices import CompletedVia
from onboarding.tests.factories import TemplateStepFactory
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_last_steps_completed_together_activate_once():
    require_service(
        "Postgres", connection.vendor == "postgresql", "set DATABASE_URL to a Postgres database"
    )
    owner = ChannelManagerFactory()
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING, owner=owner)
    template = TemplateStepFactory(template__program=partner.program, key="a").template
    TemplateStepFactory(template=template, key="b")
    checklist = services.checklist_start(partner=partner)
    steps = list(checklist.steps.all())
    barrier = threading.Barrier(len(steps))
    errors = []

    def complete(step):
        try:
            barrier.wait(timeout=10)
            services.step_complete(step=step, via=CompletedVia.VERIFIED, actor=owner)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE
    assert Event.objects.filter(kind="partner.activated", partner=partner).count() == 1
    assert Event.objects.filter(kind="onboarding.step_completed", partner=partner).count() == 2
