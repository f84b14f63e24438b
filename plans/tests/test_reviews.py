"""Quarterly business reviews: who may do what, scoping, the frozen scorecard, conversions once,
events and notices, pages with bounded queries."""

import datetime
from datetime import UTC

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from events.choices import EventKind
from events.models import Event
from kernel.models import OutboundEmail
from plans import services
from plans.choices import InitiativeStatus, PlanStatus, ReviewStatus, Side
from plans.models import ActionItem, BusinessPlan, Initiative, QuarterlyReview
from plans.tests.factories import approved_plan
from tiers.tests.tiers_helpers import M, won

pytestmark = pytest.mark.django_db

GOALS = [{"measure": M.WON_DEALS_12M, "target": "10"}, {"text": "Two joint webinars"}]


def _when(days=7):
    return (timezone.now() + datetime.timedelta(days=days)).replace(microsecond=0)


def _review(world, *, actor="manager_owner", partner=None, plan=None, attendees=None, **kwargs):
    users = world.users
    partner = partner or world.partner_a
    people = attendees if attendees is not None else [users["manager_owner"],
                                                      users["partner_a_admin"]]  # fmt: skip
    return services.review_schedule(
        actor=users[actor], partner=partner, title=kwargs.pop("title", "Q3 review"),
        starts_at=kwargs.pop("starts_at", _when()), duration_minutes=60,
        meeting_url=kwargs.pop("meeting_url", "https://meet.example/abc"),
        agenda="Goals, pipeline", attendees=people,
        plan=plan, **kwargs,
    )  # fmt: skip


def _plan(world):
    users = world.users
    return approved_plan(partner_admin=users["partner_a_admin"], manager=users["manager_owner"],
                         partner=world.partner_a, fiscal_year=timezone.localdate().year,
                         goals=GOALS)  # fmt: skip


# --- Who may schedule, attendees ------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["manager_owner", "vendor_admin"])
def test_the_owning_manager_and_vendor_admins_schedule(world, persona):
    review = _review(world, actor=persona)
    assert review.status == ReviewStatus.SCHEDULED and review.starts_at.tzinfo is not None
    event = Event.objects.get(kind=EventKind.QBR_SCHEDULED)
    assert event.properties["qbr"] == review.pk and event.properties["attendees"] == 2


@pytest.mark.parametrize("persona", ["manager_other", "partner_a_admin", "partner_a_user"])
def test_nobody_else_schedules(world, persona):
    with pytest.raises(PermissionDenied):
        _review(world, actor=persona)
    assert not QuarterlyReview.objects.exists()


def test_attendees_are_vendor_staff_and_the_partners_own_members_only(world):
    with pytest.raises(ValidationError) as exc:
        _review(world, attendees=[world.users["partner_b_admin"]])
    assert "attendees" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _review(world, starts_at=datetime.datetime(1990, 1, 1, tzinfo=UTC))
    assert "starts_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _review(world, meeting_url="javascript:alert(1)")
    assert "meeting_url" in exc.value.message_dict
    assert not QuarterlyReview.objects.exists()


def test_scheduling_changing_and_cancelling_tell_the_attendees_once_each(world):
    review = _review(world)
    emails = OutboundEmail.objects.filter(template="plans_review_update")
    # the actor is not told; the partner admin is, with the portal link and the .ics link
    assert [e.to for e in emails] == [["admin@alpha.example"]]
    assert reverse("plans:portal_review", args=[review.pk]) in emails[0].body
    assert reverse("plans:review_ics", args=[review.pk]) in emails[0].body
    services.review_update(actor=world.users["manager_owner"], review=review, title="Q3 review",
                           starts_at=_when(8), duration_minutes=90, meeting_url="",
                           attendees=[world.users["manager_owner"], world.users["partner_a_admin"],
                                      world.users["vendor_admin"]])  # fmt: skip
    event = Event.objects.get(kind=EventKind.QBR_RESCHEDULED)
    assert set(event.properties["changed"]) >= {"starts_at", "duration_minutes", "attendees"}
    services.review_cancel(actor=world.users["manager_owner"], review=review)
    assert emails.all().count() == 5  # scheduled 1, changed 2 (+ the vendor admin), cancelled 2
    with pytest.raises(services.PlanError):
        services.review_cancel(actor=world.users["manager_owner"], review=review)


# --- The frozen scorecard ---------------------------------------------------------------------------
def test_holding_freezes_the_scorecard_and_later_data_does_not_change_it(world):
    plan = _plan(world)
    review = _review(world, plan=plan)
    review = services.review_hold(actor=world.users["manager_owner"], review=review)
    frozen = QuarterlyReview.objects.get(pk=review.pk).snapshot
    row = frozen["rows"][0]
    assert frozen["plan"]["id"] == plan.pk and row["measured"] and row["actual"] == "0"
    assert row["target"] == "10"
    # the trend of the last four periods is frozen with it; the running period's point is the actual
    assert len(frozen["trend"]["periods"]) == 4
    assert [r["values"][-1] for r in frozen["trend"]["rows"]][:1] == ["0"]
    won(world.partner_a, amount=5000)  # a won deal after the meeting
    services.review_save_notes(actor=world.users["manager_owner"], review=review, notes="Later")
    review.refresh_from_db()
    assert review.snapshot == frozen and review.status == ReviewStatus.HELD
    with pytest.raises(services.PlanError):
        services.review_hold(actor=world.users["manager_owner"], review=review)
    assert Event.objects.filter(kind=EventKind.QBR_HELD).count() == 1
    # the page shows the frozen data and says when it was frozen
    from django.test import Client

    client = Client()
    client.force_login(world.users["partner_a_user"])
    body = client.get(reverse("plans:portal_review", args=[review.pk])).content.decode()
    assert "Frozen on" in body and "Later" in body
    assert 'data-testid="snapshot-trend"' in body


def test_notes_first_taken_after_the_start_hold_the_review(world):
    review = _review(world, starts_at=_when(1))
    manager = world.users["manager_owner"]
    services.review_save_notes(actor=manager, review=review, notes="Agenda ready",
                               now=timezone.now())  # fmt: skip
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCHEDULED and review.snapshot is None
    services.review_save_notes(actor=manager, review=review, notes="We met",
                               now=review.starts_at + datetime.timedelta(minutes=5))  # fmt: skip
    review.refresh_from_db()
    assert review.status == ReviewStatus.HELD and review.snapshot is not None


# --- Action items and their conversion -------------------------------------------------------------
def test_a_partner_admin_adds_action_items_for_its_own_side_only(world):
    review = _review(world)
    admin = world.users["partner_a_admin"]
    item = services.action_item_add(actor=admin, review=review, text="Train two SEs",
                                    owner_side=Side.PARTNER, owner=admin)  # fmt: skip
    assert item.pk and Event.objects.filter(kind=EventKind.QBR_ACTION_ADDED).count() == 1
    with pytest.raises(ValidationError):
        services.action_item_add(actor=admin, review=review, text="x", owner_side=Side.VENDOR)
    with pytest.raises(PermissionDenied):
        services.action_item_add(actor=world.users["partner_a_user"], review=review, text="x",
                                 owner_side=Side.PARTNER)  # fmt: skip
    with pytest.raises(ValidationError):  # an owner from another partner
        services.action_item_add(actor=world.users["manager_owner"], review=review, text="x",
                                 owner_side=Side.PARTNER, owner=world.users["partner_b_admin"])  # fmt: skip


def test_an_action_item_becomes_an_initiative_once_in_a_new_version_of_the_approved_plan(world):
    plan = _plan(world)
    review = _review(world, plan=plan)
    manager = world.users["manager_owner"]
    item = services.action_item_add(actor=manager, review=review, text="Joint campaign",
                                    owner_side=Side.VENDOR, owner=manager,
                                    due_on=timezone.localdate())  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.action_item_to_initiative(actor=world.users["partner_a_admin"], item=item)
    item = services.action_item_to_initiative(actor=manager, item=item)
    draft = item.initiative.plan
    assert draft.version == 2 and draft.status == PlanStatus.DRAFT
    assert item.initiative.title == "Joint campaign"
    assert item.initiative.status == InitiativeStatus.PLANNED
    assert BusinessPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    with pytest.raises(services.PlanError):
        services.action_item_to_initiative(actor=manager, item=item)
    assert Initiative.objects.filter(title="Joint campaign").count() == 1
    event = Event.objects.get(kind=EventKind.QBR_ACTION_CONVERTED)
    assert event.properties["into"] == "initiative"
    assert event.properties["initiative"] == item.initiative_id


# --- Scoping through the pages ---------------------------------------------------------------------
def test_a_partner_never_sees_another_partners_reviews(client_as, world):
    review = _review(world)
    b = client_as("partner_b_admin")
    assert b.get(reverse("plans:portal_review", args=[review.pk])).status_code == 404
    assert b.get(reverse("plans:review_ics", args=[review.pk])).status_code == 404
    assert "Q3 review" not in b.get(reverse("plans:portal_reviews")).content.decode()
    assert b.post(reverse("plans:review_comment", args=[review.pk]),
                  {"body": "hi"}).status_code == 404  # fmt: skip
    a = client_as("partner_a_user")
    assert "Q3 review" in a.get(reverse("plans:portal_reviews")).content.decode()
    assert a.post(reverse("plans:review_comment", args=[review.pk]),
                  {"body": "hi"}).status_code == 403  # fmt: skip
    assert a.post(reverse("plans:review_cancel", args=[review.pk])).status_code == 403
    admin = client_as("partner_a_admin")
    assert admin.post(reverse("plans:review_comment", args=[review.pk]),
                      {"body": "Add pipeline", "is_agenda_point": "on"}).status_code == 302  # fmt: skip
    assert admin.post(reverse("plans:review_hold", args=[review.pk])).status_code == 403


def test_the_ics_file_carries_the_review(client_as, world):
    review = _review(world)
    response = client_as("partner_a_admin").get(reverse("plans:review_ics", args=[review.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and f"UID:qbr-{review.pk}@" in body
    assert review.starts_at.strftime("DTSTART:%Y%m%dT%H%M%SZ") in body.replace(
        "DTSTART;VALUE=DATE-TIME:", "DTSTART:"
    )


def test_the_manager_schedules_through_the_page_in_their_time_zone(client_as, world):
    manager = world.users["manager_owner"]
    manager.time_zone = "Europe/Berlin"
    manager.save()
    client = client_as("manager_owner")
    url = reverse("plans:review_schedule", args=[world.partner_a.pk])
    assert client.get(url).status_code == 200
    year = timezone.localdate().year + 1
    response = client.post(url, {
        "title": "Kick-off", "starts_at": f"{year}-03-02T10:00", "duration_minutes": "60",
        "attendees": [manager.pk, world.users["partner_a_user"].pk],
    })  # fmt: skip
    assert response.status_code == 302
    review = QuarterlyReview.objects.get()
    assert review.starts_at == datetime.datetime(year, 3, 2, 9, 0, tzinfo=UTC)  # CET is UTC+1
    bad = client.post(url, {"title": "", "starts_at": "soon", "duration_minutes": "5"})
    assert bad.status_code == 400 and QuarterlyReview.objects.count() == 1
    assert client_as("manager_other").post(url, {"title": "x"}).status_code == 403


def test_list_pages_hold_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    for i in range(6):
        _review(world, title=f"Review {i}")
    manager, partner = client_as("vendor_admin"), client_as("partner_a_user")
    # session + user (2), the page (count + rows) (2), savepoints/notifications context (≤ 6)
    with django_assert_max_num_queries(12):
        assert manager.get(reverse("plans:manage_reviews")).status_code == 200
    with django_assert_max_num_queries(12):
        assert partner.get(reverse("plans:portal_reviews")).status_code == 200
    review = QuarterlyReview.objects.first()
    services.action_item_add(actor=world.users["manager_owner"], review=review, text="A",
                             owner_side=Side.PARTNER)  # fmt: skip
    with django_assert_max_num_queries(20):
        assert manager.get(reverse("plans:manage_review", args=[review.pk])).status_code == 200
    assert ActionItem.objects.count() == 1
