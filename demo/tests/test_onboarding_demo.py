from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import ChannelManagerFactory
from events.services import record_event
from events.tests.payloads import payload
from onboarding.models import ChecklistTemplate, PartnerApplication, PartnerChecklist
from partners.choices import MemberRole, PartnerStatus
from partners.tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


def test_demo_gives_onboarding_partners_checklists_with_progress_from_their_history():
    owner = ChannelManagerFactory()
    joined = timezone.now() - timedelta(days=50)
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING, owner=owner, joined_at=joined)
    MembershipFactory(partner=partner, role=MemberRole.ADMIN)
    PartnerFactory(status=PartnerStatus.ACTIVE, activated_at=joined, joined_at=joined)
    record_event(
        kind="course.completed",
        key="history-course",
        partner=partner,
        occurred_at=joined + timedelta(days=3),
        properties=payload("course.completed", {"course": 1}),
    )
    call_command("onboarding_demo", verbosity=0)
    checklist = PartnerChecklist.objects.get(partner=partner)
    course = checklist.steps.get(key="course")
    assert course.is_done and course.completed_at == joined + timedelta(days=3)
    assert checklist.stalled_reason  # the certification and the first deal are overdue
    assert PartnerChecklist.objects.count() == 1  # active partners keep their history as is
    assert PartnerApplication.objects.filter(status="pending").count() >= 3
    call_command("onboarding_demo", verbosity=0)  # a second run adds nothing
    assert ChecklistTemplate.objects.count() == 1
