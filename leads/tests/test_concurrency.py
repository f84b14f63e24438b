"""Races on Postgres (real concurrent transactions; skipped on SQLite on a laptop, a failure under
CI=true): two partners offered the same lead accept at once, exactly one wins; two expiry workers
run at once, the lead is reassigned exactly once."""

import threading

import pytest
from django.db import connection, connections

from conftest import require_service
from events.models import Event
from leads import services
from leads.choices import LeadStatus, OfferState
from leads.tests.factories import activate, catch_all_rule, make_lead

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _postgres():
    require_service(
        "Postgres",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://... to run the concurrency tests",
    )


def _race(*calls):
    """Run the calls in threads released together; each outcome is a value or the exception."""
    barrier = threading.Barrier(len(calls), timeout=20)
    outcomes: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_partners_accepting_the_same_lead_at_once_one_wins(world):
    _postgres()
    activate(world.partner_a, world.partner_b)
    catch_all_rule(world.partner_a.program, strategy="first_come", offer_count=2)
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    offer_a = lead.offers.get(partner=world.partner_a)
    offer_b = lead.offers.get(partner=world.partner_b)

    outcomes = _race(
        lambda: services.offer_accept(offer=offer_a, actor=world.users["partner_a_admin"]),
        lambda: services.offer_accept(offer=offer_b, actor=world.users["partner_b_admin"]),
    )
    refused = [o for o in outcomes if isinstance(o, services.LeadError)]
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert (len(won), len(refused)) == (1, 1), outcomes
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED and lead.partner_id == won[0].partner_id
    assert lead.offers.filter(state=OfferState.ACCEPTED).count() == 1
    assert Event.objects.filter(kind="lead.accepted").count() == 1


def test_two_expiry_workers_reassign_a_lead_once(world):
    _postgres()
    activate(world.partner_a, world.partner_b)
    catch_all_rule(world.partner_a.program)
    lead = make_lead(actor=world.users["manager_owner"], program=world.partner_a.program)
    first = lead.offers.get()
    later = first.deadline + (first.deadline - first.offered_at) / 48  # an hour past it

    outcomes = _race(
        lambda: services.offers_expire(now=later), lambda: services.offers_expire(now=later)
    )
    assert sorted(outcomes) == [0, 1], outcomes
    assert lead.offers.filter(state=OfferState.EXPIRED).count() == 1
    assert list(lead.offers.filter(state=OfferState.OFFERED).values_list("partner", flat=True)) == [
        world.partner_b.pk
    ]
    assert Event.objects.filter(kind="lead.offer_expired").count() == 1
    assert Event.objects.filter(kind="lead.offered").count() == 2
