"""Deterministic demo data: one partner program, demo logins, partners and a year of activity.

Everything comes from ``random.Random`` seeded with ``seed``, and every date is relative to the
anchor ``now``, so the same arguments give the same data. The work has four steps:

1. :func:`plan_partners` is pure: it decides who the partners are, when they joined, how their
   lifecycle went (``transitions``), their team and which offerings they adopted.
2. :func:`create_partners` writes the plans through ``partners.services`` so the lifecycle events
   (``partner.created``, ``partner.status_changed``, ``partner.activated``) are the real ones.
   The activation paths exist by then (:func:`prepare_domain`), so onboarding's receiver gives
   every partner entering onboarding its checklist.
3. :func:`build_domain` has the demo module of each app build the partners' history as real objects
   (``demo.deals``: registrations; ``demo.enablement_activity``: enrollments, quiz attempts,
   certificates; ``demo.onboarding_progress``: agreement acceptances and checklist steps; profiles
   here) and records the events their services would have recorded, same keys and properties,
   a chunk of partners at a time. Partners that activated met every required step before.
4. :func:`generate_events` yields the activity stream (logins, product usage, library views:
   events with no object of their own) week by week in time order (the event table is
   append-only and its BRIN index relies on physical order following time), and
   :func:`write_events` stores them through ``events.services.record_events`` in batches, so ten
   million events never sit in memory at once.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from demo.activity import _refresh_statistics, generate_events, write_events
from demo.business_plans import build_business_plans
from demo.business_reviews import build_business_reviews
from demo.customers import CustomersSeeded, build_customers
from demo.experiments import finish_experiments, prepare_experiments, seeded_assignments
from demo.history import build_domain, prepare_domain
from demo.leads import build_leads
from demo.plans import PartnerPlan, PersonPlan, plan_partners
from demo.records import (
    Reference,
    SeededPartner,
    create_partners,
    ensure_reference_data,
    ensure_staff,
)
from demo.reference import (
    ACME_DOMAIN,
    ACME_NAME,
    ADMIN,
    DEMO_LOGINS,
    MANAGERS,
    OFFERINGS,
    PARTNER_TYPES,
    PROGRAM_NAME,
    PROGRAM_SLUG,
    TIERS,
    _rng,
    _sec,
)
from demo.translations import seed_content_translations
from partners.choices import PartnerStatus as S
from partners.models import Partner

__all__ = [
    "ACME_DOMAIN", "ACME_NAME", "DEMO_LOGINS", "MANAGERS", "OFFERINGS", "PARTNER_TYPES",
    "PROGRAM_NAME", "PROGRAM_SLUG", "TIERS", "PartnerPlan", "PersonPlan", "Reference",
    "SeedResult", "SeededPartner", "create_partners", "demo_data_present", "ensure_reference_data",
    "ensure_staff", "generate_events", "plan_partners", "seed_demo", "write_events",
]  # fmt: skip


# --- The whole run --------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    partners: int = 0
    users: int = 0
    events: int = 0
    history_events: int = 0  # courses, deals, checklist steps… (each with its domain object)
    lifecycle_events: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    customers: CustomersSeeded | None = None  # accounts, seats, their users and usage events


# Customers' product usage (``demo.customers``): about a third of ``events`` on top of them.
CUSTOMER_USAGE_SHARE = 3


def demo_data_present() -> bool:
    return Partner.objects.filter(program__slug=PROGRAM_SLUG).exists()


def seed_demo(
    *,
    partners: int = 200,
    events: int = 60_000,
    seed: int = 42,
    now: datetime | None = None,
    force: bool = False,
    batch_size: int = 5_000,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedResult:
    """Build the demo data set as of ``now`` (default: this moment). Does nothing when the demo
    program already has partners, unless ``force`` (which adds ``partners`` new companies)."""
    if demo_data_present() and not force:
        return SeedResult(created=False)
    began = time.monotonic()
    now = _sec(now or timezone.now())
    ref = ensure_reference_data(today=now.date())
    staff = ensure_staff(now=now)
    run = Partner.objects.filter(program=ref.program).count()
    plans = plan_partners(
        count=partners,
        seed=seed,
        now=now,
        launches=ref.launches,
        run=run,
        with_acme=not Partner.objects.filter(domain=ACME_DOMAIN).exists(),
        taken_domains=set(Partner.objects.exclude(domain="").values_list("domain", flat=True)),
    )
    setup = prepare_domain(ref=ref, now=now)
    prepare_experiments(
        program=ref.program, vendor=staff[ADMIN[0]], since=_sec(now - timedelta(days=400))
    )
    # after the experiments' variant checklists exist (they have the same steps) and before the
    # checklists start, so partners' snapshots of the steps carry the versions too
    seed_content_translations(program=ref.program)
    progress(f"Creating {len(plans):,} partners…")
    with seeded_assignments(seed=seed, run=run):
        seeded = create_partners(plans, ref=ref, staff=staff, progress=progress)
    _refresh_statistics()
    progress("Recording checklists, courses and deals…")
    history = build_domain(
        seeded,
        setup=setup,
        ref=ref,
        staff=staff,
        seed=seed,
        now=now,
        batch_size=batch_size,
        progress=progress,
    )
    _refresh_statistics()
    progress(f"Recording {events:,} activity events…")
    stream = generate_events(
        seeded, total=events, seed=seed, now=now, run=run, resources=setup.catalog.resources
    )
    written = write_events(stream, total=events, batch_size=batch_size, progress=progress)
    progress("Recording customer accounts, seats and their users' product usage…")
    customers = build_customers(
        partner_ids=[s.partner_id for s in seeded],
        vendor=staff[ADMIN[0]],
        rng=_rng("prm-demo-customers", seed, run),
        now=now,
        usage_budget=events // CUSTOMER_USAGE_SHARE,
    )
    progress("Recording vendor leads routed to partners…")
    build_leads(program=ref.program, vendor=staff[ADMIN[0]], now=now)
    progress("Drafting business plans…")
    build_business_plans(vendor=staff[ADMIN[0]], now=now, seed=seed)
    progress("Holding quarterly business reviews…")
    build_business_reviews(vendor=staff[ADMIN[0]], now=now, seed=seed)
    progress("Closing the finished activation experiment…")
    finish_experiments(program=ref.program, vendor=staff[ADMIN[0]], now=now)
    by_status: dict[str, int] = {}
    for plan in plans:
        by_status[plan.final_status] = by_status.get(plan.final_status, 0) + 1
    return SeedResult(
        created=True,
        partners=len(plans),
        users=sum(len(plan.people) for plan in plans),
        events=written,
        history_events=history,
        lifecycle_events=sum(1 + len(p.transitions) + bool(p.activated_at) for p in plans),
        customers=customers,
        by_status={status: by_status[status] for status in S.values if status in by_status},
        seconds=time.monotonic() - began,
    )
