"""Reading the audit log (vendor admins only; anyone else gets 404, as everywhere)."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from audit.models import AuditEntry
from audit.permissions import can_read_audit_log


def _day_start(day: date) -> datetime:
    """Midnight in the reader's time zone (their profile's), the zone the log is shown in."""
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_list_for_user(
    *,
    user,
    action: str = "",
    actor: str = "",
    partner: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    if not can_read_audit_log(user):
        raise Http404("Not found.")
    qs = AuditEntry.objects.select_related("actor", "partner")
    if action:
        qs = qs.filter(action=action)
    if actor:
        # the address recorded at the time, or the person's name today
        qs = qs.filter(Q(actor_email__icontains=actor) | Q(actor__full_name__icontains=actor))
    if partner:
        qs = qs.filter(partner__name__icontains=partner)
    if since:
        qs = qs.filter(at__gte=_day_start(since))
    if until:
        qs = qs.filter(at__lt=_day_start(until) + timedelta(days=1))
    return qs.order_by("-at", "-pk")
