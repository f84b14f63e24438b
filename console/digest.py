"""The weekly digest: a Monday-morning email to each channel manager about the partners they own.

Who gets it, and when: active vendor staff (channel managers, vendor admins) with
``weekly_digest`` on in their profile who own at least one partner that has not churned. A
manager who owns none gets no email: there is nothing to report, and vendor admins who own no
partner are not mailed every week about nothing. A manager whose partners had a quiet week still
gets it (zeros, the chart and the open lists are the news).

The beat task runs hourly (prm/schedule.py) and picks the managers whose local time (their
``time_zone``, blank: ``settings.TIME_ZONE``) is Monday 07:00-10:59 and who have not had this
ISO week's digest: a ``WeeklyDigest`` row (unique user, week) is written in the transaction
that queues the email, so reruns, retries and two workers send it once.

What it holds, for the seven local days before this Monday: partners that joined (new),
partners activated, partners at risk now (``metrics.definitions.at_risk_page``, the program
dashboard's "At-risk and stalled partners" table: activity drop, dormancy, stalled onboarding),
partners whose onboarding is flagged stalled (``onboarding``'s follow-up flag, the manager home's
panel) and deals submitted and awaiting review. Each section has its count, the first few by
name and an absolute link to the matching list; a chart of the last eight weeks' new and
activated partners is drawn as a PNG (Pillow) inside the HTML part.
"""

from __future__ import annotations

import base64
import io
import logging
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from accounts.models import User
from accounts.profile import zone_or_none
from accounts.selectors import STAFF
from console.models import WeeklyDigest
from deals.choices import DealStatus
from deals.selectors import deal_list_for_user
from kernel.outbox import email_queue
from metrics.definitions import at_risk_page
from onboarding.selectors import stalled_checklists_for_user
from partners.choices import PartnerStatus
from partners.models import Partner
from partners.selectors import partner_list_for_user

logger = logging.getLogger(__name__)

SEND_FROM, SEND_UNTIL = time(7, 0), time(11, 0)  # local Monday morning, 07:00-10:59
FIRST_FEW = 5  # names listed per section
CHART_WEEKS = 8
STALLED_MAX = 500  # stalled onboardings read to count them (a manager owns far fewer)
TEMPLATE = "console_weekly_digest"


# --- Who and when ----------------------------------------------------------------------------------
def manager_zone(user: User) -> ZoneInfo:
    """The manager's zone: their profile's, or the site's when blank or no longer known."""
    return zone_or_none(user.time_zone) or ZoneInfo(settings.TIME_ZONE)


def digest_week(user: User, now: datetime) -> date | None:
    """The Monday (local date) of the digest due for ``user`` at ``now``: their local time is
    Monday 07:00-10:59; else None."""
    local = now.astimezone(manager_zone(user))
    if local.isoweekday() == 1 and SEND_FROM <= local.time() < SEND_UNTIL:
        return local.date()
    return None


def managers_due(*, now: datetime | None = None) -> list[tuple[User, date]]:
    """The managers whose digest is due at ``now`` and not sent yet, with its week (two queries
    whatever the number of managers)."""
    now = now or timezone.now()
    owners = Partner.objects.exclude(status=PartnerStatus.CHURNED).values("owner_id")
    candidates = User.objects.filter(STAFF, is_active=True, weekly_digest=True, pk__in=owners)
    due = [(user, week) for user in candidates if (week := digest_week(user, now)) is not None]
    if not due:
        return []
    sent = set(
        WeeklyDigest.objects.filter(
            user_id__in=[user.pk for user, _week in due], week__in={week for _user, week in due}
        ).values_list("user_id", "week")
    )
    return [(user, week) for user, week in due if (user.pk, week) not in sent]


# --- What it says ----------------------------------------------------------------------------------
@dataclass
class Section:
    key: str
    title: str
    count: int
    names: list[str]
    url: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (name, partner page URL)

    @property
    def more(self) -> int:
        return max(self.count - len(self.names), 0)


@dataclass
class Digest:
    user: User
    week: date  # the Monday it is sent in
    start: date  # first day reported (the Monday before)
    end: date  # last day reported (the Sunday)
    partners: int  # owned partners, churned aside
    sections: list[Section]
    chart: list[tuple[date, int, int]]  # (week's Monday, new, activated), oldest first

    @property
    def chart_png(self) -> str:
        return base64.b64encode(chart_png(self.chart)).decode("ascii")


def absolute(url_name: str, query: dict | None = None, args=None) -> str:
    url = settings.SITE_URL.rstrip("/") + reverse(url_name, args=args)
    return url + ("?" + urllib.parse.urlencode(query) if query else "")


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _partner_section(key: str, title: str, partners, url: str) -> Section:
    shown = list(partners.values_list("pk", "name")[:FIRST_FEW])
    return Section(
        key=key,
        title=title,
        count=partners.count(),
        names=[name for _pk, name in shown],
        url=url,
        links=[(name, absolute("partners:manager_partner", args=[pk])) for pk, name in shown],
    )


def build_digest(*, user: User, week: date) -> Digest:
    """What ``user``'s digest for the week starting ``week`` (a local Monday) says."""
    zone = manager_zone(user)
    start, end = week - timedelta(days=7), week - timedelta(days=1)
    since, until = _local_midnight(start, zone), _local_midnight(week, zone)
    owned = partner_list_for_user(user=user, mine=True).order_by("name", "pk")
    mine = {"scope": "mine"}

    new = owned.filter(joined_at__gte=since, joined_at__lt=until)
    activated = owned.filter(activated_at__gte=since, activated_at__lt=until)
    sections = [
        _partner_section(
            "new",
            _("New partners"),
            new,
            absolute(
                "partners:manager_home",
                {**mine, "joined_from": start.isoformat(), "joined_to": end.isoformat()},
            ),
        ),
        _partner_section(
            "activated",
            _("Activated partners"),
            activated,
            absolute("partners:manager_home", {**mine, "status": PartnerStatus.ACTIVE}),
        ),
    ]

    at_risk_total, at_risk = at_risk_page(limit=FIRST_FEW, owner=user)
    sections.append(
        Section(
            key="at_risk",
            title=_("At-risk partners"),
            count=at_risk_total,
            names=[row.partner.name for row in at_risk],
            url=absolute("partners:manager_home", {**mine, "at_risk": "1"}),
            links=[
                (row.partner.name, absolute("partners:manager_partner", args=[row.partner.pk]))
                for row in at_risk
            ],
        )
    )

    stalled = stalled_checklists_for_user(user=user, limit=STALLED_MAX)
    stalled_partners = sorted({c.partner for c in stalled}, key=lambda p: (p.name, p.pk))
    sections.append(
        Section(
            key="stalled",
            title=_("Stalled onboarding"),
            count=len(stalled_partners),
            names=[p.name for p in stalled_partners[:FIRST_FEW]],
            url=absolute(
                "partners:manager_home",
                {**mine, "status": PartnerStatus.ONBOARDING, "at_risk": "1"},
            ),
            links=[
                (p.name, absolute("partners:manager_partner", args=[p.pk]))
                for p in stalled_partners[:FIRST_FEW]
            ],
        )
    )

    deals = deal_list_for_user(user=user, mine=True).filter(status=DealStatus.SUBMITTED)
    first_deals = list(deals.order_by("submitted_at", "pk")[:FIRST_FEW])
    deal_names = [
        _("%(customer)s (from %(partner)s)")
        % {"customer": deal.customer_name, "partner": deal.partner.name}
        for deal in first_deals
    ]
    sections.append(
        Section(
            key="deals",
            title=_("Deals awaiting review"),
            count=deals.count(),
            names=deal_names,
            url=absolute("deals:manager_list", {**mine, "status": DealStatus.SUBMITTED}),
            links=[
                (name, absolute("deals:manager_detail", args=[deal.pk]))
                for name, deal in zip(deal_names, first_deals, strict=True)
            ],
        )
    )

    return Digest(
        user=user,
        week=week,
        start=start,
        end=end,
        partners=owned.exclude(status=PartnerStatus.CHURNED).count(),
        sections=sections,
        chart=weekly_counts(owned=owned, week=week, zone=zone),
    )


def weekly_counts(*, owned, week: date, zone: ZoneInfo) -> list[tuple[date, int, int]]:
    """New and activated partners per local week, for the ``CHART_WEEKS`` weeks before ``week``."""
    mondays = [week - timedelta(days=7 * k) for k in range(CHART_WEEKS, 0, -1)]
    since, until = _local_midnight(mondays[0], zone), _local_midnight(week, zone)
    counts = {monday: [0, 0] for monday in mondays}
    in_window = Q(joined_at__gte=since, joined_at__lt=until) | Q(
        activated_at__gte=since, activated_at__lt=until
    )
    for joined, activated in owned.filter(in_window).values_list("joined_at", "activated_at"):
        for index, moment in enumerate((joined, activated)):
            if moment is not None and since <= moment < until:
                day = moment.astimezone(zone).date()
                counts[day - timedelta(days=day.weekday())][index] += 1
    return [(monday, new, act) for monday, (new, act) in counts.items()]


# --- The chart ----------------------------------------------------------------------------------
NEW_COLOUR, ACTIVATED_COLOUR, AXIS, TEXT = "#0d6efd", "#198754", "#adb5bd", "#212529"


def chart_png(
    weeks: list[tuple[date, int, int]], width: int = 560, height: int = 220, scale: int = 2
) -> bytes:
    """Grouped bars (new, activated) per week, with week labels, values and a legend, as PNG.
    Drawn at ``scale`` times ``width`` x ``height`` (the email shows it ``width`` wide): sharp on
    high-density and phone screens, which scale it down."""
    s = scale
    image = Image.new("RGB", (width * s, height * s), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * s)
    left, right, top, bottom = 16 * s, (width - 16) * s, 34 * s, (height - 26) * s
    draw.line([(left, bottom), (right, bottom)], fill=AXIS, width=s)
    peak = max([1, *(max(new, act) for _day, new, act in weeks)])
    slot = (right - left) / max(len(weeks), 1)
    bar = max(int(slot * 0.3), 2 * s)
    for index, (monday, new, act) in enumerate(weeks):
        x = left + index * slot + (slot - 2 * bar) / 2
        for offset, (value, colour) in enumerate(((new, NEW_COLOUR), (act, ACTIVATED_COLOUR))):
            x0 = x + offset * bar
            y0 = bottom - (bottom - top - 14 * s) * value / peak
            if value:
                draw.rectangle([x0, y0, x0 + bar - 2 * s, bottom - s], fill=colour)
            centre = x0 + (bar - 2 * s) / 2
            draw.text((centre, y0 - 2 * s), str(value), fill=TEXT, font=font, anchor="md")
        label = formats.date_format(monday, "MONTH_DAY_FORMAT")
        middle = left + index * slot + slot / 2
        draw.text((middle, bottom + 6 * s), label, fill=TEXT, font=font, anchor="mt")
    legend_x = left
    for label, colour in ((_("New"), NEW_COLOUR), (_("Activated"), ACTIVATED_COLOUR)):
        draw.rectangle([legend_x, 10 * s, legend_x + 10 * s, 20 * s], fill=colour)
        draw.text((legend_x + 14 * s, 15 * s), label, fill=TEXT, font=font, anchor="lm")
        legend_x += 24 * s + int(draw.textlength(label, font=font))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- Sending ------------------------------------------------------------------------------------
def digest_send(*, user: User, week: date) -> WeeklyDigest | None:
    """Queue ``user``'s digest for ``week`` and record it, once: None when it was sent before (the
    unique record; a concurrent sender that wins makes this one roll back and return None)."""
    if WeeklyDigest.objects.filter(user=user, week=week).exists():
        return None
    # in the manager's own language (blank: the site's), titles, dates and chart labels alike
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return _send(user=user, week=week)


def _send(*, user: User, week: date) -> WeeklyDigest | None:
    digest = build_digest(user=user, week=week)
    if digest.partners == 0:
        return None
    try:
        with transaction.atomic():
            record = WeeklyDigest.objects.create(user=user, week=week, partners=digest.partners)
            email_queue(
                key=f"console.digest:{user.pk}:{week.isoformat()}",
                to=[user.email],
                subject=lambda: (
                    _("Your partners this week (%(start)s - %(end)s)")
                    % {
                        "start": formats.date_format(digest.start, "M j"),
                        "end": formats.date_format(digest.end, "M j"),
                    }
                ),
                template=TEMPLATE,
                context={"digest": digest, "chart_png": digest.chart_png},
                html=True,
            )
    except IntegrityError:
        return None  # another run recorded this week's digest first
    return record


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """Send every digest due at ``now``; one manager's failure is logged and the rest go on.
    Returns how many were queued."""
    sent = 0
    for user, week in managers_due(now=now):
        try:
            if digest_send(user=user, week=week) is not None:
                sent += 1
        except Exception:
            logger.exception("weekly digest for user %s, week %s failed", user.pk, week)
    return sent
