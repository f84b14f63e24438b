"""Demo customers (``seed_demo``): the customers partners sold to, their licensed seats, and the
product usage of their users, so user adoption at customers shows on the demo's pages.

Every customer of a won demo deal becomes a customer account of the partner that won it
(``customers.services.customer_account_create``, at the deal's close), licensed as many seats of
each offering as the deal's line sold (``seat_license_set``). Its users' product usage over the
last ``USAGE_DAYS`` days is sent through the event ingestion (``ingestion.services.events_ingest``,
as the vendor's product telemetry would post it to ``/api/v1/events/``), so the user-adoption
rollup (``customers.rollups``) folds real ingested events. Deterministic: the same seed and run
give the same accounts, seats, users and events.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from customers.services import customer_account_create, seat_license_set
from deals.choices import DealStatus
from deals.models import Deal
from ingestion.services import MAX_BATCH, events_ingest
from partners.choices import PartnerStatus

USAGE_DAYS = 35  # the pages' 30-day window and a few days before it
USAGE_KIND = "product.used"
FEATURES = ["dashboard", "reports", "workflows", "search", "admin", "integrations", "mobile"]


@dataclass
class CustomersSeeded:
    accounts: int = 0
    seats: int = 0
    users: int = 0
    events: int = 0


def build_customers(
    *, partner_ids: list[int], vendor, rng: random.Random, now: datetime, usage_budget: int
) -> CustomersSeeded:
    """Customer accounts and seats for the won deals of ``partner_ids``, written by ``vendor``
    (vendor staff: the only ones who may), and about ``usage_budget`` usage events by their users
    in the ``USAGE_DAYS`` days before ``now``, drawn from the seeded ``rng``. Returns what was
    created."""
    result = CustomersSeeded()
    won = (
        Deal.objects.filter(partner_id__in=partner_ids, status=DealStatus.WON)
        .select_related("partner")
        .prefetch_related("line_items__offering")
        .order_by("closed_at", "pk")
    )
    plans = []  # (account, partner, [(offering slug or None, seats)], status, opened at)
    with transaction.atomic():
        for deal in won:
            closed = min(deal.closed_at or now, now)
            account = customer_account_create(
                partner=deal.partner,
                external_id=f"crm-{deal.pk:06d}",
                name=deal.customer_name,
                by=vendor,
                at=closed,
            )
            licenses = []
            for line in deal.line_items.all():
                seat_license_set(
                    account=account,
                    seats=line.quantity,
                    offering=line.offering,
                    by=vendor,
                    at=closed,
                )
                licenses.append((line.offering.slug, line.quantity))
                result.seats += line.quantity
            result.accounts += 1
            plans.append((account, deal.partner, licenses, deal.partner.status, closed))
    items = _usage(plans, rng=rng, now=now, budget=usage_budget, result=result)
    for start in range(0, len(items), MAX_BATCH):
        outcome = events_ingest(user=vendor, items=items[start : start + MAX_BATCH])
        if outcome.rejected:  # the demo must not hide a broken contract
            bad = next(i for i in outcome.items if not i.accepted)
            raise RuntimeError(f"Demo usage rejected by the ingestion: {bad.errors}")
        result.events += outcome.stored
    return result


def _usage(plans, *, rng, now: datetime, budget: int, result: CustomersSeeded) -> list[dict]:
    """Ingestion items: each account's users (a share of its seats, lower for partners that are
    no longer active), each active on some days of the last ``USAGE_DAYS`` (a heavy user most
    days, a light one now and then), scaled so the total is about ``budget``."""
    users = []  # (account, partner, offering slug, user id, intensity, first day)
    for account, partner, licenses, status, opened in plans:
        share = rng.uniform(0.35, 1.05) * (1.0 if status == PartnerStatus.ACTIVE else 0.25)
        first = max(opened, now - timedelta(days=USAGE_DAYS))
        n = 0
        for slug, seats in licenses:
            for _ in range(round(seats * share)):
                n += 1
                users.append(
                    (account, partner, slug, f"user-{n:04d}", rng.lognormvariate(0, 0.8), first)
                )
    result.users = len(users)
    if not users or budget <= 0:
        return []
    days = sum(max(0.0, (now - first).total_seconds() / 86_400) for *_, first in users)
    weight = sum(u[4] for u in users) / len(users)
    base = budget / max(days * weight, 1.0)  # expected events: sum of days * base * intensity
    items = []
    for account, partner, slug, user, intensity, first in users:
        chance = min(0.95, base * intensity)
        day = first
        while day < now:
            if rng.random() < chance:
                at = min(now, day + timedelta(hours=rng.uniform(0, 24)))
                items.append(
                    {
                        "id": f"demo-usage:{account.pk}:{user}:{math.floor(at.timestamp())}",
                        "kind": USAGE_KIND,
                        "partner": partner.pk,
                        "occurred_at": at,
                        "customer_account": account.external_id,
                        "customer_user": user,
                        "properties": {"offering": slug, "feature": rng.choice(FEATURES)},
                    }
                )
            day += timedelta(days=1)
    items.sort(key=lambda item: (item["occurred_at"], item["id"]))  # the event log is in time order
    return items
