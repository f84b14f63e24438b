"""Reads of quarterly business reviews, scoped as plans are: vendor staff see every partner's, a
partner's members their own partner's only, anybody else nothing (404 outside the scope)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from partners.selectors import membership_for_user
from plans.models import ActionItem, QuarterlyReview, ReviewComment


def review_list_for_user(*, user) -> QuerySet[QuarterlyReview]:
    qs = QuarterlyReview.objects.select_related("partner__owner", "plan", "created_by")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if user.is_channel_manager:
        return qs
    membership = membership_for_user(user)
    if membership is None:
        return qs.none()
    return qs.filter(partner_id=membership.partner_id)


def review_rows_for_user(*, user, partner_id=None, status: str = "") -> QuerySet[QuarterlyReview]:
    """The list pages' rows: attendees and action items counted in the same query."""
    qs = review_list_for_user(user=user).annotate(
        attendee_count=Count("attendees", distinct=True),
        action_count=Count("action_items", distinct=True),
    )
    if partner_id:
        qs = qs.filter(partner_id=partner_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_at", "-pk")


def review_get_for_user(*, user, pk: int) -> QuarterlyReview:
    review = (
        review_list_for_user(user=user)
        .prefetch_related(
            "attendees",
            Prefetch("comments", queryset=ReviewComment.objects.select_related("author")),
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner", "initiative__plan"),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    return review
