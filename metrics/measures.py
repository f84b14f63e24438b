"""The tier measures metrics knows: the average adoption score over 90 days, the people active
in the last 30 days, and whether a partner has adopted a named offering (its adoption rules, the
offering adoption metric), read from the summary tables. Registered from ``MetricsConfig.ready()`` with
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
OFFERING_ADOPTED = "offering_adopted"


def _adoption(*, partner_ids, at, subject_ids, partners):
    return {
        ADOPTION_SCORE_90D: adoption_average_by_partner(partner_ids=partner_ids, until=at.date())
    }


def _active(*, partner_ids, at, subject_ids, partners):
    return {ACTIVE_USERS_30D: active_users_by_partner(partner_ids=partner_ids, until=at.date())}


def _offering_adopted(*, partner_ids, at, subject_ids, partners):
    """1 for each (partner, offering) of ``subject_ids`` adopted on ``at``'s day, by the
    offering's adoption rules (docs/metrics.md "Offering adoption")."""
    from metrics.definitions.offerings import adopted_by_partner

    table = adopted_by_partner(partner_ids=partner_ids, offering_ids=subject_ids, as_of=at.date())
    return {OFFERING_ADOPTED: table}


def _offerings(ids) -> dict:
    from partners.models import Offering

    return {o.pk: o for o in Offering.objects.filter(pk__in=ids)}


def _offering_choices() -> list[tuple[int, str]]:
    from partners.models import Offering

    return list(Offering.objects.filter(is_active=True).order_by("name").values_list("pk", "name"))


def _offering_choices_for(partner) -> list[tuple[int, str]]:
    """The active offerings of the partner's audience (its program and type): what a goal of
    its plan may name."""
    from partners.selectors import offering_list_for_partner

    return list(
        offering_list_for_partner(partner=partner).order_by("name").values_list("pk", "name")
    )


def _offering_by_reference(reference: str) -> int | None:
    from partners.models import Offering

    reference = (reference or "").strip()
    found = Offering.objects.filter(slug=reference).values_list("pk", flat=True).first()
    if found is None and reference.isdigit():
        found = Offering.objects.filter(pk=int(reference)).values_list("pk", flat=True).first()
    return found


def _describe_offering(*, current, minimum, subject):
    values = {"offering": str(subject) if subject is not None else _("the offering")}
    if current >= minimum:
        text = _("%(offering)s adopted") % values
    else:
        text = _("%(offering)s not adopted yet") % values
    return text, _("See your adoption"), reverse("metrics:partner_adoption")


def _check_offering(*, tier, minimum, subject_id):
    if not subject_id:
        return {"offering": _("Pick the offering to adopt.")}
    if minimum > 1:
        return {"minimum": _("An offering is adopted (1) or not (0): ask for 1.")}
    return {}


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
    register(
        Measure(
            key=OFFERING_ADOPTED,
            label=gettext_lazy("Offering adopted"),
            counting=gettext_lazy(
                "1 when the partner meets any adoption rule of the named offering on the day "
                "(a deal with it, a certification on it, its assets or product usage), else 0."
            ),
            unit=Unit.FLAG,
            compute=_offering_adopted,
            past_levels=True,  # the daily usage summary
            describe=_describe_offering,
            maximum=Decimal(1),
            subject="offering",
            subject_required=True,
            subjects=_offerings,
            subject_by_reference=_offering_by_reference,
            subject_choices=_offering_choices,
            subject_choices_for=_offering_choices_for,
            check=_check_offering,
        )
    )
