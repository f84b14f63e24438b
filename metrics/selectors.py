def adoption_average_by_partner(*, partner_ids, until, days: int = 90) -> dict[int, float]:
    """The average daily adoption score over the ``days`` days ending ``until`` (a date), per
    partner; a day without a score row counts as 0. One grouped query on the summary table."""
    from datetime import timedelta

    from django.db.models import Sum

    from metrics.models import AdoptionScore

    rows = (
        AdoptionScore.objects.filter(
            partner_id__in=partner_ids, day__gt=until - timedelta(days=days), day__lte=until
        )
        .order_by()
        .values("partner_id")
        .annotate(total=Sum("score"))
    )
    return {r["partner_id"]: round((r["total"] or 0) / days, 1) for r in rows}


def active_users_by_partner(*, partner_ids, until, days: int = 30) -> dict[int, int]:
    """Distinct users with at least one event in the ``days`` days ending ``until`` (a date)."""
    from datetime import timedelta

    from django.db.models import Count

    from metrics.models import PartnerDayUser

    rows = (
        PartnerDayUser.objects.filter(
            partner_id__in=partner_ids, day__gt=until - timedelta(days=days), day__lte=until
        )
        .order_by()
        .values("partner_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    return {r["partner_id"]: r["n"] for r in rows}
