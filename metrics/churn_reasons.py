"""Churn forecast, part 3: a forecast's reasons in words. Each stored contribution (a feature
that pushes the partner's risk up) becomes a sentence written from the partner's own numbers
(``ChurnForecast.values``), translated when shown (docs/metrics.md "Churn forecast")."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _activity(v: dict) -> str:
    return _(
        "Activity fell to %(now)s events in the last 30 days from %(before)s per 30 days in "
        "the 60 days before."
    ) % {"now": v["events_30"], "before": _num(v["events_before_per_30"])}


def _events(v: dict) -> str:
    return ngettext(
        "Only %(n)s event in the last 30 days.", "Only %(n)s events in the last 30 days.",
        v["events_30"],
    ) % {"n": v["events_30"]}  # fmt: skip


def _users(v: dict) -> str:
    if v["users_now"] < v["users_before"]:
        return _("Active users fell from %(before)s to %(now)s in 30 days.") % {
            "before": v["users_before"],
            "now": v["users_now"],
        }
    return _("%(now)s active users now, %(before)s 30 days ago.") % {
        "before": v["users_before"],
        "now": v["users_now"],
    }


def _score(v: dict) -> str:
    return _("Adoption score %(score)s of 100.") % {"score": _num(v["score"])}


def _areas(v: dict) -> str:
    return _("Uses %(n)s of 5 feature areas.") % {"n": v["areas"]}


def _active_days(v: dict) -> str:
    return ngettext(
        "Active on %(n)s day of the last 30.", "Active on %(n)s days of the last 30.",
        v["active_days"],
    ) % {"n": v["active_days"]}  # fmt: skip


def _deal(v: dict) -> str:
    if not v["ever_deal"]:
        return _("No deal registered in the %(days)s days since joining.") % {
            "days": v["days_since_deal"]
        }
    return _("No deal registered in %(days)s days.") % {"days": v["days_since_deal"]}


def _deals_90(v: dict) -> str:
    return ngettext(
        "%(n)s deal registered in the last 90 days.", "%(n)s deals registered in the last 90 days.",
        v["deals_90"],
    ) % {"n": v["deals_90"]}  # fmt: skip


def _certs_expiring(v: dict) -> str:
    return ngettext(
        "%(n)s certification expires within 60 days.",
        "%(n)s certifications expire within 60 days.",
        v["certs_expiring"],
    ) % {"n": v["certs_expiring"]}


def _certs_held(v: dict) -> str:
    return ngettext("%(n)s certification held.", "%(n)s certifications held.", v["certs_held"]) % {
        "n": v["certs_held"]
    }


def _onboarding(v: dict) -> str:
    return _("Still onboarding after %(days)s days.") % {"days": v["tenure_days"]}


def _step(v: dict) -> str:
    return _("No checklist step completed for %(days)s days.") % {"days": v["days_since_step"]}


def _leads(v: dict) -> str:
    return _("Declined or let lapse %(missed)s of %(answered)s leads in 180 days.") % {
        "missed": v["leads_missed"],
        "answered": v["leads_answered"],
    }


def _tenure(v: dict) -> str:
    return _("Partner for %(days)s days.") % {"days": v["tenure_days"]}


def _tiers(v: dict) -> str:
    return ngettext(
        "Moved down a tier %(n)s time in the last year.",
        "Moved down a tier %(n)s times in the last year.",
        v["tier_downgrades"],
    ) % {"n": v["tier_downgrades"]}


def _num(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


SENTENCES = {
    "activity_trend": _activity,
    "events_30": _events,
    "users_trend": _users,
    "adoption_score": _score,
    "feature_areas": _areas,
    "active_days": _active_days,
    "days_since_deal": _deal,
    "deals_90": _deals_90,
    "certs_expiring": _certs_expiring,
    "certs_held": _certs_held,
    "onboarding": _onboarding,
    "days_since_step": _step,
    "lead_miss_rate": _leads,
    "tenure_days": _tenure,
    "tier_downgrades": _tiers,
}


def reasons(forecast) -> list[str]:
    """The sentences of a forecast's contributions, strongest first (in the active language)."""
    out = []
    for name, _weight in forecast.contributions:
        write = SENTENCES.get(name)
        if write is not None:
            out.append(write(forecast.values))
    return out
