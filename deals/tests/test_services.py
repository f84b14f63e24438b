from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from deals import services
from deals.choices import DealStatus
from deals.models import Deal, DealTransition, RegistrationPolicy
from deals.services import DealError, Line
from deals.tests.factories import make_deal, offering
from events.models import Event
from partners.tests.factories import MembershipFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_user(world):
    return world.users["partner_a_user"]


@pytest.fixture
def b_admin(world):
    return world.users["partner_b_admin"]


@pytest.fixture
def manager(world):
    return world.users["manager_owner"]


def test_a_draft_keeps_normalized_customer_and_the_sum_of_its_lines(a_user):
    deal = make_deal(
        user=a_user,
        customer_name="  ACME Corp., Inc. ",
        customer_domain="https://www.ACME.example/contact",
        lines=[
            Line(offering=offering("a"), quantity=2, unit_amount=Decimal("10.50")),
            Line(offering=offering("b"), quantity=1, unit_amount=Decimal("5.00")),
        ],
    )
    assert deal.status == DealStatus.DRAFT
    assert deal.customer_name_normalized == "acme"
    assert deal.customer_domain_normalized == "acme.example"
    assert deal.amount == Decimal("26.00")
    assert list(deal.transitions.values_list("to_status", flat=True)) == ["draft"]


def test_an_incomplete_draft_cannot_be_submitted_and_says_what_is_missing(a_user):
    deal = make_deal(user=a_user, customer_domain="", contact_email="", lines=[])
    with pytest.raises(DealError) as exc:
        services.deal_submit(deal=deal, actor=a_user)
    message = str(exc.value)
    assert "web domain" in message and "contact" in message and "offering" in message
    deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT


def test_submitting_records_the_event_contract_and_emails_the_owner(
    a_user, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(user=a_user, submit=True)
    event = Event.objects.get(kind="deal.submitted")
    assert event.properties == {
        "deal": deal.pk,
        "amount": "1234.50",
        "currency": "EUR",
        "offerings": ["cloud-suite"],
    }
    assert event.partner_id == world.partner_a.pk and event.user_id == a_user.pk
    assert event.idempotency_key == f"deal.submitted:{deal.pk}"
    assert [m.to for m in mail.outbox] == [["owner@vendor.example"]]
    assert "Globex" in mail.outbox[0].subject


def test_approval_protects_for_the_tier_policy_then_the_program_default(a_user, manager, world):
    program = world.partner_a.program
    RegistrationPolicy.objects.create(program=program, protection_days=60)
    RegistrationPolicy.objects.create(
        program=program, tier=world.partner_a.tier, protection_days=120
    )
    now = timezone.now()
    deal = services.deal_approve(deal=make_deal(user=a_user, submit=True), actor=manager, at=now)
    assert deal.status == DealStatus.APPROVED
    assert deal.protected_until == now + timedelta(days=120)
    world.partner_a.tier = TierFactory(program=program, rank=5)
    world.partner_a.save()
    other = make_deal(
        user=a_user, submit=True, customer_domain="other.example", customer_name="Other"
    )
    other = services.deal_approve(deal=other, actor=manager, at=now)
    assert other.protected_until == now + timedelta(days=60)


def test_approval_protects_for_the_days_the_tier_benefit_promises_over_the_policy(
    a_user, manager, world
):
    from partners.choices import BenefitKind
    from partners.models import TierBenefit

    RegistrationPolicy.objects.create(
        program=world.partner_a.program, tier=world.partner_a.tier, protection_days=60
    )
    TierBenefit.objects.create(
        tier=world.partner_a.tier,
        kind=BenefitKind.DEAL_PROTECTION_DAYS,
        name="Deal protection",
        amount=150,
    )
    now = timezone.now()

    deal = services.deal_approve(deal=make_deal(user=a_user, submit=True), actor=manager, at=now)

    assert deal.protected_until == now + timedelta(days=150)


def test_the_default_protection_is_90_days(a_user, manager):
    now = timezone.now()
    deal = services.deal_approve(deal=make_deal(user=a_user, submit=True), actor=manager, at=now)
    assert deal.protected_until == now + timedelta(days=90)


@pytest.mark.parametrize(
    ("status_path", "service", "kwargs"),
    [
        ([], "deal_approve", {}),
        ([], "deal_mark_won", {"final_amount": Decimal("1")}),
        (["submit"], "deal_mark_lost", {"reason": "budget"}),
        (["submit", "reject"], "deal_approve", {}),
        (["submit", "approve", "won"], "deal_mark_lost", {"reason": "x"}),
        (["submit", "approve"], "deal_submit", {}),
    ],
)
def test_illegal_transitions_are_refused(a_user, manager, status_path, service, kwargs):
    deal = make_deal(user=a_user)
    steps = {
        "submit": lambda d: services.deal_submit(deal=d, actor=a_user),
        "approve": lambda d: services.deal_approve(deal=d, actor=manager),
        "reject": lambda d: services.deal_reject(deal=d, actor=manager, reason="dup"),
        "won": lambda d: services.deal_mark_won(deal=d, actor=a_user, final_amount=Decimal("5")),
    }
    for step in status_path:
        deal = steps[step](deal)
    before = deal.status
    actor = manager if service == "deal_approve" else a_user
    with pytest.raises(DealError, match="cannot become"):
        getattr(services, service)(deal=deal, actor=actor, **kwargs)
    deal.refresh_from_db()
    assert deal.status == before


def test_rejecting_needs_a_reason_and_a_channel_manager(a_user, manager):
    deal = make_deal(user=a_user, submit=True)
    with pytest.raises(DealError, match="reason"):
        services.deal_reject(deal=deal, actor=manager, reason="  ")
    with pytest.raises(DealError, match="channel managers"):
        services.deal_reject(deal=deal, actor=a_user, reason="nope")
    with pytest.raises(DealError, match="channel managers"):
        services.deal_approve(deal=deal, actor=a_user)


def test_the_full_lifecycle_is_stored_as_a_timeline_with_events(
    a_user, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(user=a_user, submit=True)
        deal = services.deal_approve(deal=deal, actor=manager, note="Looks good")
        deal = services.deal_mark_won(deal=deal, actor=a_user, final_amount=Decimal("1500.00"))
    steps = list(DealTransition.objects.filter(deal=deal).values_list("from_status", "to_status"))
    assert steps == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
        ("approved", "won"),
    ]
    kinds = list(Event.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["deal.submitted", "deal.approved", "deal.won"]
    assert Event.objects.get(kind="deal.won").properties["amount"] == "1500.00"
    assert deal.closed_at is not None
    # submitted → owner; approved and won → the partner user / the owner
    assert [m.to for m in mail.outbox] == [
        ["owner@vendor.example"],
        ["user@alpha.example"],
        ["owner@vendor.example"],
    ]


def test_a_second_partner_cannot_be_approved_for_a_protected_domain(a_user, b_admin, manager):
    first = make_deal(user=a_user, submit=True)
    second = make_deal(user=b_admin, submit=True, customer_name="Globex Corp")
    services.deal_approve(deal=first, actor=manager)
    with pytest.raises(DealError, match="already protected by Alpha Systems"):
        services.deal_approve(deal=second, actor=manager)
    second.refresh_from_db()
    assert second.status == DealStatus.SUBMITTED
    services.deal_reject(deal=second, actor=manager, reason="Alpha registered first")


def test_the_database_itself_refuses_two_approved_registrations_of_one_domain(
    a_user, b_admin, manager, monkeypatch
):
    """Even when the Python pre-check is bypassed (as in a race), the constraint holds."""
    first = make_deal(user=a_user, submit=True)
    second = make_deal(user=b_admin, submit=True, customer_name="Something Else")
    services.deal_approve(deal=first, actor=manager)
    monkeypatch.setattr(services, "_approval_precheck", lambda deal: None)
    with pytest.raises(DealError, match="approved at the same moment"):
        services.deal_approve(deal=second, actor=manager, acknowledge_conflicts=True)
    assert Deal.objects.filter(status=DealStatus.APPROVED).count() == 1
    with pytest.raises(IntegrityError):
        Deal.objects.filter(pk=second.pk).update(
            status=DealStatus.APPROVED, protected_until=timezone.now()
        )


def test_a_similar_protected_name_must_be_acknowledged_before_approval(a_user, b_admin, manager):
    first = make_deal(
        user=a_user, submit=True, customer_name="Initech GmbH", customer_domain="initech.de"
    )
    services.deal_approve(deal=first, actor=manager)
    second = make_deal(
        user=b_admin, submit=True, customer_name="INITECH Inc.", customer_domain="initech.com"
    )
    with pytest.raises(DealError, match="similar customer"):
        services.deal_approve(deal=second, actor=manager)
    services.deal_approve(deal=second, actor=manager, acknowledge_conflicts=True)


def test_drafts_can_only_be_shared_with_the_same_team(a_user, b_admin, world):
    colleague = MembershipFactory(partner=world.partner_a).user
    deal = make_deal(user=a_user, shared_with=[colleague])
    assert list(deal.shared_with.all()) == [colleague]
    with pytest.raises(DealError, match="own team"):
        make_deal(user=a_user, shared_with=[b_admin])


def test_a_submitted_deal_is_frozen(a_user):
    deal = make_deal(user=a_user, submit=True)
    with pytest.raises(DealError, match="Only drafts"):
        services.deal_update(deal=deal, actor=a_user, details={"customer_name": "X"}, lines=[])


def test_extension_request_and_grant_move_the_protection_end(
    a_user, manager, django_capture_on_commit_callbacks
):
    deal = services.deal_approve(deal=make_deal(user=a_user, submit=True), actor=manager)
    end = deal.protected_until
    ext = services.deal_extension_request(
        deal=deal, actor=a_user, days=30, reason="Board meets late"
    )
    with pytest.raises(DealError, match="already waiting"):
        services.deal_extension_request(deal=deal, actor=a_user, days=10, reason="again")
    services.deal_extension_decide(extension=ext, actor=manager, grant=True)
    deal.refresh_from_db()
    assert deal.protected_until == end + timedelta(days=30)
    assert Event.objects.filter(kind="deal.extended").count() == 1
    with pytest.raises(DealError, match="already decided"):
        services.deal_extension_decide(extension=ext, actor=manager, grant=False)


def test_every_deal_event_carries_the_property_contract(a_user, b_admin, manager):
    won = make_deal(user=a_user, submit=True)
    services.deal_approve(deal=won, actor=manager)
    services.deal_mark_won(deal=won, actor=a_user, final_amount=Decimal("99.90"))
    lost = make_deal(user=a_user, submit=True, customer_domain="lost.example", customer_name="L")
    services.deal_approve(deal=lost, actor=manager)
    services.deal_mark_lost(deal=lost, actor=a_user, reason="budget cut")
    rejected = make_deal(user=b_admin, submit=True, customer_domain="r.example", customer_name="R")
    services.deal_reject(deal=rejected, actor=manager, reason="not a fit")
    expired = make_deal(user=a_user, submit=True, customer_domain="e.example", customer_name="E")
    expired = services.deal_approve(deal=expired, actor=manager)
    assert services.deal_expire(deal=expired, at=expired.protected_until + timedelta(seconds=1))
    kinds = set()
    for event in Event.objects.filter(kind__startswith="deal."):
        kinds.add(event.kind)
        props = event.properties
        assert set(props) >= {"deal", "amount", "currency", "offerings"}, event.kind
        assert isinstance(props["deal"], int) and props["currency"] == "EUR"
        assert Decimal(props["amount"]) > 0 and isinstance(props["amount"], str)
        assert props["offerings"] == ["cloud-suite"]
        assert event.subject_type == "deals.deal" and event.subject_id == str(props["deal"])
    assert kinds == {
        "deal.submitted",
        "deal.approved",
        "deal.rejected",
        "deal.won",
        "deal.lost",
        "deal.expired",
    }
    assert Event.objects.get(kind="deal.won").properties["amount"] == "99.90"
    assert Event.objects.get(kind="deal.rejected").partner_id == b_admin.membership.partner_id


def test_a_partner_is_told_at_submit_time_that_it_already_protects_the_customer(a_user, manager):
    first = make_deal(user=a_user, submit=True)
    services.deal_approve(deal=first, actor=manager)
    second = make_deal(user=a_user, customer_name="Globex Corp")

    with pytest.raises(DealError, match=rf"Your registration #{first.pk} already protects"):
        services.deal_submit(deal=second, actor=a_user)

    second.refresh_from_db()
    assert second.status == DealStatus.DRAFT
    assert not Event.objects.filter(kind="deal.submitted", properties__deal=second.pk).exists()


def test_a_partners_second_registration_under_review_is_accepted_and_listed_on_review(a_user):
    from deals import selectors

    first = make_deal(user=a_user, submit=True)
    second = make_deal(user=a_user, submit=True, customer_name="Globex Corp")

    [conflict] = selectors.deal_conflicts(deal=second)
    assert conflict.deal == first and conflict.same_partner and conflict.same_domain


def test_another_partners_protection_is_not_revealed_at_submit_time(a_user, b_admin, manager):
    first = make_deal(user=a_user, submit=True)
    services.deal_approve(deal=first, actor=manager)

    second = make_deal(user=b_admin, submit=True)  # the manager sees the conflict on review

    assert second.status == DealStatus.SUBMITTED


def test_the_partners_own_open_registration_is_listed_as_a_conflict(a_user, manager):
    from deals import selectors

    first = make_deal(user=a_user, submit=True)
    services.deal_approve(deal=first, actor=manager)
    second = make_deal(
        user=a_user, submit=True, customer_name="Globex Corp", customer_domain="globex.de"
    )

    [conflict] = selectors.deal_conflicts(deal=second)

    assert conflict.deal == first and conflict.is_protected and conflict.same_partner
