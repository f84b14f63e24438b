"""Two approvals racing on one allocation cannot overspend it. Needs Postgres (real concurrent
transactions): skipped on SQLite on a laptop, a failure under CI=true."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from conftest import require_service
from events.models import Event
from events.tests.payloads import payload
from incentives import services
from incentives.choices import MdfStatus
from incentives.models import MdfAllocation, MdfRequest
from incentives.services import mdf as mdf_services
from incentives.tests.factories import allocation, mdf_request

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_approvals_racing_for_the_last_funds_approve_exactly_one(world, monkeypatch):
    require_service(
        "Postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... to run the concurrency test",
    )
    alloc = allocation(partner=world.partner_a, actor=world.users["manager_owner"], amount="1000")
    first = mdf_request(world=world, amount="700.00", title="Webinar")
    second = mdf_request(world=world, amount="600.00", title="Trade show")
    managers = [world.users["manager_owner"], world.users["vendor_admin"]]

    # Both approvals pass the friendly Python pre-check before either writes: the race the
    # conditional UPDATE and the CHECK constraint are for.
    barrier = threading.Barrier(2, timeout=20)
    original = mdf_services._remaining_precheck

    def precheck_then_wait(allocation_id, amount):
        original(allocation_id, amount)
        barrier.wait()

    monkeypatch.setattr(mdf_services, "_remaining_precheck", precheck_then_wait)
    outcomes: dict[int, object] = {}

    def approve(request, manager):
        try:
            services.mdf_request_approve(request=request, actor=manager)
            outcomes[request.pk] = "approved"
        except services.MdfError as exc:
            outcomes[request.pk] = exc
        except Exception as exc:  # anything else is a bug: make it visible in the assertion
            outcomes[request.pk] = repr(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(request, manager))
        for request, manager in zip([first, second], managers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(type(o).__name__ for o in outcomes.values()) == ["MdfError", "str"], outcomes
    refused = next(o for o in outcomes.values() if isinstance(o, services.MdfError))
    assert "at the same moment" in str(refused)
    alloc.refresh_from_db()
    approved = MdfRequest.objects.get(status=MdfStatus.APPROVED)
    assert alloc.committed == approved.approved_amount <= alloc.amount == Decimal("1000")
    assert MdfRequest.objects.filter(status=MdfStatus.REQUESTED).count() == 1
    assert Event.objects.filter(kind="mdf.approved").count() == 1
    assert MdfAllocation.objects.filter(committed__gt=Decimal("1000")).count() == 0


def test_two_first_deals_recorded_at_once_earn_the_first_deal_award_once(world):
    """The live path locks the partner's score row, so "first only" holds when two events of one
    partner are recorded by concurrent transactions."""
    require_service(
        "Postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... to run the concurrency test",
    )
    from events.services import record_event
    from incentives.models import Award, PartnerScore
    from incentives.tests.factories import badge, rule

    rule(kind="deal.submitted", points=100, badge=badge(), first_only=True, name="First deal")
    barrier = threading.Barrier(2, timeout=20)
    errors: list[str] = []

    def submit(n, user):
        try:
            barrier.wait()
            record_event(
                kind="deal.submitted",
                key=f"race-{n}",
                user=user,
                properties=payload("deal.submitted"),
            )
        except Exception as exc:  # a deadlock or an integrity error would be a bug
            errors.append(repr(exc))
        finally:
            connections.close_all()

    users = [world.users["partner_a_admin"], world.users["partner_a_user"]]
    threads = [threading.Thread(target=submit, args=(n, u)) for n, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert Event.objects.filter(kind="deal.submitted").count() == 2
    assert Award.objects.filter(partner=world.partner_a).count() == 1
    assert PartnerScore.objects.get(partner=world.partner_a).points == 100
    assert Event.objects.filter(kind="badge.earned").count() == 1


def test_the_award_catch_up_never_skips_an_event_whose_transaction_commits_late(
    world, monkeypatch, settings
):
    """A writer's transaction stays open (longer than any time lag) holding a ``deal.won`` with a
    lower id than one committed meanwhile; the live path missed both. The catch-up must not move
    its watermark past the open event: once it commits, it is awarded, exactly once."""
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://…")
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from events import consumers
    from events.services import record_event
    from incentives.tests.factories import rule

    settings.PRM_ROLLUP_LOCK_TIMEOUT_MS = 300
    rule(kind="deal.won", points=20)
    monkeypatch.delitem(consumers.registry, "incentives.awards")  # the live path misses both
    user = world.users["partner_a_admin"]
    won = payload("deal.won")
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                record_event(
                    kind="deal.won", key="deal.won:slow", user=user, properties=won
                )  # lower id
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(10)
    record_event(kind="deal.won", key="deal.won:fast", user=user, properties=won)  # committed
    later = timezone.now() + timedelta(hours=1)  # well past any "settled" time lag
    services.awards_catch_up(now=later)
    release.set()
    thread.join(10)
    monkeypatch.undo()
    slow, fast = (Event.objects.get(idempotency_key=k) for k in ("deal.won:slow", "deal.won:fast"))
    assert slow.pk < fast.pk
    services.awards_catch_up(now=later)
    assert services.awards_catch_up(now=later) == 0
    from incentives.models import Award, PartnerScore

    assert sorted(Award.objects.values_list("event_id", flat=True)) == [slow.pk, fast.pk]
    assert PartnerScore.objects.get(partner=world.partner_a).points == 40
