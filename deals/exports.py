"""CSV export of a (filtered, scoped) deal queryset, streamed row by row."""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet

from deals.models import Deal, DealLineItem
from kernel.exports import safe_cell

HEADER = [
    "id",
    "status",
    "partner",
    "tier",
    "customer",
    "customer_domain",
    "customer_country",
    "contact_name",
    "contact_email",
    "offerings",
    "currency",
    "amount",
    "final_amount",
    "stage",
    "expected_close_date",
    "submitted_at",
    "protected_until",
    "registered_by",
    "registered_by_email",
]


def _row(deal: Deal) -> list[str]:
    offerings = "; ".join(
        f"{li.offering.name} x{li.quantity} @ {li.unit_amount}" for li in deal.line_items.all()
    )
    return [
        safe_cell(v)
        for v in (
            deal.pk,
            deal.status,
            deal.partner.name,
            deal.partner.tier.name if deal.partner.tier_id else "",
            deal.customer_name,
            deal.customer_domain,
            deal.customer_country.code if deal.customer_country else "",
            deal.contact_name,
            deal.contact_email,
            offerings,
            deal.currency,
            deal.amount,
            deal.final_amount if deal.final_amount is not None else "",
            deal.stage,
            deal.expected_close_date.isoformat() if deal.expected_close_date else "",
            deal.submitted_at.isoformat() if deal.submitted_at else "",
            deal.protected_until.isoformat() if deal.protected_until else "",
            deal.created_by.display_name,
            deal.created_by.email,
        )
    ]


class _Echo:
    def write(self, value):
        return value


def csv_rows(qs: QuerySet[Deal]) -> Iterator[str]:
    """Lines of CSV for the queryset: a bounded number of queries per 500 deals."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    deals: Iterable[Deal] = qs.prefetch_related(
        Prefetch("line_items", queryset=DealLineItem.objects.select_related("offering"))
    ).iterator(chunk_size=500)
    for deal in deals:
        yield writer.writerow(_row(deal))
