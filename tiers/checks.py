"""Start-up checks of the tier wiring."""

from django.core import checks

from partners.measures import measures
from tiers.models import SUBJECT_MEASURES


@checks.register()
def subject_measures_match_the_constraint(app_configs=None, **kwargs):
    """The database lets only ``SUBJECT_MEASURES`` carry a subject; the registered measures that
    take one must be exactly those (else a valid requirement is refused by the database, or a
    subject is allowed where the measure ignores it)."""
    registered = {key for key, m in measures.items() if m.subject}
    if registered == set(SUBJECT_MEASURES):
        return []
    return [
        checks.Error(
            f"The measures that take a subject are {sorted(registered)}, but the tier "
            f"requirement's constraint allows a subject for {sorted(SUBJECT_MEASURES)}.",
            hint="Update tiers.models.SUBJECT_MEASURES and add a migration for the constraint.",
            id="tiers.E001",
        )
    ]
