"""The program dashboard's page cache: keyed by the version of the data, served while stale, rebuilt
by a task (stale-while-revalidate), and pre-built after every rollup that changed the summaries.

Why: a page costs ~60 queries to build (hundreds of ms on 10k partners), a cached page ~13 ms. The
cache key used to hold the rollup's last success, which moves every minute even when a run folded
nothing, so the first request per filter after every run was a cold build.

- **Data version** (:func:`data_state`, one query): the ``dashboard`` marker row of
  ``RollupState`` (:data:`MARKER`), stamped by :func:`after_rollup` whenever a run folded partner
  events or recomputed scores (a backfill too, which changes summaries but not the watermark),
  and the scores' ``scores_through`` (moves with the day). Not the watermark: it also moves for
  events without a partner (vendor staff signing in), which change no summary. A run that changed
  nothing moves neither, so the page stays valid. While buckets wait for their scores
  (``ScoreDirty`` or ``ScoreDelta`` not empty: a run is between its rollup and its scores, or a
  backfill was just made) the data is *changing*: every page counts as stale, and the run's pre-build follows.
- **One entry per page** (query + query string): the built data and rendered fragments, the
  version they were built from, the rollup's last success when built (``data_at``) and the build
  time. It is *fresh* while its version is current and it is at most PRM_DASHBOARD_CACHE_SECONDS
  old (domain rows such as deals and checklists are read directly, so they need that bound), then
  *stale*: served at once, with the freshness line of its own data, while :func:`request_rebuild`
  queues a rebuild (one at a time per page: an atomic ``cache.add`` lock with an expiry). Only a
  page never built, evicted, or older than PRM_DASHBOARD_MAX_STALE_SECONDS is built in the request.
- **Pre-build**: after a run that changed data, :func:`after_rollup` queues rebuilds of the default
  view and of the query strings requested in the last day (at most :data:`RECENT_MAX`).

The cache only saves time: if it fails, the page is built from the summaries in the request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, Q
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation

from console import dashboard, roi
from console.forms import MINE, DashboardFilterForm, DashboardQuery
from metrics import conf
from metrics.definitions.risk import Freshness
from metrics.models import RollupState, ScoreDelta, ScoreDirty
from metrics.rollups import SCORES_NAME, SHARD_ROWS, RollupResult

logger = logging.getLogger(__name__)

MARKER = "dashboard"  # RollupState row: its last_success_at is when the summaries last changed
PREFIX = "dashboard:v6"  # v5: the leads cards (issue 20); v6: one page per language (issue 23)
RECENT_KEY = f"{PREFIX}:recent"
RECENT_MAX = 50  # query strings kept warm by the pre-build after each rollup
RECENT_SECONDS = 24 * 3600
REBUILD = "console.tasks.rebuild_dashboard_page"  # by name: console.tasks imports this module
RECENT_REFRESH_SECONDS = 600  # a query string's timestamp is rewritten at most this often
REBUILD_LOCK_SECONDS = 120  # a queued rebuild that never ran (lost message, dead worker) expires


# --- The data version -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DataState:
    """What a page is built from: the freshness line's rollup time and the data version."""

    freshness: Freshness
    version: str
    changing: bool = False  # buckets are waiting for their scores: no page is current


def data_state() -> DataState:
    """The rollup's last success and the version of the summaries, in one query."""
    rows = {
        r.name: r
        for r in RollupState.objects.filter(Q(name__in=[SCORES_NAME, MARKER]) | SHARD_ROWS)
        .only("name", "scores_through", "last_success_at")
        .annotate(changing=Exists(ScoreDirty.objects.all()) | Exists(ScoreDelta.objects.all()))
    }
    scores, marker = rows.get(SCORES_NAME), rows.get(MARKER)
    # As metrics_freshness: every shard must have run, so the oldest shard's last success.
    shard_times = [r.last_success_at for n, r in rows.items() if n not in (SCORES_NAME, MARKER)]
    last = min((t for t in shard_times if t is not None), default=None)
    version = "|".join(
        [
            str(scores.scores_through if scores else ""),
            marker.last_success_at.isoformat() if marker and marker.last_success_at else "",
        ]
    )
    return DataState(
        freshness=Freshness(last_success_at=last, age=(timezone.now() - last) if last else None),
        version=version,
        changing=any(r.changing for r in rows.values()),
    )


def _freshness_of(data_at: datetime | None) -> Freshness:
    return Freshness(data_at, (timezone.now() - data_at) if data_at else None)


# --- Pages ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageRequest:
    """Who asked for which page, enough to rebuild it without a request: the query string as the
    view read it (the CSV links embed it) and, only for "my partners", the user it means."""

    querystring: str
    user_id: int | None = None
    # The page is rendered text: one page per language (a rebuild task renders it in this one).
    language: str = settings.LANGUAGE_CODE

    @classmethod
    def from_form(cls, form: DashboardFilterForm, querystring: str) -> PageRequest:
        mine = form.cleaned_data.get("owner") == MINE
        language = translation.get_language() or settings.LANGUAGE_CODE
        return cls(querystring, form.user.pk if mine else None, language)

    @property
    def ident(self) -> str:
        raw = f"{self.user_id}|{self.querystring}|{self.language}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass
class Page:
    content: dict  # kpis, tables, kpis_html, cards_html
    freshness: Freshness  # of the data shown
    built_at: datetime
    status: str  # "fresh", "stale" (a rebuild is queued), "built" (in this request), "uncached"

    @property
    def note(self) -> str:
        """Deals and checklists are read when the page is built: say when, once it matters."""
        minutes = int((timezone.now() - self.built_at).total_seconds() // 60)
        return f"Page built {minutes} min ago." if minutes >= 1 else ""


def render(data: dict, querystring: str) -> dict:
    """The page's HTML fragments: a function of the data and the query string only (no request),
    so a rebuild task renders exactly what a request would."""
    return {
        "kpis_html": render_to_string("console/_dashboard_kpis.html", data),
        "cards_html": render_to_string(
            "console/_dashboard_cards.html", {**data, "querystring": querystring}
        ),
    }


def build_page(q: DashboardQuery, querystring: str) -> dict:
    found = dashboard.build(q)
    found["roi"] = roi.card(q)
    found.update(render(found, querystring))
    return found


def page_key(q: DashboardQuery, querystring: str, language: str | None = None) -> str:
    digest = hashlib.sha256(querystring.encode()).hexdigest()[:16]
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return f"{PREFIX}:page:{language}:{q.cache_key()}:{digest}"


def _lock_key(req: PageRequest) -> str:
    return f"{PREFIX}:rebuild:{req.ident}"


def _entry(content: dict, state: DataState) -> dict:
    return {
        "version": state.version,
        "data_at": state.freshness.last_success_at,
        "built_at": timezone.now(),
        "content": content,
    }


def _store(key: str, entry: dict) -> None:
    cache.set(key, entry, _max_stale_seconds())


def _max_stale_seconds() -> int:
    return max(conf.dashboard_max_stale_seconds(), conf.dashboard_cache_seconds())


def cached_page(q: DashboardQuery, req: PageRequest, *, state: DataState) -> Page:
    """The page for ``q`` as the request ``req`` spelled it: fresh from the cache, stale from the
    cache with a rebuild queued, or built here (never built, evicted or too old). Not cached when
    PRM_DASHBOARD_CACHE_SECONDS is 0 or before the first rollup."""
    now = timezone.now()
    if not conf.dashboard_cache_seconds() or state.freshness.last_success_at is None:
        return Page(build_page(q, req.querystring), state.freshness, now, "uncached")
    key = page_key(q, req.querystring, req.language)
    try:  # the cache only saves time: with the cache down the page is built from the summaries
        found = cache.get_many([key, RECENT_KEY])
        _note_request(req, found.get(RECENT_KEY) or {})
        entry = found.get(key)
        if entry is not None:
            age = (now - entry["built_at"]).total_seconds()
            current = entry["version"] == state.version and not state.changing
            if current and age <= conf.dashboard_cache_seconds():
                # The summaries have not changed since the build: what the page shows of them
                # is what the latest rollup run left, so the current freshness line is true.
                return Page(entry["content"], state.freshness, entry["built_at"], "fresh")
            if age <= _max_stale_seconds():
                if not state.changing:  # else the run in progress pre-builds it when done
                    request_rebuild(req)
                return Page(
                    entry["content"], _freshness_of(entry["data_at"]), entry["built_at"], "stale"
                )
        content = build_page(q, req.querystring)
        _store(key, _entry(content, state))
    except Exception as exc:  # RedisCache raises the redis client's ConnectionError
        logger.warning("dashboard cache unavailable (%s); building without it", exc)
        content = build_page(q, req.querystring)
    return Page(content, state.freshness, now, "built")


def _note_request(req: PageRequest, recent: dict) -> None:
    """Remember the query string for the pre-build (bounded; last write wins between processes,
    which at worst forgets a query string until it is requested again)."""
    now = time.time()
    seen = recent.get((req.querystring, req.user_id, req.language))
    if seen is not None and now - seen < RECENT_REFRESH_SECONDS:
        return
    recent = {k: t for k, t in recent.items() if now - t < RECENT_SECONDS}
    recent[(req.querystring, req.user_id, req.language)] = now
    newest = sorted(recent.items(), key=lambda item: item[1], reverse=True)[:RECENT_MAX]
    cache.set(RECENT_KEY, dict(newest), RECENT_SECONDS)


def recent_requests() -> list[PageRequest]:
    """The page requests of the last day, newest first (at most RECENT_MAX)."""
    recent = cache.get(RECENT_KEY) or {}
    now = time.time()
    ordered = sorted(recent.items(), key=lambda item: item[1], reverse=True)
    return [PageRequest(*ident) for ident, t in ordered if now - t < RECENT_SECONDS]


# --- Rebuilds -------------------------------------------------------------------------------------
def request_rebuild(req: PageRequest) -> bool:
    """Queue a rebuild of the page unless one is already queued or running (the lock: an atomic
    ``cache.add`` with an expiry, released by the task). False when not queued."""
    from kernel import enqueue

    if not cache.add(_lock_key(req), 1, REBUILD_LOCK_SECONDS):
        return False
    # A failed enqueue (broker down) keeps the lock until it expires: the stale page is served
    # meanwhile, instead of every request trying the broker again.
    return enqueue.send(REBUILD, req.querystring, req.user_id, req.language)


def rebuild(req: PageRequest) -> str:
    """Build the page ``req`` names from the current data and store it; what the rebuild task
    runs. Returns what happened: "built", "fresh" (nothing to do) or "invalid". Rendered in the
    request's language."""
    with translation.override(req.language):
        return _rebuild(req)


def _rebuild(req: PageRequest) -> str:
    from accounts.models import User

    try:
        user = User.objects.filter(pk=req.user_id).first() if req.user_id is not None else None
        form = DashboardFilterForm(QueryDict(req.querystring), user=user)
        if (req.user_id is not None and user is None) or not form.is_valid():
            logger.info("dashboard rebuild skipped, user or filters no longer valid: %r", req)
            return "invalid"
        q = form.query()
        # The version first: data that changes during the build leaves the page marked older
        # than it is, so it is rebuilt again, never the other way round.
        state = data_state()
        key = page_key(q, req.querystring, req.language)
        entry = cache.get(key)
        if (
            entry is not None
            and entry["version"] == state.version
            and (timezone.now() - entry["built_at"]).total_seconds()
            < conf.dashboard_cache_seconds() / 2
        ):
            return "fresh"  # a duplicate message, or a request built it meanwhile
        _store(key, _entry(build_page(q, req.querystring), state))
        return "built"
    finally:
        cache.delete(_lock_key(req))


def after_rollup(rollup: RollupResult, scores: RollupResult) -> int:
    """After a rollup run (and its scores refresh): when either changed summaries, stamp the data
    version and queue rebuilds of the default view and of the recently requested pages. Returns
    how many rebuilds were queued. Registered with ``metrics.after_rollup`` (console/apps.py)."""
    if not (rollup.events or scores.buckets):
        return 0  # a run that changed nothing leaves every page valid
    RollupState.objects.update_or_create(name=MARKER, defaults={"last_success_at": timezone.now()})
    if not conf.dashboard_cache_seconds():
        return 0
    try:
        wanted = [PageRequest(""), *recent_requests()]
        return sum(request_rebuild(req) for req in dict.fromkeys(wanted))
    except Exception as exc:  # the cache only saves time; the next request builds the page
        logger.warning("dashboard pre-build not queued, cache unavailable (%s)", exc)
        return 0
