"""Approval and versioning rules of business plans, who may do what, validation and audit."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from events.choices import EventKind
from events.models import Event
from kernel.outbox import OutboundEmail
from plans import services
from plans.choices import CommitmentKind, PlanStatus, Side
from plans.models import BusinessPlan
from plans.selectors import plan_get_for_user, plan_list_for_user
from plans.tests.factories import approved_plan, draft_plan
from tiers.tests.tiers_helpers import M

pytestmark = pytest.mark.django_db

GOALS = [{"measure": M.WON_DEALS_12M, "target": "10"}, {"text": "Two joint webinars"}]


def test_a_partner_admin_drafts_submits_and_the_manager_approves(world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    plan = draft_plan(actor=admin, partner=world.partner_a, goals=GOALS)
    assert plan.status == PlanStatus.DRAFT and plan.version == 1

    plan = services.plan_submit(actor=admin, plan=plan)
    assert (plan.status, plan.submitted_side) == (PlanStatus.SUBMITTED, Side.PARTNER)
    with pytest.raises(PermissionDenied):
        services.goal_add(actor=admin, plan=plan, text="late goal")
    with pytest.raises(PermissionDenied):  # the submitting side does not approve its own plan
        services.plan_approve(actor=admin, plan=plan)

    plan = services.plan_approve(actor=manager, plan=plan)
    assert plan.status == PlanStatus.APPROVED and plan.approved_by == manager
    kinds = list(Event.objects.filter(partner=world.partner_a).values_list("kind", flat=True))
    for kind in (EventKind.PLAN_CREATED, EventKind.PLAN_SUBMITTED, EventKind.PLAN_APPROVED):
        assert kind in kinds
    assert kinds.count(EventKind.PLAN_GOAL_CHANGED) == 2
    # the manager heard of the submission, the partner's admins of the approval
    to = {tuple(e.to) for e in OutboundEmail.objects.filter(key__startswith="plans.")}
    assert (manager.email,) in to and (admin.email,) in to


def test_a_manager_drafted_plan_is_approved_by_the_partner_admin(world):
    manager, admin = world.users["manager_other"], world.users["partner_a_admin"]
    plan = draft_plan(actor=manager, partner=world.partner_a, goals=GOALS)
    plan = services.plan_submit(actor=manager, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=world.users["vendor_admin"], plan=plan)
    assert services.plan_approve(actor=admin, plan=plan).status == PlanStatus.APPROVED


def test_an_approved_plan_is_locked_and_a_change_makes_a_new_version(world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    v1 = approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a, goals=GOALS)
    with pytest.raises(PermissionDenied):
        services.goal_add(actor=admin, plan=v1, text="another")

    v2 = services.plan_revise(actor=admin, plan=v1)
    assert (v2.version, v2.status, v2.previous_id) == (2, PlanStatus.DRAFT, v1.pk)
    assert [g.text or g.measure for g in v2.goals.all()] == [M.WON_DEALS_12M, "Two joint webinars"]
    assert services.plan_revise(actor=manager, plan=v1) == v2  # one open version at a time
    v1.refresh_from_db()
    assert v1.status == PlanStatus.APPROVED  # still in force while v2 is worked on

    services.goal_add(actor=admin, plan=v2, measure=M.REVENUE_12M, target="50000")
    services.plan_submit(actor=admin, plan=v2)
    services.plan_approve(actor=manager, plan=v2)
    v1.refresh_from_db()
    assert v1.status == PlanStatus.SUPERSEDED
    assert (
        BusinessPlan.objects.filter(partner=world.partner_a, status=PlanStatus.APPROVED).get() == v2
    )


def test_sending_back_returns_the_plan_to_draft_with_the_reason_as_a_comment(world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    plan = draft_plan(actor=admin, partner=world.partner_a, goals=GOALS)
    services.plan_submit(actor=admin, plan=plan)
    plan = services.plan_send_back(actor=manager, plan=plan, note="Raise the revenue target")
    assert plan.status == PlanStatus.DRAFT
    assert plan.comments.get().body == "Raise the revenue target"
    with pytest.raises(services.PlanError):
        services.plan_approve(actor=manager, plan=plan)


def test_a_plan_without_goals_cannot_be_submitted_and_a_period_has_one_plan(world):
    admin = world.users["partner_a_admin"]
    plan = draft_plan(actor=admin, partner=world.partner_a)
    with pytest.raises(services.PlanError):
        services.plan_submit(actor=admin, plan=plan)
    with pytest.raises(ValidationError) as info:
        draft_plan(actor=world.users["manager_owner"], partner=world.partner_a)
    assert "period" in info.value.message_dict


def test_partner_users_who_are_not_admins_and_other_partners_cannot_draft(world):
    with pytest.raises(PermissionDenied):
        draft_plan(actor=world.users["partner_a_user"], partner=world.partner_a)
    with pytest.raises(PermissionDenied):
        draft_plan(actor=world.users["partner_b_admin"], partner=world.partner_a)
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a, goals=GOALS)
    with pytest.raises(PermissionDenied):
        services.comment_add(actor=world.users["partner_a_user"], plan=plan, body="hi")
    with pytest.raises(PermissionDenied):  # commitments are the vendor's
        services.commitment_add(
            actor=world.users["partner_a_admin"], plan=plan, kind=CommitmentKind.MDF, amount="5000"
        )


def test_a_partner_never_reads_another_partners_plan(world):
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a, goals=GOALS)
    b_admin = world.users["partner_b_admin"]
    assert not plan_list_for_user(user=b_admin).exists()
    with pytest.raises(Http404):
        plan_get_for_user(user=b_admin, pk=plan.pk)
    assert plan_get_for_user(user=world.users["partner_a_user"], pk=plan.pk) == plan
    assert plan_get_for_user(user=world.users["manager_other"], pk=plan.pk) == plan


@pytest.mark.parametrize(
    ("goal", "field"),
    [
        ({"measure": "nps_score", "target": "5"}, "measure"),
        ({"measure": M.WON_DEALS_12M, "target": ""}, "target"),
        ({"measure": M.WON_DEALS_12M, "target": "-3"}, "target"),
        ({"measure": M.WON_DEALS_12M, "target": "1e30"}, "target"),
        ({"measure": M.WON_DEALS_12M, "target": "NaN"}, "target"),
        ({"measure": M.ADOPTION_SCORE_90D, "target": "150"}, "target"),
        ({"measure": M.WON_DEALS_12M, "target": "3", "subject_id": "7"}, "subject_id"),
        ({"measure": M.CERTIFIED_USERS, "target": "3", "subject_id": "999999"}, "subject_id"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 301}, "text"),
    ],
)
def test_a_bad_goal_is_refused_by_field(world, goal, field):
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a)
    with pytest.raises(ValidationError) as info:
        services.goal_add(actor=world.users["partner_a_admin"], plan=plan, **goal)
    assert field in info.value.message_dict


def test_goal_changes_are_audited_and_a_free_text_goal_is_ticked_on_the_approved_plan(world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    plan = approved_plan(partner_admin=admin, manager=manager, partner=world.partner_a, goals=GOALS)
    text_goal = plan.goals.get(measure="")
    services.goal_set_done(actor=admin, goal=text_goal, done=True)
    text_goal.refresh_from_db()
    assert text_goal.done
    with pytest.raises(services.PlanError):
        services.goal_set_done(actor=admin, goal=plan.goals.get(measure=M.WON_DEALS_12M), done=True)
    with pytest.raises(PermissionDenied):
        services.goal_set_done(actor=world.users["partner_a_user"], goal=text_goal, done=False)
    messages = list(LogEntry.objects.values_list("change_message", flat=True))
    assert sum("Goal added" in m for m in messages) == 2
    assert any("Goal ticked" in m for m in messages)


def test_initiatives_move_on_the_approved_plan_but_not_on_a_superseded_one(world):
    admin, manager = world.users["partner_a_admin"], world.users["manager_owner"]
    draft = draft_plan(actor=admin, partner=world.partner_a, goals=GOALS)
    initiative = services.initiative_add(actor=admin, plan=draft, title="Certify pre-sales",
                                         owner_side=Side.PARTNER)  # fmt: skip
    services.plan_submit(actor=admin, plan=draft)
    v1 = services.plan_approve(actor=manager, plan=draft)
    moved = services.initiative_set_status(actor=manager, initiative=initiative, status="done")
    assert moved.status == "done"
    with pytest.raises(ValidationError):
        services.initiative_set_status(actor=manager, initiative=initiative, status="nonsense")
    v2 = services.plan_revise(actor=admin, plan=v1)
    services.plan_submit(actor=admin, plan=v2)
    services.plan_approve(actor=manager, plan=v2)
    with pytest.raises(PermissionDenied):
        services.initiative_set_status(actor=manager, initiative=initiative, status="planned")
