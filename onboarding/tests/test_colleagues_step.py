"""The "invite colleagues" step counts the partner's real, active team however people were added,
and checklist steps keep following the truth after the partner is activated (issue 16, item 21)."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.tests.factories import ChannelManagerFactory, UserFactory, VendorAdminFactory
from events.models import Event
from events.services import record_event
from events.tests.payloads import payload
from metrics.definitions.activation import activation_funnel
from onboarding import services
from onboarding.choices import CompletedVia, StepStatus
from onboarding.models import ChecklistStep
from onboarding.tests.factories import standard_template
from partners import services as partner_services
from partners.choices import MemberRole, PartnerStatus
from partners.models import PartnerMembership
from partners.tests.factories import MembershipFactory, PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarding_partner():
    owner = ChannelManagerFactory(email="owner@vendor.example")
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING, owner=owner)
    admin = MembershipFactory(partner=partner, role=MemberRole.ADMIN).user
    standard_template(program=partner.program)
    services.checklist_start(partner=partner)
    return partner, admin


def colleagues_step(partner) -> ChecklistStep:
    return ChecklistStep.objects.get(checklist__partner=partner, key="colleagues")


def test_colleagues_added_by_an_admin_count_toward_the_invite_step(onboarding_partner):
    partner, _ = onboarding_partner
    manager = VendorAdminFactory()
    partner_services.membership_add(partner=partner, user=UserFactory(), actor=manager)
    assert (colleagues_step(partner).status, colleagues_step(partner).progress) == (
        StepStatus.PENDING,
        1,
    )
    partner_services.membership_add(partner=partner, user=UserFactory(), actor=manager)
    step = colleagues_step(partner)
    assert (step.status, step.progress, step.completed_via) == (
        StepStatus.DONE,
        2,
        CompletedVia.EVENT,
    )


def test_membership_add_records_that_the_person_joined(onboarding_partner):
    partner, _ = onboarding_partner
    user = UserFactory()
    partner_services.membership_add(partner=partner, user=user, actor=VendorAdminFactory())
    joined = Event.objects.get(kind="user.joined", partner=partner)
    assert joined.user_id == user.pk and joined.properties["via"] == "added"


def test_colleagues_added_in_the_django_admin_count_toward_the_invite_step(
    onboarding_partner, client
):
    partner, admin = onboarding_partner
    client.force_login(VendorAdminFactory(is_staff=True, is_superuser=True))
    existing = PartnerMembership.objects.get(partner=partner)
    a, b = UserFactory(), UserFactory()
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    data = {
        "name": partner.name,
        "domain": partner.domain,
        "program": partner.program_id,
        "partner_type": partner.partner_type_id,
        "tier": partner.tier_id or "",
        "country": str(partner.country),
        "region": partner.region,
        "owner": partner.owner_id,
        "joined_at_0": partner.joined_at.strftime("%Y-%m-%d"),
        "joined_at_1": partner.joined_at.strftime("%H:%M:%S"),
        "memberships-TOTAL_FORMS": "3",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": existing.pk,
        "memberships-0-partner": partner.pk,
        "memberships-0-user": admin.pk,
        "memberships-0-role": MemberRole.ADMIN,
        "memberships-0-created_at_0": "2026-01-01",
        "memberships-0-created_at_1": "10:00:00",
        "memberships-1-created_at_0": "2026-01-01",
        "memberships-1-created_at_1": "10:00:00",
        "memberships-2-created_at_0": "2026-01-01",
        "memberships-2-created_at_1": "10:00:00",
        "memberships-1-partner": partner.pk,
        "memberships-1-user": a.pk,
        "memberships-1-role": MemberRole.USER,
        "memberships-2-partner": partner.pk,
        "memberships-2-user": b.pk,
        "memberships-2-role": MemberRole.USER,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
    ]
    assert PartnerMembership.objects.filter(partner=partner).count() == 3
    assert colleagues_step(partner).status == StepStatus.DONE


def test_a_partner_with_six_teammates_added_before_its_checklist_has_the_step_done():
    partner = PartnerFactory(status=PartnerStatus.ONBOARDING)
    for role in [MemberRole.ADMIN] + [MemberRole.USER] * 5:
        MembershipFactory(partner=partner, role=role)
    standard_template(program=partner.program)
    services.checklist_start(partner=partner)
    step = colleagues_step(partner)
    assert (step.status, step.progress) == (StepStatus.DONE, 5)


def test_removed_and_deactivated_people_are_not_colleagues(onboarding_partner):
    partner, admin = onboarding_partner
    gone = partner_services.membership_add(partner=partner, user=UserFactory())
    partner_services.membership_remove(membership=gone, actor=admin)
    MembershipFactory(partner=partner, user__is_active=False)
    partner_services.membership_add(partner=partner, user=UserFactory())
    step = colleagues_step(partner)
    assert (step.status, step.progress) == (StepStatus.PENDING, 1)


def test_steps_keep_completing_after_the_partner_is_activated(onboarding_partner):
    partner, admin = onboarding_partner
    checklist = partner.checklist
    checklist.steps.filter(key="colleagues").update(required=False)
    for step in checklist.steps.filter(required=True):
        services.step_complete(step=step, via=CompletedVia.VERIFIED)
    partner.refresh_from_db()
    checklist.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE and checklist.completed_at is not None
    for _ in range(2):
        partner_services.membership_add(partner=partner, user=UserFactory())
    record_event(
        kind="resource.viewed", key="rv-1", user=admin, properties=payload("resource.viewed", {})
    )
    assert colleagues_step(partner).status == StepStatus.DONE
    assert checklist.steps.get(key="newsletter").status == StepStatus.DONE
    partner.refresh_from_db()
    assert partner.status == PartnerStatus.ACTIVE  # activation stays a fact


def test_the_funnel_counts_the_colleagues_step_from_the_same_truth(onboarding_partner):
    partner, _ = onboarding_partner
    for _ in range(2):
        partner_services.membership_add(partner=partner, user=UserFactory())
    funnel = {s.step: s.partners for s in activation_funnel().steps}
    assert funnel["colleagues"] == 1


def test_the_recompute_command_fixes_existing_checklists(onboarding_partner):
    partner, _ = onboarding_partner
    # Teammates created behind the services' back (old data, bulk imports): no event.
    for _ in range(3):
        MembershipFactory(partner=partner)
    assert colleagues_step(partner).status == StepStatus.PENDING
    call_command("recompute_checklists", stdout=io.StringIO())
    step = colleagues_step(partner)
    assert (step.status, step.progress) == (StepStatus.DONE, 3)
    assert Event.objects.filter(kind="onboarding.step_completed", subject_id=str(step.pk)).exists()
    call_command("recompute_checklists", stdout=io.StringIO())  # idempotent
    assert (
        Event.objects.filter(kind="onboarding.step_completed", subject_id=str(step.pk)).count() == 1
    )
