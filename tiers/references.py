"""Tiers' reference reader for enablement's setup pages (``partners.readers``): a tier requirement
that counts the holders of a certification names it, so the certification may not be deleted
while the requirement stands. Registered from ``TiersConfig.ready()``."""

from django.utils.translation import gettext as _

from tiers.models import SUBJECT_MEASURES, TierRequirement


def requirements_naming_certification(pk: int) -> list[str]:
    """One line per tier requirement that narrows a measure to certification ``pk``. One query."""
    return [
        _("Requirement of tier “%(tier)s” (program “%(program)s”)")
        % {"tier": tier, "program": program}
        for tier, program in TierRequirement.objects.filter(
            metric__in=SUBJECT_MEASURES, subject_id=pk
        )
        .order_by("tier__program__name", "tier__rank")
        .values_list("tier__name", "tier__program__name")
    ]
