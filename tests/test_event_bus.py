"""The event bus cannot break its writers: a consumer that fails inside the recording transaction
is rolled back to its own savepoint, logged, and its events are caught up later; the writer's work
(a deal submitted, a role changed) is kept. One registry lists every consumer and its kinds."""

import dataclasses
import logging

import pytest
from django.db import connection

from audit.models import AuditEntry
from deals.choices import DealStatus
from deals.models import Deal
from deals.tests.factories import make_deal
from events import consumers
from events.models import ConsumerMiss, Event
from events.tasks import catch_up_event_consumers
from incentives.models import PartnerScore
from incentives.tests.factories import rule
from onboarding import services as onboarding
from onboarding.choices import StepKind, StepStatus
from onboarding.tests.factories import TemplateStepFactory
from partners import services as partner_services
from partners.choices import MemberRole
from webhooks import services as webhooks
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


class ConsumerDown(RuntimeError):
    pass


def break_consumer(monkeypatch, name):
    def boom(events):
        raise ConsumerDown(f"{name} is down")

    monkeypatch.setitem(
        consumers.registry, name, dataclasses.replace(consumers.registry[name], handle=boom)
    )


def first_deal_step(partner):
    TemplateStepFactory(template__program=partner.program, key="deal", kind=StepKind.FIRST_DEAL)
    checklist = onboarding.checklist_start(partner=partner)
    return checklist.steps.get(key="deal")


def deal_step_done(step):
    step.refresh_from_db()
    return step.status == StepStatus.DONE


# consumer name → (set up what it would act on; did it act?)
DEAL_CONSUMERS = {
    "onboarding.steps": (lambda world: first_deal_step(world.partner_a), deal_step_done),
    "incentives.awards": (
        lambda world: (rule(kind="deal.submitted", points=25), world.partner_a)[1],
        lambda partner: PartnerScore.objects.filter(partner=partner, points=25).exists(),
    ),
    "webhooks.deliveries": (
        lambda world: webhooks.endpoint_create(
            url="https://hooks.example.com/prm", event_types=["deal.submitted"]
        ),
        lambda issued: WebhookDelivery.objects.filter(event_type="deal.submitted").count() == 1,
    ),
}


@pytest.mark.parametrize("name", sorted(DEAL_CONSUMERS))
def test_a_failing_consumer_does_not_roll_back_a_deal_submission_and_is_caught_up(
    name, world, monkeypatch, caplog, settings
):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    arrange, acted = DEAL_CONSUMERS[name]
    target = arrange(world)
    break_consumer(monkeypatch, name)

    with caplog.at_level(logging.ERROR, logger="events.consumers"):
        deal = make_deal(user=world.users["partner_a_user"], submit=True)

    assert Deal.objects.get(pk=deal.pk).status == DealStatus.SUBMITTED
    assert Event.objects.filter(kind="deal.submitted", subject_id=str(deal.pk)).exists()
    assert any(name in r.getMessage() and r.exc_info for r in caplog.records)
    assert not acted(target)

    monkeypatch.undo()  # the consumer is back
    assert consumers.consumers_catch_up() >= 1
    assert acted(target)
    assert consumers.consumers_catch_up() == 0  # nothing left, nothing done twice
    assert acted(target)


def test_a_failing_audit_consumer_does_not_roll_back_a_role_change_and_is_caught_up(
    world, monkeypatch, caplog
):
    membership = world.users["partner_a_user"].membership
    break_consumer(monkeypatch, "audit.events")

    with caplog.at_level(logging.ERROR, logger="events.consumers"):
        partner_services.membership_set_role(
            membership=membership, role=MemberRole.ADMIN, actor=world.users["partner_a_admin"]
        )

    membership.refresh_from_db()
    assert membership.role == MemberRole.ADMIN
    assert any("audit.events" in r.getMessage() for r in caplog.records)
    changed = AuditEntry.objects.filter(action="team.role_changed")
    assert not changed.exists()

    monkeypatch.undo()
    assert consumers.consumers_catch_up() == 1
    assert consumers.consumers_catch_up() == 0
    assert changed.count() == 1


def test_a_consumer_still_failing_in_the_catch_up_keeps_its_events_for_the_next_run(
    world, monkeypatch
):
    step = first_deal_step(world.partner_a)
    break_consumer(monkeypatch, "onboarding.steps")
    make_deal(user=world.users["partner_a_user"], submit=True)

    assert consumers.consumers_catch_up() == 0  # still down: nothing lost
    assert not deal_step_done(step)
    monkeypatch.undo()
    assert consumers.consumers_catch_up() == 1
    assert deal_step_done(step)


def test_every_consumer_is_registered_once_with_the_kinds_it_handles():
    assert set(consumers.registry) == {
        "audit.events",
        "incentives.awards",
        "leads.conversions",
        "leads.outcomes",
        "notifications.staff",
        "onboarding.steps",
        "webhooks.deliveries",
    }
    assert "leads.conversions" not in consumers.consumers_of("lead.accepted")
    assert "leads.conversions" in consumers.consumers_of("deal.submitted")
    assert "leads.outcomes" in consumers.consumers_of("deal.won")
    assert "leads.outcomes" in consumers.consumers_of("deal.lost")
    assert "leads.outcomes" not in consumers.consumers_of("deal.submitted")
    assert "notifications.staff" in consumers.consumers_of("application.submitted")
    assert "notifications.staff" not in consumers.consumers_of("deal.submitted")
    assert {"webhooks.deliveries", "onboarding.steps", "incentives.awards"} <= set(
        consumers.consumers_of("deal.submitted")
    )
    assert "audit.events" in consumers.consumers_of("user.role_changed")
    assert "audit.events" not in consumers.consumers_of("deal.submitted")


def test_a_consumer_failing_in_the_database_leaves_the_writers_transaction_usable(
    world, monkeypatch
):
    """On Postgres a failed statement aborts the whole transaction unless it ran in a savepoint:
    the deal submission must still commit its later writes (the notification, the transition)."""

    def bad_sql(events):
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM no_such_table")

    monkeypatch.setitem(
        consumers.registry,
        "webhooks.deliveries",
        dataclasses.replace(consumers.registry["webhooks.deliveries"], handle=bad_sql),
    )
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.SUBMITTED
    assert deal.transitions.filter(to_status=DealStatus.SUBMITTED).exists()
    miss = ConsumerMiss.objects.get(consumer="webhooks.deliveries")
    assert miss.event_id == Event.objects.get(kind="deal.submitted").pk
    assert miss.last_error


def test_the_scheduled_task_catches_up_what_a_consumer_missed(world, monkeypatch):
    step = first_deal_step(world.partner_a)
    break_consumer(monkeypatch, "onboarding.steps")
    make_deal(user=world.users["partner_a_user"], submit=True)
    monkeypatch.undo()
    assert catch_up_event_consumers.delay().get() == 1
    assert deal_step_done(step)
    assert not ConsumerMiss.objects.exists()


def test_the_consumer_listing_is_read_from_the_registry(world, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    break_consumer(monkeypatch, "audit.events")
    partner_services.membership_set_role(
        membership=world.users["partner_a_user"].membership,
        role=MemberRole.ADMIN,
        actor=world.users["partner_a_admin"],
    )
    out = StringIO()
    call_command("event_consumers", stdout=out)
    lines = out.getvalue().splitlines()
    audit = next(line for line in lines if line.startswith("audit.events: "))
    assert "user.role_changed" in audit and audit.endswith("(missed: 1)")
    assert "onboarding.steps: every kind (missed: 0)" in lines
    submitted = next(line for line in lines if line.startswith("deal.submitted: "))
    assert set(submitted.split(": ")[1].split(", ")) == set(
        consumers.consumers_of("deal.submitted")
    )


def test_an_event_a_consumer_keeps_failing_on_holds_back_only_itself(world, monkeypatch):
    entries = AuditEntry.objects.filter(action="team.role_changed")
    break_consumer(monkeypatch, "audit.events")
    admin = world.users["partner_a_admin"]
    for role in (MemberRole.ADMIN, MemberRole.USER, MemberRole.ADMIN):
        partner_services.membership_set_role(
            membership=world.users["partner_a_user"].membership, role=role, actor=admin
        )
    monkeypatch.undo()
    misses = ConsumerMiss.objects.filter(consumer="audit.events").order_by("event_id")
    poison = misses[0].event_id  # the oldest: it would block the others if handled as a batch
    real = consumers.registry["audit.events"].handle

    def fails_on_poison(events):
        if any(e.pk == poison for e in events):
            raise ConsumerDown("this one event cannot be audited")
        real(events)

    monkeypatch.setitem(
        consumers.registry,
        "audit.events",
        dataclasses.replace(consumers.registry["audit.events"], handle=fails_on_poison),
    )
    assert consumers.consumers_catch_up() == 2
    assert entries.count() == 2
    kept = misses.get()
    assert (kept.event_id, kept.attempts) == (poison, 2)
    assert "cannot be audited" in kept.last_error
    assert consumers.consumers_catch_up() == 0  # still failing: kept, counted again
    assert misses.get().attempts == 3
