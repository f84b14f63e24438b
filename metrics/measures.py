"""The tier measures metrics knows: the average adoption score over 90 days and the people active
in the last 30 days, read from the summary tables. Registered from ``MetricsConfig.ready()`` with
``partners.measures``; the tiers app reads them by key."""

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.selectors import active_users_by_partner, adoption_average_by_partner
from partners.measures import Measure, Unit, number_text, register

ADOPTION_SCORE_90D = "adoption_score_90d"
ACTIVE_USERS_30D = "active_users_30d"
# The adoption score is 0 to 100 (docs/metrics.md "Adoption score").
ADOPTION_SCORE_MAX = 100


def _adoption(*, partner_ids, at, subject_ids, partners):
    return {
        ADOPTION_SCORE_90D: adoption_average_by_partner(partner_ids=partner_ids, until=at.date())
    }


def _active(*, partner_ids, at, subject_ids, partners):
    return {ACTIVE_USERS_30D: active_users_by_partner(partner_ids=partner_ids, until=at.date())}


def _describe_adoption(*, current, minimum, subject):
    # A score is not a count toward a total ("93.1 of 60" read as nonsense): say the bar.
    values = {"score": number_text(current), "minimum": number_text(minimum)}
    if current >= minimum:
        text = _("Adoption score %(score)s (90-day average), needs %(minimum)s: met") % values
    else:
        values["short"] = number_text(minimum - current)
        text = (
            _("Adoption score %(score)s (90-day average), needs %(minimum)s: %(short)s short")
            % values
        )
    return text, _("See your adoption"), reverse("metrics:partner_adoption")


def _describe_active(*, current, minimum, subject):
    text = _("%(current)s of %(minimum)s people active in the last 30 days") % {
        "current": number_text(current),
        "minimum": number_text(minimum),
    }
    return text, _("Invite colleagues"), reverse("partners:team")


def _check_adoption(*, tier, minimum, subject_id):
    if minimum > ADOPTION_SCORE_MAX:
        return {"minimum": _("The adoption score is at most 100.")}
    return {}


def register_measures() -> None:
    """Called from ``MetricsConfig.ready()``."""
    register(
        Measure(
            key=ADOPTION_SCORE_90D,
            label=gettext_lazy("Average adoption score over the last 90 days"),
            counting=gettext_lazy(
                "Mean of the daily adoption score (0 to 100) over the last 90 days; a day "
                "without a score counts 0."
            ),
            unit=Unit.SCORE,
            compute=_adoption,
            past_levels=True,  # the daily score summary
            describe=_describe_adoption,
            maximum=Decimal(ADOPTION_SCORE_MAX),
            check=_check_adoption,
        )
    )
    register(
        Measure(
            key=ACTIVE_USERS_30D,
            label=gettext_lazy("Active portal users in the last 30 days"),
            counting=gettext_lazy("Distinct people of the partner active in the last 30 days."),
            unit=Unit.COUNT,
            compute=_active,
            past_levels=True,  # the daily active-user summary
            describe=_describe_active,
        )
    )
