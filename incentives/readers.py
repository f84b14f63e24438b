"""Incentives' facts for metric definitions, registered in ``partners.readers.readers`` from
``IncentivesConfig.ready()`` (the reader contract is in ``partners/readers.py``): the ROI metric
(``metrics.definitions.roi``) reads MDF paid and points awarded through these, never incentives'
models. Dates are timezone-aware, ``start`` inclusive and ``end`` exclusive."""

from django.db.models import Count, F, Sum

from incentives.choices import MdfStatus
from incentives.models import Award, MdfRequest
from kernel import money
from partners.readers import readers

PARTNER = {
    "name": F("partner__name"),
    "program_id": F("partner__program_id"),
    "tier_id": F("partner__tier_id"),
}


def mdf_paid(*, partners, start, end, rates: dict[str, float], target: str) -> list[dict]:
    """MDF paid to ``partners`` in [start, end): the claims approved (status paid) in the range,
    per partner and allocation currency: ``partner_id``, ``name``, ``program_id``, ``tier_id``,
    ``currency``, ``claims`` (how many), ``amount`` (the claimed amounts paid, in ``currency``)
    and ``converted`` (in ``target`` with the reporting ``rates``, ``kernel.money``; None for a
    currency without a rate). Requests approved or claimed but not paid are not money spent.
    One grouped query."""
    return list(
        MdfRequest.objects.filter(
            partner__in=partners,
            status=MdfStatus.PAID,
            claim_decided_at__gte=start,
            claim_decided_at__lt=end,
        )
        .order_by()
        .values("partner_id", currency=F("allocation__currency"), **PARTNER)
        .annotate(
            claims=Count("pk"),
            amount=Sum("claimed_amount"),
            converted=Sum(
                money.converted(
                    "claimed_amount",
                    rates=rates,
                    target=target,
                    currency="allocation__currency",
                    default=None,
                )
            ),
        )
    )


def points_awarded(*, partners, start, end) -> list[dict]:
    """Points awarded to ``partners`` for events that happened in [start, end), per partner:
    ``partner_id``, ``name``, ``program_id``, ``tier_id``, ``points``. Points carry no money
    value (nothing in incentives sets one), so they are reported beside the cost, not in it.
    One grouped query."""
    return list(
        Award.objects.filter(
            partner__in=partners, occurred_at__gte=start, occurred_at__lt=end, points__gt=0
        )
        .order_by()
        .values("partner_id", **PARTNER)
        .annotate(points=Sum("points"))
    )


def register() -> None:
    readers.register("incentives.mdf_paid", mdf_paid)
    readers.register("incentives.points_awarded", points_awarded)
