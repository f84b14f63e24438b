"""A deliberately plain Python computation of every summary table from the raw events, used as
the reference the SQL rollups are checked against. Small data only (tests)."""

from collections import defaultdict
from datetime import date, timedelta

from events.models import Event
from metrics import conf
from metrics.definitions import area_of
from metrics.models import AREA_BITS
from partners.models import PartnerMembership


def offerings_of(properties: dict) -> set[str]:
    found = set()
    listed = properties.get("offerings")
    if isinstance(listed, list):
        found |= {s for s in listed if isinstance(s, str)}
    single = properties.get("offering")
    if isinstance(single, str):
        found.add(single)
    return {s for s in found if 1 <= len(s) <= 60}


def expected_tables(seats: dict[int, int], as_of: date) -> dict:
    kind_events = defaultdict(int)
    day_events, day_users = defaultdict(int), defaultdict(set)
    user_rows = set()
    area_events = defaultdict(int)
    offering_events = defaultdict(int)
    # A partner's active users are its own people: vendor staff and other partners' users
    # acting on its records count in its events only.
    member_of = dict(PartnerMembership.objects.values_list("user_id", "partner_id"))
    for e in Event.objects.exclude(partner_id=None).order_by("id"):
        p, d = e.partner_id, e.day
        kind_events[p, d, e.kind] += 1
        day_events[p, d] += 1
        if e.user_id is not None and member_of.get(e.user_id) == p:
            day_users[p, d].add(e.user_id)
            user_rows.add((p, d, e.user_id))
        area = area_of(e.kind, e.properties)
        if area:
            area_events[p, d, area] += 1
        for slug in offerings_of(e.properties):
            offering_events[p, d, slug, e.kind] += 1
    scores = {}
    weights = conf.adoption_weights()
    target = conf.adoption_frequency_target_days()
    partners = {p for p, _ in day_events}
    for p in partners:
        days = sorted(d for q, d in day_events if q == p)
        candidates = {d + timedelta(days=k) for d in days for k in range(30)}
        for day in candidates:
            if day > as_of:
                continue
            window = [day - timedelta(days=k) for k in range(30)]
            active = [d for d in window if (p, d) in day_events]
            users = set().union(*(day_users[p, d] for d in active)) if active else set()
            areas = {a for (q, d, a) in area_events if q == p and d in window}
            n_seats = seats.get(p, 0)
            user_part = 0.0 if n_seats == 0 else min(len(users) / n_seats, 1.0)
            raw = (
                100.0
                * (
                    weights.breadth * len(areas) / 5
                    + weights.frequency * min(len(active) / target, 1.0)
                    + weights.users * user_part
                )
                / weights.total
            )
            mask = sum(AREA_BITS[a] for a in areas)
            events = sum(day_events[p, d] for d in active)
            scores[p, day] = (round(raw, 1), len(areas), mask, len(active), len(users), events)
    weeks = defaultdict(lambda: (set(), set()))  # (partner, Monday) -> (users, active days)
    for p, d in day_events:
        users, days = weeks[p, d - timedelta(days=d.weekday())]
        users |= day_users[p, d]
        days.add(d)
    return {
        "kind": dict(kind_events),
        "day": {k: (v, len(day_users[k])) for k, v in day_events.items()},
        "day_areas": {
            (p, d): sum(AREA_BITS[a] for (q, day, a) in area_events if (q, day) == (p, d))
            for p, d in day_events
        },
        "user": user_rows,
        "offering": dict(offering_events),
        "score": scores,
        "week": {k: (len(users), len(days)) for k, (users, days) in weeks.items()},
    }
