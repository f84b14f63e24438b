"""Who may do what with business plans. Views and services call these; nothing re-implements them.

- Reading: vendor staff (every partner, as on the partner list) and every member of the plan's
  partner. Anybody else gets 404 (``plans.selectors``).
- Drafting (create, edit a draft, submit, revise an approved plan, comment): the partner's admins
  and vendor staff. Partner users who are not admins read only.
- Approving or sending back a submitted plan: the *other* side from the one that submitted it
  (a partner admin's plan is approved by vendor staff, a manager's by a partner admin).
- Commitments are the vendor's: vendor staff write them.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.selectors import membership_for_user
from plans.choices import PlanStatus, Side


def side_of(user, partner_id: int) -> str | None:
    """``Side.VENDOR`` for vendor staff, ``Side.PARTNER`` for an active member of the partner,
    else None."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.is_channel_manager:
        return Side.VENDOR
    membership = membership_for_user(user)
    if membership is not None and membership.partner_id == partner_id:
        return Side.PARTNER
    return None


def _is_partner_admin_of(user, partner_id: int) -> bool:
    membership = membership_for_user(user) if user.is_authenticated else None
    return (
        membership is not None
        and membership.partner_id == partner_id
        and membership.is_admin
        and user.is_active
    )


def can_view(user, partner_id: int) -> bool:
    return side_of(user, partner_id) is not None


def can_draft(user, partner_id: int) -> bool:
    """Create plans, edit drafts, submit, revise, comment."""
    side = side_of(user, partner_id)
    return side == Side.VENDOR or (side == Side.PARTNER and _is_partner_admin_of(user, partner_id))


def can_edit(user, plan) -> bool:
    return plan.status == PlanStatus.DRAFT and can_draft(user, plan.partner_id)


def can_decide(user, plan) -> bool:
    """Approve or send back: a drafter of the side that did not submit."""
    if plan.status != PlanStatus.SUBMITTED or not can_draft(user, plan.partner_id):
        return False
    return side_of(user, plan.partner_id) != plan.submitted_side


def can_write_commitments(user, plan) -> bool:
    return plan.status == PlanStatus.DRAFT and side_of(user, plan.partner_id) == Side.VENDOR


def check(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not change this plan."))


# --- Quarterly business reviews -------------------------------------------------------------------
# Reading: as plans (vendor staff, the partner's members). Scheduling, changing, holding,
# cancelling, converting action items: the partner's owning channel manager and vendor admins.
# Agenda points and comments: the partner's admins too, and action items for the partner's side.
def can_manage_review(user, partner) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_channel_manager):
        return False
    return user.is_vendor_admin or partner.owner_id == user.pk


def can_discuss_review(user, partner_id: int) -> bool:
    """Propose agenda points, comment, add action items (partner admins: for their side)."""
    return can_draft(user, partner_id)


def action_sides_for(user, partner) -> list[str]:
    """The sides whose action items ``user`` may add: both for a manager of the review, the
    partner's own for its admins, none otherwise."""
    if can_manage_review(user, partner):
        return [Side.PARTNER, Side.VENDOR]
    if side_of(user, partner.pk) == Side.PARTNER and _is_partner_admin_of(user, partner.pk):
        return [Side.PARTNER]
    return []
