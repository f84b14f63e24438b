"""The public partner application and its review by a channel manager."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.choices import EventKind
from events.services import record_event
from onboarding.choices import ApplicationStatus
from onboarding.experiments.assignment import checklist_template_at_approval
from onboarding.models import PartnerApplication
from onboarding.services.base import OnboardingError, absolute_url, email_on_commit
from onboarding.services.checklists import checklist_start
from partners import selectors as partner_selectors
from partners import services as partner_services
from partners.choices import MemberRole, PartnerStatus


def owner_pick(*, region: str) -> User | None:
    """The channel manager for a new partner of ``region``: the least recently assigned of the
    managers with an owner rule for that region, else of all channel managers (round-robin)."""
    in_region = User.objects.filter(owner_rules__region=region)
    return (
        partner_selectors.channel_manager_least_recently_assigned(candidates=in_region)
        or partner_selectors.channel_manager_least_recently_assigned()
    )


@transaction.atomic
def application_submit(
    *,
    company_name: str,
    website: str,
    country: str,
    partner_type,
    contact_name: str,
    contact_email: str,
    sells: str,
    heard_from: str,
    contact_phone: str = "",
    contact_title: str = "",
    heard_detail: str = "",
) -> PartnerApplication:
    """Store an application. One from a domain that is already a partner, or that already
    applied (waiting or approved), is stored flagged so a reviewer sees it, never as a second
    partner."""
    domain = partner_services.normalize_domain(website)
    if not domain or "." not in domain:
        raise OnboardingError("Enter your company's website, e.g. https://example.com.")
    earlier = (
        PartnerApplication.objects.filter(domain=domain)
        .filter(Q(status=ApplicationStatus.PENDING) | Q(status=ApplicationStatus.APPROVED))
        .order_by("submitted_at", "pk")
        .first()
    )
    application = PartnerApplication.objects.create(
        company_name=company_name.strip(),
        website=website.strip(),
        domain=domain,
        country=country,
        partner_type=partner_type,
        contact_name=contact_name.strip(),
        contact_email=User.objects.normalize_email(contact_email).strip().lower(),
        contact_phone=contact_phone.strip(),
        contact_title=contact_title.strip(),
        sells=sells.strip(),
        heard_from=heard_from,
        heard_detail=heard_detail.strip(),
        duplicate_partner=partner_selectors.partner_find_by_domain(domain=domain),
        duplicate_application=earlier,
    )
    record_event(
        kind=EventKind.APPLICATION_SUBMITTED,
        key=f"application.submitted:{application.pk}",
        subject=application,
        occurred_at=application.submitted_at,
        properties={
            "application": application.pk,
            "partner_type": partner_type.slug,
            "country": str(country),
            "heard_from": heard_from,
            "duplicate": application.is_duplicate,
        },
    )
    email_on_commit(
        key=f"onboarding.application:{application.pk}:received",
        template="onboarding_application_received",
        subject=lambda: _("We received your partner application"),
        recipients=[application.contact_email],
        context={"application": application},
    )
    return application


def _lock_pending(application: PartnerApplication) -> PartnerApplication:
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise OnboardingError(
            f"This application was already {application.get_status_display().lower()}."
        )
    return application


@transaction.atomic
def application_approve(
    *,
    application: PartnerApplication,
    actor: User,
    program,
    partner_type,
    region: str,
    tier=None,
    owner: User | None = None,
):
    """Create the partner (status onboarding) with an owner, start its checklist, and invite the
    contact as partner admin. Refused when the domain already belongs to a partner."""
    application = _lock_pending(application)
    try:
        partner = partner_services.partner_create(
            name=application.company_name,
            domain=application.domain,
            program=program,
            partner_type=partner_type,
            tier=tier,
            country=str(application.country),
            region=region,
            owner=owner or owner_pick(region=region),
            status=PartnerStatus.ONBOARDING,
            actor=actor,
        )
        # Start the company profile from what the applicant told us.
        partner = partner_services.partner_update_profile(
            partner=partner,
            actor=actor,
            website=application.website,
            phone=application.contact_phone,
            description=application.sells,
        )
        partner_services.invitation_create(
            partner=partner,
            email=application.contact_email,
            role=MemberRole.ADMIN,
            invited_by=actor,
            # the reviewer is vendor staff: an address that has an account stops the approval
            refuse_existing_accounts=True,
        )
    except partner_services.PartnerError as exc:
        raise OnboardingError(str(exc)) from exc
    # A running activation experiment of the partner's scope assigns it a variant (once, recorded
    # as an event) whose checklist it gets; after a roll-out, the winner's checklist.
    template = checklist_template_at_approval(partner=partner, actor=actor)
    checklist_start(partner=partner, actor=actor, template=template)
    application.status = ApplicationStatus.APPROVED
    application.partner = partner
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "partner", "reviewed_by", "reviewed_at"])
    record_event(
        kind=EventKind.APPLICATION_APPROVED,
        key=f"application.approved:{application.pk}",
        partner=partner,
        user=actor,
        subject=application,
        properties={
            "application": application.pk,
            "days_to_review": (application.reviewed_at - application.submitted_at).days,
        },
    )
    return partner


@transaction.atomic
def application_reject(
    *, application: PartnerApplication, actor: User, reason: str
) -> PartnerApplication:
    """Decline with a reason; the applicant gets it by email."""
    reason = (reason or "").strip()
    if not reason:
        raise OnboardingError("Give the applicant a reason.")
    application = _lock_pending(application)
    application.status = ApplicationStatus.REJECTED
    application.rejection_reason = reason
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    record_event(
        kind=EventKind.APPLICATION_REJECTED,
        key=f"application.rejected:{application.pk}",
        user=actor,
        subject=application,
        properties={"application": application.pk, "duplicate": application.is_duplicate},
    )
    email_on_commit(
        key=f"onboarding.application:{application.pk}:rejected",
        template="onboarding_application_rejected",
        subject=lambda: _("Your partner application"),
        recipients=[application.contact_email],
        context={"application": application, "apply_url": absolute_url("onboarding:apply")},
    )
    return application
