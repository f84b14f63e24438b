"""Deals' facts for metric definitions, registered in ``partners.readers.readers`` from
``DealsConfig.ready()`` (the reader contract is in ``partners/readers.py``): metrics reads deal
registration through these, never deals' models. Dates are timezone-aware, ``start`` inclusive
and ``end`` exclusive."""

from decimal import Decimal

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from deals.choices import OPEN_STATUSES, DealStage, DealStatus
from deals.models import Deal
from kernel import money
from partners.readers import every_partner, readers


def first_submitted_at() -> Subquery:
    """Expression reader: when the outer partner registered (submitted) its first deal, NULL when
    it has submitted none. Annotate it on a ``Partner`` queryset. The earliest submission of
    the partner is the first row of ``deal_partner_submitted_idx`` (partner, submitted_at): one
    index-only probe per partner, not its deals' rows."""
    return Subquery(
        Deal.objects.filter(partner=OuterRef("pk"), submitted_at__isnull=False)
        .order_by("submitted_at")
        .values("submitted_at")[:1]
    )


def _registered(start, end) -> Q:
    return Q(submitted_at__gte=start, submitted_at__lt=end)


def _won(start, end) -> Q:
    return Q(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)


def _of(partners) -> QuerySet[Deal]:
    """The deals of ``partners``: every deal when they are every partner (a deal's partner is a
    non-null foreign key with its constraint), with no semi-join to the whole partner table."""
    deals = Deal.objects.order_by()
    return deals if every_partner(partners) else deals.filter(partner__in=partners)


def counts(*, partners, start, end) -> dict[str, int]:
    """``registered``: deals of ``partners`` submitted in [start, end); ``won``: closed as won in
    [start, end). One query: two counts, each over its own index's range (``deal_submitted_idx``,
    ``deal_won_closed_idx``; index-only for every partner), not every deal of the partners."""
    deals = _of(partners)
    registered = deals.filter(_registered(start, end)).values("submitted_at")
    won = deals.filter(_won(start, end)).values("closed_at")
    (r_sql, r_params), (w_sql, w_params) = (q.query.sql_with_params() for q in (registered, won))
    with connections[registered.db].cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM ({r_sql}) r), (SELECT COUNT(*) FROM ({w_sql}) w)",  # noqa: S608 -- compiled querysets
            [*r_params, *w_params],
        )
        n_registered, n_won = cursor.fetchone()
    return {"registered": n_registered, "won": n_won}


def stages() -> list[tuple[str, str]]:
    """The sales stages, in order, as ``(value, label)`` (no partners, no query); the labels in
    the active language, as plain strings."""
    return [(value, str(label)) for value, label in DealStage.choices]


def partners_with(*, partners, which: str, start=None, end=None, stage: str = "") -> list[dict]:
    """The ``partners`` with at least one deal counted by ``counts`` (``which`` "registered" or
    "won", in [start, end)) or by ``pipeline`` ("open": submitted or approved now, in ``stage``
    when given), as ``{"partner_id": id}`` rows. One query."""
    if which == "registered":
        condition = _registered(start, end)
    elif which == "won":
        condition = _won(start, end)
    else:
        condition = Q(status__in=OPEN_STATUSES) & (Q(stage=stage) if stage else Q())
    return list(_of(partners).filter(condition).order_by().values("partner_id").distinct())


def pipeline(*, partners) -> list[dict]:
    """The open registrations (submitted or approved) of ``partners`` per sales stage, every
    stage in stage order: ``stage``, ``label``, ``deals`` (how many) and ``amounts`` (currency →
    sum, never added across currencies, sorted by currency). One grouped query."""
    rows = (
        _of(partners)
        .filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("stage", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    deals: dict[str, int] = {}
    amounts: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        deals[row["stage"]] = deals.get(row["stage"], 0) + row["n"]
        amounts.setdefault(row["stage"], {})[row["currency"]] = row["amount"] or Decimal("0")
    return [
        {
            "stage": value,
            "label": str(label),
            "deals": deals.get(value, 0),
            "amounts": dict(sorted(amounts.get(value, {}).items())),
        }
        for value, label in DealStage.choices
    ]


def won_by_partner(*, partners, start, end, limit: int) -> list[dict]:
    """The ``limit`` partners of ``partners`` with the most deals won in [start, end) (ties by
    name, then id): ``partner_id``, ``name``, ``won``. One query."""
    return list(
        _of(partners)
        .filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values("partner_id", name=F("partner__name"))
        .annotate(won=Count("pk"))
        .order_by("-won", "name", "partner_id")[:limit]
    )


def won_revenue(*, partners, start, end, rates: dict[str, float], target: str) -> list[dict]:
    """The deals of ``partners`` closed as won in [start, end), per partner and deal currency:
    ``partner_id``, ``name``, ``program_id``, ``tier_id`` (the partner's now), ``currency``,
    ``deals`` (how many), ``amount`` (their final amounts, in ``currency``) and ``converted``
    (the same in ``target`` with the reporting ``rates``, ``kernel.money``; None for a currency
    without a rate, never summed). Every deal is a partner's registration, so all of them are
    partner-sourced. One grouped query."""
    return list(
        _of(partners)
        .filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values(
            "partner_id",
            "currency",
            name=F("partner__name"),
            program_id=F("partner__program_id"),
            tier_id=F("partner__tier_id"),
        )
        .annotate(
            deals=Count("pk"),
            amount=Sum("final_amount"),
            converted=Sum(
                money.converted("final_amount", rates=rates, target=target, default=None)
            ),
        )
    )


def registrations(*, ids) -> dict[int, dict]:
    """Deal registrations by id: ``partner_id``, ``domain`` (normalised customer domain) and
    ``status``; ids that name no deal are left out. One query (none for no ids). Leads reads it
    to link a lead to the registration its partner made of it."""
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    rows = Deal.objects.filter(pk__in=ids).values_list(
        "pk", "partner_id", "customer_domain_normalized", "status"
    )
    return {pk: {"partner_id": p, "domain": d, "status": s} for pk, p, d, s in rows}


def protected_customers(*, domains) -> dict[str, dict]:
    """Which of ``domains`` (normalised) a partner protects now with an approved registration:
    domain → ``partner_id``, ``partner_name``, ``deal_id``, ``protected_until``. One query (none
    for no domains). Leads flags a lead for a customer a partner already protects."""
    domains = sorted({d for d in domains if d})
    if not domains:
        return {}
    rows = Deal.objects.filter(
        customer_domain_normalized__in=domains,
        status=DealStatus.APPROVED,
        protected_until__gt=timezone.now(),
    ).values_list(
        "customer_domain_normalized", "partner_id", "partner__name", "pk", "protected_until"
    )
    return {
        domain: {
            "partner_id": partner_id,
            "partner_name": name,
            "deal_id": pk,
            "protected_until": until,
        }
        for domain, partner_id, name, pk, until in rows
    }


def register() -> None:
    readers.register("deals.first_submitted_at", first_submitted_at)
    readers.register("deals.counts", counts)
    readers.register("deals.partners_with", partners_with)
    readers.register("deals.stages", stages)
    readers.register("deals.pipeline", pipeline)
    readers.register("deals.won_by_partner", won_by_partner)
    readers.register("deals.won_revenue", won_revenue)
    readers.register("deals.registrations", registrations)
    readers.register("deals.protected_customers", protected_customers)
