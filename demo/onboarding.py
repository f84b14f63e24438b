"""Onboarding demo data on top of the partners' demo (``manage.py onboarding_demo``, or call
:func:`seed_onboarding_demo` right after ``demo.seed.seed_demo``).

It configures what a vendor admin would: the partner agreement, two activation paths (referral
partners get a lighter one), owner rules by region; then gives every onboarding partner its
checklist from the day it joined and replays the partner's recorded history through the same code
that completes steps live, so progress, overdue steps and stalls are the real consequences of the
demo activity. A few applications wait in the review queue, and recently activated partners have
answered the survey. Deterministic for a given seed and anchor; does nothing if a template exists.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.choices import VendorRole
from events.choices import EventKind
from events.models import Event
from events.services import NewEvent, record_event, record_events
from onboarding import services
from onboarding.choices import STEP_KIND_EVENTS, HeardFrom, StepKind
from onboarding.models import (
    Agreement,
    AgreementAcceptance,
    ChecklistTemplate,
    OnboardingSurvey,
    OwnerRule,
    PartnerChecklist,
    TemplateStep,
)
from partners.choices import MemberRole, PartnerStatus
from partners.models import Partner, PartnerType

AGREEMENT_TEXT = """1. Scope. The partner may market, resell and support the vendor's offerings in its
territory.

2. Deal registration. Registered and approved opportunities are protected for the period of the
partner's tier.

3. Brand. The partner uses the vendor's marks only as the brand guidelines allow.

4. Confidentiality. Price lists, roadmaps and customer data shared through the portal stay
confidential.

5. Term. This agreement runs for one year and renews itself unless either party ends it in writing
with 30 days' notice."""

# key, kind, title, why it matters, due day, required, extra fields
STANDARD_STEPS = [
    ("agreement", StepKind.AGREEMENT, "Accept the partner agreement",
     "It unlocks deal registration, discounts and your tier benefits.", 7, True, {}),
    ("profile", StepKind.PROFILE, "Complete your company profile",
     "Channel managers route leads to partners whose profile says what they sell and where.",
     7, True, {}),
    ("kickoff", StepKind.CUSTOM, "Kick-off call with your channel manager",
     "Thirty minutes to agree on your first 90 days: target accounts, training and support.",
     14, True, {}),
    ("colleagues", StepKind.INVITE, "Invite two colleagues",
     "Partners whose sales and technical people all have access ramp up twice as fast.",
     21, False, {"target_count": 2}),
    ("course", StepKind.COURSE, "Complete your first course",
     "Trained sellers close their first deal weeks sooner.", 30, True, {}),
    ("certification", StepKind.CERTIFICATION, "Earn a certification",
     "A certified person is the first requirement of every tier.", 45, True, {}),
    ("first-deal", StepKind.FIRST_DEAL, "Register your first deal",
     "Registration protects your opportunity from channel conflict.", 60, True, {}),
]  # fmt: skip
REFERRAL_STEPS = [s for s in STANDARD_STEPS if s[0] in {"agreement", "profile", "course"}] + [
    ("first-deal", StepKind.FIRST_DEAL, "Refer your first opportunity",
     "Referrals are how referral partners earn; the first one shows you the path end to end.",
     45, True, {}),
]  # fmt: skip

APPLICATIONS = [  # company, domain, country, type slug, sells, heard from
    ("Northwind Data", "northwind-data.example", "US", "integrator",
     "Data platform integrations and analytics services", HeardFrom.EVENT),
    ("Baltic Cloud Partners", "balticcloud.example", "LT", "reseller",
     "Cloud subscriptions for mid-market companies", HeardFrom.SEARCH),
    ("Sakura Systems", "sakura-systems.example", "JP", "service-provider",
     "Managed IT services", HeardFrom.PARTNER),
    ("Acme Cloud (second office)", "acme.example", "US", "reseller",
     "Cloud resale, as our head office", HeardFrom.VENDOR),
]  # fmt: skip


def _template(name: str, steps, **targeting) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(
        name=name, description=f"{name}: what makes a new partner active.", **targeting
    )
    TemplateStep.objects.bulk_create(
        TemplateStep(
            template=template,
            key=key,
            kind=kind,
            title=title,
            why=why,
            due_days=due,
            required=required,
            position=position,
            **extra,
        )
        for position, (key, kind, title, why, due, required, extra) in enumerate(steps)
    )
    return template


def _owner_rules() -> int:
    """Each region goes to the channel manager who already owns most of its partners."""
    rows = (
        Partner.objects.filter(owner__vendor_role=VendorRole.CHANNEL_MANAGER, owner__is_active=True)
        .values("region", "owner")
        .annotate(n=Count("id"))
        .order_by("region", "-n", "owner")
    )
    best = {}
    for row in rows:
        best.setdefault(row["region"], row["owner"])
    OwnerRule.objects.bulk_create(
        [OwnerRule(region=region, manager_id=owner) for region, owner in best.items()],
        ignore_conflicts=True,
    )
    return len(best)


def _replay(partner: Partner, rng: random.Random, agreement: Agreement, now) -> None:
    """Complete the partner's steps from its recorded history, as if onboarding had listened."""
    checklist = services.checklist_start(partner=partner, at=partner.joined_at)
    if checklist is None:
        return
    admin = partner.memberships.filter(role=MemberRole.ADMIN).select_related("user").first()
    if admin is not None and rng.random() < 0.8:
        at = min(now, partner.joined_at + timedelta(days=rng.uniform(0.5, 9)))
        AgreementAcceptance.objects.create(
            partner=partner, agreement=agreement, accepted_by=admin.user, accepted_at=at
        )
        record_event(
            kind=EventKind.AGREEMENT_ACCEPTED,
            key=f"onboarding.agreement_accepted:{partner.pk}:{agreement.pk}",
            partner=partner,
            user=admin.user,
            subject=agreement,
            occurred_at=at,
            properties={"agreement": agreement.pk, "version": agreement.version},
        )
    if rng.random() < 0.6:
        partner.website = f"https://www.{partner.domain}" if partner.domain else ""
        partner.phone, partner.address = "+1 555 0100", f"{partner.get_country_display()}"
        partner.description = f"{partner.partner_type.name} of cloud and data solutions."
        partner.save(update_fields=["website", "phone", "address", "description"])
        record_event(
            kind=EventKind.PROFILE_UPDATED,
            key=f"partner.profile_updated:{partner.pk}:demo",
            partner=partner,
            user=admin.user if admin else None,
            subject=partner,
            occurred_at=min(now, partner.joined_at + timedelta(days=rng.uniform(1, 12))),
            properties={"fields": list(Partner.PROFILE_FIELDS), "complete": True},
        )
    kinds = {event_kind for event_kind, _ in STEP_KIND_EVENTS.values()}
    history = Event.objects.filter(
        partner=partner, kind__in=kinds, occurred_at__gte=partner.joined_at
    ).order_by("occurred_at", "id")
    services.events_apply(events=list(history))
    kickoff = checklist.steps.filter(key="kickoff").first()
    if kickoff is not None and partner.owner is not None and rng.random() < 0.5:
        services.step_complete(
            step=kickoff,
            via="verified",
            actor=partner.owner,
            at=min(now, partner.joined_at + timedelta(days=rng.uniform(3, 16))),
        )


def _surveys(rng: random.Random, now) -> int:
    recent = Partner.objects.filter(
        status=PartnerStatus.ACTIVE,
        activated_at__gte=now - timedelta(days=120),
        onboarding_survey__isnull=True,
    ).order_by("-activated_at")[:40]
    events = []
    for partner in recent:
        answered = partner.activated_at + timedelta(days=rng.uniform(1, 10))
        csat = rng.choices([2, 3, 4, 5], [1, 2, 5, 4])[0]
        nps = max(0, min(10, round(rng.gauss(5 + csat, 1.5))))
        answered = min(answered, now)
        survey = OnboardingSurvey.objects.create(
            partner=partner,
            sent_at=partner.activated_at,
            answered_at=answered,
            csat=csat,
            nps=nps,
            comment=rng.choice(["", "", "Clear steps, quick answers.", "More deal-reg examples."]),
        )
        events.append(
            NewEvent(
                kind=EventKind.SURVEY_ANSWERED,
                key=f"onboarding.survey_answered:{survey.pk}",
                partner_id=partner.pk,
                occurred_at=answered,
                subject_type=survey._meta.label_lower,
                subject_id=str(survey.pk),
                properties={"csat": csat, "nps": nps, "has_comment": bool(survey.comment)},
            )
        )
    record_events(events)
    return len(events)


@transaction.atomic
def seed_onboarding_demo(*, now=None, seed: int = 42) -> dict:
    if ChecklistTemplate.objects.exists():
        return {"created": False}
    now = now or timezone.now()
    rng = random.Random(seed)
    agreement = Agreement.objects.create(
        version="2026.1",
        title="Partner program agreement",
        body=AGREEMENT_TEXT,
        published_at=now - timedelta(days=400),
    )
    _template("Standard activation path", STANDARD_STEPS)
    referral = PartnerType.objects.filter(slug="referral").first()
    if referral is not None:
        _template("Referral partner path", REFERRAL_STEPS, partner_type=referral)
    rules = _owner_rules()
    onboarding = list(
        Partner.objects.filter(status=PartnerStatus.ONBOARDING, checklist__isnull=True)
        .select_related("partner_type", "owner")
        .order_by("pk")
    )
    for partner in onboarding:
        _replay(partner, rng, agreement, now)
    stalls = services.stalls_flag(now=now, notify=False)
    types = {t.slug: t for t in PartnerType.objects.all()}
    applications = 0
    for company, domain, country, type_slug, sells, heard in APPLICATIONS:
        partner_type = types.get(type_slug) or next(iter(types.values()), None)
        if partner_type is None:
            break
        services.application_submit(
            company_name=company,
            website=f"https://{domain}",
            country=country,
            partner_type=partner_type,
            contact_name="Sam Applicant",
            contact_email=f"sam@{domain}",
            sells=sells,
            heard_from=heard,
        )
        applications += 1
    return {
        "created": True,
        "owner_rules": rules,
        "checklists": PartnerChecklist.objects.count(),
        "stalled": stalls["flagged"],
        "applications": applications,
        "surveys": _surveys(rng, now),
    }
