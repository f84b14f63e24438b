"""The tier measures leads knows: the lead acceptance rate and the leads converted to deals over
the last 12 months. Registered from ``LeadsConfig.ready()`` with ``partners.measures``; tiers and
business plans read them by key and never import leads. Both are counted from the offers the
partner answered (accepted or declined) in the window, as the lead metrics count them
(docs/metrics.md "Lead metrics")."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.facts import answer_counts
from partners.measures import Measure, Unit, number_text, register

LEAD_ACCEPTANCE_12M = "lead_acceptance_rate_12m"
LEADS_CONVERTED_12M = "leads_converted_12m"
YEAR = timedelta(days=365)
RATE_MAX = 100


def _rate(answered: int, accepted: int) -> Decimal:
    """accepted / answered in %, one decimal; 0 without answered offers."""
    if not answered:
        return Decimal("0")
    return (Decimal(100 * accepted) / answered).quantize(Decimal("0.1"))


def _tables(partner_ids, since, until) -> dict:
    counts = answer_counts(partner_ids, since=since, until=until)
    return {
        LEAD_ACCEPTANCE_12M: {p: _rate(n, a) for p, (n, a, _c) in counts.items()},
        LEADS_CONVERTED_12M: {p: c for p, (_n, _a, c) in counts.items()},
    }


def _leads(*, partner_ids, at, subject_ids, partners):
    """Both measures from one grouped query: the offers answered in the 365 days before ``at``."""
    return _tables(partner_ids, at - YEAR, at)


def _leads_between(*, partner_ids, since, until, subject_ids, partners):
    """The leads converted among the offers answered in ``(since, until]`` (a plan's period)."""
    return {LEADS_CONVERTED_12M: _tables(partner_ids, since, until)[LEADS_CONVERTED_12M]}


def _describe_rate(*, current, minimum, subject):
    # a rate is not a count toward a total: say the bar
    text = _("Lead acceptance rate %(current)s%% (last 12 months), needs %(minimum)s%%") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    return text, _("See your leads"), reverse("leads:inbox")


def _describe_converted(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s leads converted to deals in the last 12 months") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    return text, _("See your leads"), reverse("leads:inbox")


def _check_rate(*, tier, minimum, subject_id):
    if minimum > RATE_MAX:
        return {"minimum": _("A rate is at most 100%.")}
    return {}


def register_measures() -> None:
    """Called from ``LeadsConfig.ready()``."""
    register(
        Measure(
            key=LEAD_ACCEPTANCE_12M,
            label=gettext_lazy("Lead acceptance rate (%) in the last 12 months"),
            counting=gettext_lazy(
                "Lead offers accepted / lead offers answered (accepted or declined) in the last "
                "365 days, in %; 0 without answered offers."
            ),
            unit=Unit.SCORE,
            compute=_leads,
            past_levels=True,  # dated answers
            describe=_describe_rate,
            maximum=Decimal(RATE_MAX),
            check=_check_rate,
        )
    )
    register(
        Measure(
            key=LEADS_CONVERTED_12M,
            label=gettext_lazy("Leads converted to deals in the last 12 months"),
            counting=gettext_lazy(
                "Vendor leads the partner accepted in the last 365 days and registered as a deal."
            ),
            unit=Unit.COUNT,
            compute=_leads,
            compute_between=_leads_between,
            describe=_describe_converted,
        )
    )
