"""Applications: submission, duplicate flags, approval (partner, owner, invitation, checklist),
rejection."""

import pytest
from django.core import mail

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from events.models import Event
from onboarding import services
from onboarding.choices import ApplicationStatus
from onboarding.models import OwnerRule, PartnerApplication
from onboarding.tests.factories import ApplicationFactory, TemplateStepFactory
from partners.choices import MemberRole, PartnerStatus, Region
from partners.models import Partner, PartnerInvitation
from partners.tests.factories import PartnerFactory, PartnerTypeFactory, ProgramFactory, TierFactory

pytestmark = pytest.mark.django_db


def submit(**overrides):
    data = {
        "company_name": "Nimbus Integrators",
        "website": "https://www.Nimbus.example/about",
        "country": "US",
        "partner_type": PartnerTypeFactory(),
        "contact_name": "Nia Nimbus",
        "contact_email": "Nia@Nimbus.example",
        "sells": "Cloud integration",
        "heard_from": "event",
    }
    return services.application_submit(**(data | overrides))


def test_an_application_is_stored_with_its_domain_and_the_applicant_is_told(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        application = submit()
    assert application.domain == "nimbus.example"
    assert application.contact_email == "nia@nimbus.example"
    assert not application.is_duplicate
    assert Event.objects.filter(kind="application.submitted").count() == 1
    assert mail.outbox[-1].to == ["nia@nimbus.example"]


def test_the_same_domain_again_is_flagged_not_duplicated():
    first = submit()
    second = submit(company_name="Nimbus Inc", contact_email="other@nimbus.example")
    assert second.duplicate_application == first and second.is_duplicate
    existing = PartnerFactory(domain="acme.example")
    third = submit(website="acme.example", contact_email="x@acme.example")
    assert third.duplicate_partner == existing
    assert Partner.objects.filter(domain="nimbus.example").count() == 0


def test_a_website_without_a_domain_is_refused():
    with pytest.raises(services.OnboardingError, match="website"):
        submit(website="https://localhost")


@pytest.fixture
def review():
    program = ProgramFactory()
    TierFactory(program=program, rank=1)
    template = TemplateStepFactory(template__program=program).template
    return program, template


def test_approval_creates_the_onboarding_partner_invites_the_contact_and_starts_the_checklist(
    review, django_capture_on_commit_callbacks
):
    program, template = review
    emea = ChannelManagerFactory()
    OwnerRule.objects.create(region=Region.EMEA, manager=emea)
    manager = ChannelManagerFactory()
    application = ApplicationFactory(country="FR", sells="Security audits")
    with django_capture_on_commit_callbacks(execute=True):
        partner = services.application_approve(
            application=application,
            actor=manager,
            program=program,
            partner_type=application.partner_type,
            region=Region.EMEA,
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED and application.partner == partner
    assert partner.status == PartnerStatus.ONBOARDING and partner.owner == emea
    assert partner.tier.rank == 1 and partner.description == "Security audits"
    invitation = PartnerInvitation.objects.get(partner=partner)
    assert (invitation.email, invitation.role) == (application.contact_email, MemberRole.ADMIN)
    assert any(application.contact_email in m.to for m in mail.outbox)
    assert partner.checklist.template == template
    assert Event.objects.filter(kind="application.approved", partner=partner).count() == 1
    with pytest.raises(services.OnboardingError, match="already approved"):
        services.application_approve(
            application=application,
            actor=manager,
            program=program,
            partner_type=application.partner_type,
            region=Region.EMEA,
        )


def test_without_a_region_rule_owners_are_assigned_round_robin(review):
    program, _ = review
    first, second = ChannelManagerFactory(), ChannelManagerFactory()
    VendorAdminFactory()  # admins are not in the rotation
    owners = []
    for _ in range(3):
        application = ApplicationFactory()
        owners.append(
            services.application_approve(
                application=application,
                actor=first,
                program=program,
                partner_type=application.partner_type,
                region=Region.APAC,
            ).owner
        )
    assert owners == [first, second, first]


def test_approving_a_domain_that_is_already_a_partner_is_refused_and_changes_nothing(review):
    program, _ = review
    PartnerFactory(domain="dup.example")
    application = ApplicationFactory(domain="dup.example", website="https://dup.example")
    with pytest.raises(services.OnboardingError, match="already exists"):
        services.application_approve(
            application=application,
            actor=ChannelManagerFactory(),
            program=program,
            partner_type=application.partner_type,
            region=Region.EMEA,
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert not PartnerInvitation.objects.exists()


def test_rejection_needs_a_reason_and_tells_the_applicant(django_capture_on_commit_callbacks):
    application = ApplicationFactory()
    manager = ChannelManagerFactory()
    with pytest.raises(services.OnboardingError):
        services.application_reject(application=application, actor=manager, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, actor=manager, reason="We cover your region directly."
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert mail.outbox[-1].to == [application.contact_email]
    assert "We cover your region directly." in mail.outbox[-1].body
    assert Event.objects.filter(kind="application.rejected").count() == 1
    assert PartnerApplication.objects.count() == 1
