"""Step 4 of the demo data: the activity stream (logins, product usage, library views), generated
week by week in time order and stored in batches."""

import math
import time
from array import array
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from django.db import connection, reset_queries

from demo.plans import PartnerPlan
from demo.records import SeededPartner
from demo.reference import (
    _ADOPTION,
    _MIX,
    DAY,
    FADE_DAYS,
    LEVEL,
    LOGIN_PROPS,
    REGIONS,
    WEEK,
    _cumulate,
    _pick,
    _rng,
)
from events.choices import EventKind as K
from events.services import NewEvent, record_events
from partners.choices import PartnerStatus as S

# --- 4. The activity stream ---------------------------------------------------------------------


def _phases(plan: PartnerPlan, now: datetime) -> list[tuple[float, float, str]]:
    """(start, end, mode) timestamps of the partner's life; churned partners stop."""
    timeline = [(plan.status, plan.joined_at), *plan.transitions]
    out = []
    for i, (status, since) in enumerate(timeline):
        start = since.timestamp()
        end = (timeline[i + 1][1] if i + 1 < len(timeline) else now).timestamp()
        if status == S.CHURNED or end <= start:
            continue
        if status == S.ONBOARDING and end - start > 60 * DAY:  # onboarding that drags on stalls
            segs = [(start, start + 60 * DAY, "onboarding"), (start + 60 * DAY, end, "stalled")]
        else:
            segs = [(start, end, str(status))]
        ends_badly = i + 1 < len(timeline) and timeline[i + 1][0] in (S.INACTIVE, S.CHURNED)
        if ends_badly and status in (S.ACTIVE, S.ONBOARDING):
            segs = _fade(segs, max(start, end - FADE_DAYS * DAY))
        out += segs
    return out


def _fade(segs: list[tuple[float, float, str]], fade: float) -> list[tuple[float, float, str]]:
    """The segments with everything from ``fade`` on in the "fading" mode."""
    out = []
    for a, b, mode in segs:
        if b <= fade:
            out.append((a, b, mode))
        elif a >= fade:
            out.append((a, b, "fading"))
        else:
            out += [(a, fade, mode), (fade, b, "fading")]
    return out


class _Activity:
    """One partner's state while its activity events are generated."""

    def __init__(self, seeded: SeededPartner, *, rng, now, resources):
        plan = seeded.plan
        self.rng, self.pid, self.n = rng, seeded.partner_id, 0
        self.phases = _phases(plan, now)
        self.offset = REGIONS[plan.region][1] * 3600.0
        self.users = [m[0] for m in seeded.members]
        self.since = [m[1] for m in seeded.members]
        self.user_cum = _cumulate(m[2] for m in seeded.members)
        self.indexes = range(len(self.users))
        self.scale = plan.engagement * math.sqrt(self.user_cum[-1])  # bigger teams do more
        self.adoptions = [(at.timestamp(), slug, _ADOPTION[slug][2]) for at, slug in plan.adoptions]
        # The library as the partner's tier sees it: (id, properties).
        self.resources = [(pk, props) for pk, rank, props in resources if rank <= plan.tier_rank]
        # Library views count once per person, resource and day (the service's key): the keys of
        # this week and the last one are enough to avoid repeats, since days never span more.
        self.seen: set[str] = set()
        self.seen_before: set[str] = set()
        self.counts = array("l")

    def emit(self, count: int, w0: float, w1: float, out: list) -> None:
        """Append ``count`` events of the week [w0, w1) to ``out``."""
        rng = self.rng
        self.seen_before, self.seen = self.seen, set()
        segs = [(max(a, w0), min(b, w1), mode) for a, b, mode in self.phases if a < w1 and b > w0]
        cum = _cumulate(LEVEL[mode] * (b - a) for a, b, mode in segs)
        for _ in range(count):
            a, b, mode = _pick(rng, segs, cum)
            ts = self._when(a, b)
            kinds, kind_cum = _MIX[mode]
            # fading: mostly the admin alone, so active users fall before activity stops
            fading = mode == "fading" and rng.random() < 0.75
            i = 0 if fading else _pick(rng, self.indexes, self.user_cum)
            uid = self.users[i] if self.since[i] <= ts else self.users[0]  # the admin was first
            self._fresh(out, ts, _pick(rng, kinds, kind_cum), uid)

    def _when(self, a: float, b: float) -> float:
        """A moment in [a, b], mostly in local business hours on a weekday."""
        rng, offset, ts = self.rng, self.offset, a
        for _ in range(3):
            ts = a + rng.random() * (b - a)
            local = ts + offset
            day = local - local % DAY
            if (int(day // DAY) + 3) % 7 >= 5 and rng.random() < 0.8:  # 1970-01-01 was a Thursday
                continue
            snapped = day + min(21.0, max(7.0, rng.gauss(13, 2.7))) * 3600 - offset
            return snapped if a <= snapped <= b else ts
        return ts

    def _fresh(self, out: list, ts: float, kind: str, uid: int) -> None:
        rng, props, key = self.rng, LOGIN_PROPS, ""
        if kind == K.OFFERING_USED:
            usable = [(slug, w) for at, slug, w in self.adoptions if at <= ts]
            if usable:
                props = {
                    "offering": _pick(rng, [u[0] for u in usable], _cumulate(u[1] for u in usable))
                }
            else:
                kind = K.RESOURCE_VIEWED
        if kind in (K.RESOURCE_VIEWED, K.RESOURCE_DOWNLOADED):
            # The key and properties of enablement's resource_record_view / _download; a person
            # opening the same resource twice in a day is one view, so a repeat is a login.
            pk, found = rng.choice(self.resources) if self.resources else (0, {})
            day = datetime.fromtimestamp(math.ceil(ts), UTC).date().isoformat()
            key = f"{kind}:{uid}:{pk}:{day}"
            if found and key not in self.seen and key not in self.seen_before:
                self.seen.add(key)
                props = found
            else:
                kind, props, key = K.LOGIN, LOGIN_PROPS, ""
        self._add(out, ts, kind, uid, props, key)

    def _add(self, out: list, ts: float, kind: str, uid: int, props: dict, key: str) -> None:
        # Whole seconds, rounded up: every phase bound is a whole second, so ts stays inside it.
        self.n += 1
        out.append((math.ceil(ts), self.pid, self.n, kind, uid, props, key))  # (ts, pid, n) sorts


def _allocate(acts: list[_Activity], *, total: int, weeks: int, start: float, end: float, rng):
    """Split exactly ``total`` events over (partner, week) cells in proportion to each cell's
    activity (phase level * days * partner scale * weekly noise), by systematic sampling."""
    weights, grand = [], 0.0
    for act in acts:
        w = array("d", [0.0]) * weeks
        for a, b, mode in act.phases:
            for k in range(int((a - start) // WEEK), min(weeks, int((b - start) // WEEK) + 1)):
                lo, hi = max(a, start + k * WEEK), min(b, start + (k + 1) * WEEK, end)
                if hi > lo:
                    w[k] += LEVEL[mode] * (hi - lo) / DAY
        for k in range(weeks):
            if w[k]:
                w[k] *= act.scale * rng.lognormvariate(0, 0.3)
                grand += w[k]
        weights.append(w)
    step = grand / total if grand and total > 0 else 0.0
    offset, cum, placed, last = rng.random() * step, 0.0, 0, None
    for act, w in zip(acts, weights, strict=True):
        act.counts = array("l", [0]) * weeks
        for k in range(weeks):
            if step and w[k]:
                cum += w[k]
                n = min(total, max(0, math.ceil((cum - offset) / step)))
                act.counts[k], placed, last = n - placed, n, (act.counts, k)
    if last is not None and placed < total:  # float rounding can leave the last point out
        last[0][last[1]] += total - placed


def generate_events(
    seeded: list[SeededPartner],
    *,
    total: int,
    seed: int,
    now: datetime,
    run: int = 0,
    resources: list[tuple[int, int, dict]] = (),
) -> Iterator[NewEvent]:
    """Exactly ``total`` activity events for the seeded partners, in time order, one week held
    in memory at a time. Keys are ``demo:{seed}:{run}:{sequence}:{partner id}``, except library
    views and downloads of ``resources`` ((id, minimum tier rank, event properties)), which carry
    enablement's own keys and properties."""
    if not seeded or total <= 0:
        return
    rng = _rng("prm-demo-events", seed, run)
    acts = [_Activity(s, rng=rng, now=now, resources=resources) for s in seeded]
    start, end = min(s.plan.joined_at for s in seeded).timestamp(), now.timestamp()
    weeks = max(1, math.ceil((end - start) / WEEK))
    _allocate(acts, total=total, weeks=weeks, start=start, end=end, rng=rng)
    # Keys grow with time, so the unique index is appended to at its right edge instead of being
    # written all over (10M random btree inserts thrash the buffer cache and the WAL).
    prefix, seq = f"demo:{seed}:{run}:", 0
    for k in range(weeks):
        w0, w1 = start + k * WEEK, min(start + (k + 1) * WEEK, end)
        batch: list = []
        for act in acts:
            if act.counts[k]:
                act.emit(act.counts[k], w0, w1, batch)
        batch.sort(key=lambda item: item[:3])
        for ts, pid, _, kind, uid, props, key in batch:
            seq += 1
            yield NewEvent(
                kind=kind,
                key=key or f"{prefix}{seq:09d}:{pid}",
                partner_id=pid,
                user_id=uid,
                occurred_at=datetime.fromtimestamp(ts, UTC),
                subject_type="enablement.resource" if key else "",
                subject_id=str(props["resource"]) if key else "",
                properties=props,
            )


def write_events(
    events: Iterator[NewEvent], *, total: int, batch_size: int, progress: Callable[[str], None]
) -> int:
    """Store events through ``record_events``, one transaction per batch (``record_events`` is
    atomic), reporting every 10%. Returns how many were new."""
    written, batch, began, decile = 0, [], time.monotonic(), 0
    for event in events:
        batch.append(event)
        if len(batch) >= batch_size:
            written += _write(batch, batch_size)
            batch = []
            if 10 * written // total > decile:
                decile = 10 * written // total
                if decile in (1, 5):  # once the planner has a sample, it scales it with the size
                    _refresh_statistics()
                rate = written / max(time.monotonic() - began, 1e-9)
                progress(f"  events {written:,}/{total:,} ({10 * decile}%), {rate:,.0f}/s")
    if batch:
        written += _write(batch, batch_size)
    return written


def _write(batch: list[NewEvent], batch_size: int) -> int:
    new = record_events(batch, batch_size=batch_size)
    reset_queries()  # under DEBUG each logged batch holds megabytes of SQL; keep one at most
    return new


def _refresh_statistics() -> None:
    """ANALYZE on PostgreSQL as a bulk load goes. Without fresh statistics (autovacuum off, or
    lagging behind the load) the planner seq-scans the growing event table for the key lookup in
    ``record_events`` and every batch gets slower. Every table, so no other app's is named."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
