"""Drill-down: the partners behind a dashboard figure, as the partner list's ``figure`` filter
(``partners.readers.partner_list_filters``, registered from ``MetricsConfig.ready()``).

A figure is named by a ``FigureRef``: its kind (``FIGURES``), a key (a step, a bucket, an offering,
a month...) and the dashboard's date range. Its partners come from the ``*_members`` function of
``metrics.definitions`` that shares its query with the figure's count (the same cohort, the same
conditions), so the list's count equals the figure by construction. Those functions take no
partner filters here: every figure is a set of partners each of whom qualifies on their own, so
narrowing it by program, type, tier, region or owner (the list's own parameters, carried over from
the dashboard) gives the figure computed with those filters.

A bad figure (unknown kind, a key the kind does not take, dates out of order) raises
``ValidationError`` in ``check``: the list reports it and ignores the filter.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from metrics.definitions import activation, adoption, curve, offerings, program, risk
from metrics.models import FeatureArea
from partners.models import Offering
from partners.readers import FigureRef, PartnerListFilter, partner_list_filters


@dataclass(frozen=True)
class Figure:
    label: str  # what the figure is, for the list's "Figure" choices
    heading: str  # the list's heading: %(key)s, %(period)s, %(day)s filled in
    members: Callable[[FigureRef, object], object]  # (ref, parsed key) -> queryset or ids
    parse: Callable[[str, FigureRef], object] | None = None  # the key; None: takes no key


def _no_key(key: str, ref: FigureRef):
    if key:
        raise ValidationError(_("This figure takes no key."), code="invalid")
    return None


def _month(key: str, ref: FigureRef):
    """A cohort row's month ``YYYY-MM`` (or none: the whole range) → its days within the range."""
    if not key:
        return ref.since, ref.until
    try:
        year, month = (int(part) for part in key.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationError(_("Give the month as YYYY-MM."), code="invalid") from None
    last = date(year, month, monthrange(year, month)[1])
    if first > ref.until:
        raise ValidationError(_("The month is after the range."), code="invalid")
    return first, min(last, ref.until)


def _bucket(key: str, ref: FigureRef) -> int:
    if not key.isdigit() or int(key) % 10 or not 0 <= int(key) <= 90:
        raise ValidationError(_("Give the bucket's lowest score: 0, 10, … 90."), code="invalid")
    return int(key) // 10


def _area(key: str, ref: FigureRef) -> str:
    if key not in FeatureArea.values:
        raise ValidationError(_("Unknown feature area."), code="invalid")
    return key


def _step(key: str, ref: FigureRef) -> str:
    if not key or len(key) > 100 or "step" not in partner_list_filters:
        raise ValidationError(_("Give a checklist step key."), code="invalid")
    return key


def _offering(key: str, ref: FigureRef) -> Offering:
    offering = Offering.objects.filter(slug=key).first() if key else None
    if offering is None:
        raise ValidationError(_("Unknown offering."), code="invalid")
    return offering


def _curve_point(key: str, ref: FigureRef) -> tuple[Offering, date]:
    slug, _sep, day = key.rpartition(":")
    try:
        point = date.fromisoformat(day)
    except ValueError:
        raise ValidationError(_("Give the point as offering:YYYY-MM-DD."), code="invalid") from None
    if point > ref.until:
        raise ValidationError(_("The point is after the range."), code="invalid")
    return _offering(slug, ref), point


def _reason(key: str, ref: FigureRef) -> str:
    if key and key not in risk.REASONS:
        raise ValidationError(_("Unknown at-risk reason."), code="invalid")
    return key


def _stage(key: str, ref: FigureRef) -> str:
    stages = dict(program.deal_stage_choices())
    if key and key not in stages:
        raise ValidationError(_("Unknown deal stage."), code="invalid")
    return key


def _week(key: str, ref: FigureRef) -> date:
    try:
        monday = date.fromisoformat(key)
    except ValueError:
        raise ValidationError(_("Give the week's Monday as YYYY-MM-DD."), code="invalid") from None
    if monday.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."), code="invalid")
    return monday


def _activation(group: str):
    def members(ref: FigureRef, months):
        since, until = months
        return activation.activation_members(group=group, since=since, until=until)

    return members


def _at_risk(ref: FigureRef, reason: str):
    page = risk.at_risk_overview(as_of=ref.until, limit=0)
    return page.by_reason[reason] if reason else page.ids


FIGURES: dict[str, Figure] = {
    "joined": Figure(
        _lazy("Partners joined"),
        _lazy("Partners joined %(period)s"),
        lambda ref, _k: program.joined_members(since=ref.since, until=ref.until),
        _no_key,
    ),
    "cohort": Figure(
        _lazy("Activation cohort"),
        _lazy("In the activation cohort: joined %(period)s"),
        _activation("cohort"),
        _month,
    ),
    "activated": Figure(
        _lazy("Activated within the window"),
        _lazy("Activated within the activation window: joined %(period)s"),
        _activation("activated"),
        _month,
    ),
    "pending": Figure(
        _lazy("Still in the activation window"),
        _lazy("Not activated, window still open: joined %(period)s"),
        _activation("pending"),
        _month,
    ),
    "tta": Figure(
        _lazy("Behind the median days to activation"),
        _lazy("Activated (the median days to activation): joined %(period)s"),
        lambda ref, _k: activation.activated_cohort(since=ref.since, until=ref.until),
        _no_key,
    ),
    "first_deal": Figure(
        _lazy("Behind the median days to first deal"),
        _lazy("Registered a deal (the median days to first deal): joined %(period)s"),
        lambda ref, _k: activation.first_deal_cohort(since=ref.since, until=ref.until),
        _no_key,
    ),
    "step_done": Figure(
        _lazy("Funnel step done"),
        _lazy("Funnel step “%(key)s” — done · joined %(period)s"),
        lambda ref, step: activation.funnel_step_members(
            step=step, done=True, since=ref.since, until=ref.until
        ),
        _step,
    ),
    "step_not": Figure(
        _lazy("Funnel step not done"),
        _lazy("Funnel step “%(key)s” — not done · joined %(period)s"),
        lambda ref, step: activation.funnel_step_members(
            step=step, done=False, since=ref.since, until=ref.until
        ),
        _step,
    ),
    "scored": Figure(
        _lazy("Scored partners"),
        _lazy("Partners scored on %(day)s (the average adoption score)"),
        lambda ref, _k: program.score_members(day=ref.until),
        _no_key,
    ),
    "score": Figure(
        _lazy("Adoption score bucket"),
        _lazy("Adoption score %(key)s on %(day)s"),
        lambda ref, bucket: program.score_members(day=ref.until, bucket=bucket),
        _bucket,
    ),
    "active": Figure(
        _lazy("Active partners"),
        _lazy("Active in the 30 days up to %(day)s"),
        lambda ref, _k: adoption.feature_area_members(as_of=ref.until),
        _no_key,
    ),
    "area": Figure(
        _lazy("Feature area used"),
        _lazy("Used %(key)s in the 30 days up to %(day)s"),
        lambda ref, area: adoption.feature_area_members(as_of=ref.until, area=area, used=True),
        _area,
    ),
    "area_not": Figure(
        _lazy("Feature area not used"),
        _lazy("Active but did not use %(key)s in the 30 days up to %(day)s"),
        lambda ref, area: adoption.feature_area_members(as_of=ref.until, area=area, used=False),
        _area,
    ),
    "eligible": Figure(
        _lazy("Eligible for an offering"),
        _lazy("Eligible for %(key)s on %(day)s"),
        lambda ref, o: offerings.offering_members(offering=o, group="eligible", as_of=ref.until),
        _offering,
    ),
    "adopted": Figure(
        _lazy("Adopted an offering"),
        _lazy("Adopted %(key)s on %(day)s"),
        lambda ref, o: offerings.offering_members(offering=o, group="adopted", as_of=ref.until),
        _offering,
    ),
    "not_adopted": Figure(
        _lazy("Eligible for an offering, not adopted"),
        _lazy("Eligible for %(key)s but not adopted on %(day)s"),
        lambda ref, o: offerings.offering_members(offering=o, group="not_adopted", as_of=ref.until),
        _offering,
    ),
    "curve_eligible": Figure(
        _lazy("Adoption curve point: eligible"),
        _lazy("Eligible for %(key)s"),
        lambda ref, point: curve.curve_members(
            offering=point[0], day=point[1], until=ref.until, adopted=False
        ),
        _curve_point,
    ),
    "curve_adopted": Figure(
        _lazy("Adoption curve point: adopted"),
        _lazy("Had adopted %(key)s"),
        lambda ref, point: curve.curve_members(offering=point[0], day=point[1], until=ref.until),
        _curve_point,
    ),
    "at_risk": Figure(
        _lazy("At risk"),
        _lazy("At risk on %(day)s%(key)s"),
        _at_risk,
        _reason,
    ),
    "deals_registered": Figure(
        _lazy("Registered deals"),
        _lazy("Partners who registered deals %(period)s (the figure counts deals)"),
        lambda ref, _k: program.deal_partner_members(
            which="registered", since=ref.since, until=ref.until
        ),
        _no_key,
    ),
    "deals_won": Figure(
        _lazy("Won deals"),
        _lazy("Partners who won deals %(period)s (the figure counts deals)"),
        lambda ref, _k: program.deal_partner_members(which="won", since=ref.since, until=ref.until),
        _no_key,
    ),
    "deals_open": Figure(
        _lazy("Open deals"),
        _lazy("Partners with open deals%(key)s now (the figure counts deals)"),
        lambda ref, stage: program.deal_partner_members(which="open", stage=stage),
        _stage,
    ),
    "weekly": Figure(
        _lazy("Active in a week"),
        _lazy("Active in the week of %(key)s"),
        lambda ref, monday: program.weekly_active_members(week=monday),
        _week,
    ),
}

REASON_LABELS = {
    risk.DROP: _lazy("activity drop"),
    risk.DORMANT: _lazy("dormant"),
    risk.STALLED: _lazy("onboarding stalled"),
}


def _figure(ref: FigureRef) -> tuple[Figure, object]:
    figure = FIGURES.get(ref.kind)
    if figure is None:
        raise ValidationError(_("Unknown figure."), code="invalid")
    if ref.since is None or ref.until is None:
        raise ValidationError(_("A figure needs the range: since and until."), code="invalid")
    if ref.since > ref.until:
        raise ValidationError(_("The range's start comes after its end."), code="invalid")
    return figure, figure.parse(ref.key or "", ref)


def partners_behind(ref: FigureRef):
    """The partners behind the figure ``ref`` (a queryset or a list of ids)."""
    figure, key = _figure(ref)
    return figure.members(ref, key)


def _choices() -> list[tuple[str, str]]:
    return [(kind, str(figure.label)) for kind, figure in FIGURES.items()]


def _check(*, value: FigureRef, state=None) -> None:
    _figure(value)


def _condition(*, value: FigureRef, state=None):
    members = partners_behind(value)
    if isinstance(members, list):
        return Q(pk__in=members)
    return Q(pk__in=members.order_by().values("pk"))


def _describe(*, value: FigureRef, state=None) -> str:
    figure, key = _figure(value)
    day = date_format(value.until, "DATE_FORMAT")
    if value.kind in ("curve_eligible", "curve_adopted"):
        shown_key = _("%(offering)s on %(day)s") % {
            "offering": key[0].name,
            "day": date_format(key[1], "DATE_FORMAT"),
        }
    elif isinstance(key, Offering):
        shown_key = key.name
    elif value.kind == "score":
        shown_key = f"{key * 10}-{key * 10 + (10 if key == 9 else 9)}"
    elif value.kind in ("area", "area_not"):
        shown_key = str(FeatureArea(key).label)
    elif value.kind == "deals_open":
        shown_key = f" ({dict(program.deal_stage_choices())[key]})" if key else ""
    elif value.kind == "at_risk":
        shown_key = f": {REASON_LABELS[key]}" if key else ""
    elif value.kind in ("step_done", "step_not"):  # the step's title in the active templates
        shown_key = dict(partner_list_filters.get("step").choices()).get(key, key)
    elif isinstance(key, date):
        shown_key = date_format(key, "DATE_FORMAT")
    else:
        shown_key = value.key
    since, until = (
        key
        if value.kind in ("cohort", "activated", "pending")
        else (
            value.since,
            value.until,
        )
    )
    period = _("%(since)s to %(until)s") % {
        "since": date_format(since, "DATE_FORMAT"),
        "until": date_format(until, "DATE_FORMAT"),
    }
    return str(figure.heading) % {"key": shown_key, "period": period, "day": day}


def register_list_filters() -> None:
    partner_list_filters.register(
        "figure",
        PartnerListFilter(choices=_choices, condition=_condition, check=_check, describe=_describe),
    )
