"""The demo data set is consistent: every event of a kind that has a domain object refers to a
real object of the event's partner, and every object the services would have recorded an event
for has that event (same key, same properties)."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from deals.models import Deal, DealTransition
from demo.seed import OFFERINGS, plan_partners
from enablement.models import Certificate, Enrollment, LessonProgress, QuizAttempt, Resource
from events.models import Event
from onboarding.models import ChecklistStep, PartnerChecklist
from partners.choices import PartnerStatus
from partners.models import Partner

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
ARGS = ["--partners", "30", "--events", "3000", "--seed", "7", "--now", NOW.isoformat()]
DEAL_KINDS = {
    "submitted": "deal.submitted",
    "approved": "deal.approved",
    "rejected": "deal.rejected",
    "won": "deal.won",
    "lost": "deal.lost",
    "expired": "deal.expired",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", *ARGS, stdout=StringIO())


def events(prefix: str):
    return Event.objects.filter(kind__startswith=prefix)


def test_every_deal_event_is_a_transition_of_a_real_deal_of_its_partner(seeded):
    deals = Deal.objects.prefetch_related("line_items__offering").in_bulk()
    assert len(deals) > 20
    for event in events("deal."):
        deal = deals[event.properties["deal"]]
        assert event.partner_id == deal.partner_id
        assert event.idempotency_key == f"{event.kind}:{deal.pk}"
        assert (event.subject_type, event.subject_id) == ("deals.deal", str(deal.pk))
        amount = deal.final_amount if event.kind == "deal.won" else deal.amount
        assert event.properties == {
            "deal": deal.pk,
            "amount": f"{amount:.2f}",
            "currency": deal.currency,
            "offerings": sorted({line.offering.slug for line in deal.line_items.all()}),
        }
        assert DealTransition.objects.filter(
            deal=deal, to_status=event.kind.split(".")[1], at=event.occurred_at
        ).exists()
        assert event.occurred_at <= NOW


def test_every_deal_transition_has_its_event_and_statuses_follow_the_history(seeded):
    keys = set(events("deal.").values_list("idempotency_key", flat=True))
    moves = DealTransition.objects.exclude(to_status="draft")
    assert moves.count() == len(keys)
    for move in moves:
        assert f"{DEAL_KINDS[move.to_status]}:{move.deal_id}" in keys
    for deal in Deal.objects.prefetch_related("transitions"):
        history = list(deal.transitions.all())
        assert history[0].to_status == "draft" and history[-1].to_status == deal.status
        assert deal.amount == sum(line.total for line in deal.line_items.all()) > 0
        assert deal.created_by.membership.partner_id == deal.partner_id
        assert deal.created_at >= deal.created_by.date_joined
        if deal.status != "draft":
            assert deal.submitted_at == history[1].at >= deal.partner.joined_at
        if deal.status == "approved":
            assert deal.protected_until > NOW
        if deal.status in ("won", "lost", "expired"):
            assert deal.closed_at == history[-1].at
    # Only partners that activated register deals, the first one before the activation.
    for partner in Partner.objects.filter(deals__isnull=False).distinct():
        assert partner.activated_at is not None
        first = partner.deals.exclude(submitted_at=None).order_by("submitted_at").first()
        assert first.submitted_at < partner.activated_at


def test_every_learning_event_has_its_enrollment_attempt_or_certificate(seeded):
    enrollments = {(e.user_id, e.course_id): e for e in Enrollment.objects.all()}
    lessons = {(p.enrollment_id, p.lesson_id): p for p in LessonProgress.objects.all()}
    for event in Event.objects.filter(
        kind__in=["course.started", "lesson.viewed", "course.completed"]
    ):
        enrollment = enrollments[(event.user_id, event.properties["course"])]
        assert enrollment.partner_id == event.partner_id
        if event.kind == "course.started":
            assert event.occurred_at == enrollment.started_at
        elif event.kind == "course.completed":
            assert event.occurred_at == enrollment.completed_at
        else:
            progress = lessons[(enrollment.pk, event.properties["lesson"])]
            assert progress.completed_at == event.occurred_at
    for event in Event.objects.filter(kind__in=["quiz.passed", "quiz.failed"]):
        attempt = QuizAttempt.objects.get(pk=int(event.idempotency_key.split(":")[1]))
        assert (attempt.partner_id, attempt.user_id) == (event.partner_id, event.user_id)
        assert attempt.passed == (event.kind == "quiz.passed")
        assert event.properties["score"] == attempt.score
    for event in events("certification."):
        certificate = Certificate.objects.get(pk=int(event.idempotency_key.split(":")[1]))
        assert event.kind == "certification.earned"
        assert certificate.partner_id == event.partner_id
        assert certificate.certification_id == event.properties["certification"]
        assert certificate.earned_at == event.occurred_at
    kinds = Counter(Event.objects.values_list("kind", flat=True))
    assert kinds["course.started"] == len(enrollments) > 0
    assert kinds["lesson.viewed"] == len(lessons)
    assert kinds["course.completed"] == Enrollment.objects.exclude(completed_at=None).count()
    assert kinds["quiz.passed"] + kinds["quiz.failed"] == QuizAttempt.objects.count()
    assert kinds["certification.earned"] == Certificate.objects.count() > 0


def test_library_events_name_real_resources_the_partner_may_see(seeded):
    resources = Resource.objects.select_related("category", "min_tier").in_bulk()
    views = Event.objects.filter(kind__in=["resource.viewed", "resource.downloaded"])
    assert views.count() > 100
    for event in views.select_related("partner__tier"):
        resource = resources[event.properties["resource"]]
        assert event.properties["category"] == resource.category.slug
        assert event.properties["marketing_asset"] == resource.marketing_asset
        assert event.occurred_at >= resource.published_at
        assert resource.min_tier is None or resource.min_tier.rank <= event.partner.tier.rank


def test_checklist_steps_and_their_events_match_and_nobody_was_activated_by_surprise(seeded):
    steps = ChecklistStep.objects.select_related("checklist").in_bulk()
    step_events = events("onboarding.step_completed")
    assert step_events.count() > 50
    for event in step_events:
        step = steps[int(event.idempotency_key.rsplit(":", 1)[1])]
        assert step.checklist.partner_id == event.partner_id
        assert step.is_done and step.completed_at == event.occurred_at
        assert event.properties["step_key"] == step.key
        assert event.properties["checklist"] == step.checklist.template_id
        assert event.properties["required"] == step.required
    assert ChecklistStep.objects.filter(status="done").count() == step_events.count()
    # Statuses are the planned ones: seeding activated nobody.
    launches = {slug: (NOW - timedelta(days=days)).date() for slug, _, _, days, *_ in OFFERINGS}
    plans = {p.domain: p for p in plan_partners(count=30, seed=7, now=NOW, launches=launches)}
    for partner in Partner.objects.all():
        plan = plans[partner.domain]
        assert (partner.status, partner.activated_at) == (plan.final_status, plan.activated_at)
    assert events("partner.activated").count() == sum(bool(p.activated_at) for p in plans.values())
    for checklist in PartnerChecklist.objects.select_related("partner").prefetch_related("steps"):
        partner, required = checklist.partner, [s for s in checklist.steps.all() if s.required]
        assert checklist.started_at == partner.joined_at
        if partner.activated_at is not None:
            assert all(s.is_done and s.completed_at <= partner.activated_at for s in required)
            assert checklist.completed_at <= partner.activated_at
        else:
            assert checklist.completed_at is None
            assert not all(s.is_done for s in required)
    onboarding = Partner.objects.filter(status=PartnerStatus.ONBOARDING)
    assert onboarding.exists()
    assert not onboarding.filter(checklist__isnull=True).exists()
    # Partly done: some onboarding partners have progress, none is complete.
    assert ChecklistStep.objects.filter(checklist__partner__in=onboarding, status="done").exists()


def test_the_demo_partner_has_deals_in_every_open_and_closed_state(seeded):
    acme = Partner.objects.get(domain="acme.example")
    statuses = set(acme.deals.values_list("status", flat=True))
    assert {"draft", "submitted", "approved", "won"} <= statuses
    assert len(statuses) >= 5
    won = acme.deals.filter(status="won")
    assert sum((d.final_amount for d in won), Decimal("0")) > 0
    admin = acme.memberships.get(user__email="partner@acme.example").user
    assert Certificate.objects.filter(user=admin, partner=acme).exists()
    assert acme.checklist.completed_at <= acme.activated_at


def test_the_demo_tier_requirements_and_checklist_steps_pass_their_own_validation(seeded):
    from onboarding.models import TemplateStep
    from tiers.models import TierRequirement

    requirements = list(TierRequirement.objects.select_related("tier__program"))
    steps = list(TemplateStep.objects.all())

    assert requirements and steps
    for item in [*requirements, *steps]:
        item.full_clean()


def test_the_demo_has_leads_in_every_state_and_acme_works_some(seeded):
    from leads.choices import LeadStatus, OfferState
    from leads.models import Lead, LeadOffer

    statuses = set(Lead.objects.values_list("status", flat=True))
    assert set(LeadStatus.values) <= statuses
    states = set(LeadOffer.objects.values_list("state", flat=True))
    assert {
        OfferState.OFFERED,
        OfferState.ACCEPTED,
        OfferState.DECLINED,
        OfferState.EXPIRED,
    } <= states
    acme = Partner.objects.get(domain="acme.example")
    assert LeadOffer.objects.filter(partner=acme, state=OfferState.OFFERED).exists()
    converted = Lead.objects.get(status=LeadStatus.CONVERTED)
    assert converted.partner == acme
    deal = Deal.objects.get(pk=converted.deal_id)
    assert (deal.partner, deal.customer_domain_normalized) == (acme, converted.domain)
    # every offer says why (a rule of the demo program) and every lead event is before NOW
    assert not LeadOffer.objects.filter(why={}).exists()
    assert not events("lead.").filter(occurred_at__gt=NOW).exists()
    assert events("lead.converted").count() == 1
