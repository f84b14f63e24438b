"""Two partners' registrations of one customer approved at the same moment: the database lets
exactly one become approved-and-protected. Needs Postgres (real row locks and concurrent
transactions): skipped on SQLite on a laptop, a failure under CI=true."""

import threading

import pytest
from django.db import close_old_connections, connection, connections

from conftest import require_service
from deals import services
from deals.choices import DealStatus
from deals.models import Deal
from deals.tests.factories import make_deal
from events.models import Event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_approvals_of_one_customer_leave_exactly_one_protected(world, monkeypatch):
    require_service(
        "Postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... to run the concurrency test",
    )
    deal_a = make_deal(user=world.users["partner_a_user"], submit=True)
    deal_b = make_deal(
        user=world.users["partner_b_admin"], submit=True, customer_name="Globex Corp."
    )
    managers = [world.users["manager_owner"], world.users["manager_other"]]

    # Both approvals pass the Python pre-check before either writes: the race the constraint is for.
    barrier = threading.Barrier(2, timeout=20)
    original = services._approval_precheck

    def precheck_then_wait(deal):
        original(deal)
        barrier.wait()

    monkeypatch.setattr(services, "_approval_precheck", precheck_then_wait)
    outcomes: dict[int, object] = {}

    def approve(deal, manager):
        try:
            services.deal_approve(deal=deal, actor=manager, acknowledge_conflicts=True)
            outcomes[deal.pk] = "approved"
        except services.DealError as exc:
            outcomes[deal.pk] = exc
        except Exception as exc:  # anything else is a bug: make it visible in the assertion
            outcomes[deal.pk] = repr(exc)
        finally:
            close_old_connections()
            connections.close_all()

    threads = [
        threading.Thread(target=approve, args=(deal, manager))
        for deal, manager in zip([deal_a, deal_b], managers, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(map(type, outcomes.values()), key=str) == sorted(
        [str, services.DealError], key=str
    ), outcomes
    refused = next(v for v in outcomes.values() if isinstance(v, services.DealError))
    assert "approved at the same moment" in str(refused)
    statuses = dict(Deal.objects.values_list("pk", "status"))
    assert sorted(statuses.values()) == [DealStatus.APPROVED, DealStatus.SUBMITTED]
    assert (
        Deal.objects.filter(status=DealStatus.APPROVED, protected_until__isnull=False).count() == 1
    )
    # the refused approval left no trace: one approval event, one transition to approved
    assert Event.objects.filter(kind="deal.approved").count() == 1
    loser = next(pk for pk, status in statuses.items() if status == DealStatus.SUBMITTED)
    assert not Deal.objects.get(pk=loser).transitions.filter(to_status="approved").exists()


def test_two_managers_deciding_one_deal_at_once_make_one_decision(world):
    """The row lock serializes an approval and a rejection of the same registration."""
    require_service(
        "Postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... to run the concurrency test",
    )
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[object] = []

    def decide(action):
        try:
            barrier.wait()
            action()
            outcomes.append("done")
        except services.DealError as exc:
            outcomes.append(exc)
        except Exception as exc:
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    approve = lambda: services.deal_approve(deal=deal, actor=world.users["manager_owner"])  # noqa: E731
    reject = lambda: services.deal_reject(  # noqa: E731
        deal=deal, actor=world.users["manager_other"], reason="duplicate"
    )
    threads = [threading.Thread(target=decide, args=(a,)) for a in (approve, reject)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(str, map(type, outcomes))) == sorted([str(str), str(services.DealError)]), (
        outcomes
    )
    refused = next(o for o in outcomes if isinstance(o, services.DealError))
    assert "cannot become" in str(refused)
    deal.refresh_from_db()
    assert deal.status in {DealStatus.APPROVED, DealStatus.REJECTED}
    assert deal.transitions.exclude(to_status__in=["draft", "submitted"]).count() == 1
    assert Event.objects.filter(kind__in=["deal.approved", "deal.rejected"]).count() == 1
