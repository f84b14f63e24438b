"""The measures a tier requirement can ask a minimum of, registered by the apps that know them.

A measure is a number per partner: certified people, deals won in the last 12 months, the
adoption score... The app that owns the data registers it from its ``AppConfig.ready()``
(``measures.register(measure.key, measure)``): enablement its courses and certifications, deals
its won deals and revenue, metrics the adoption score and active users, tiers the activation.
The tiers app reads them by the key stored on a requirement (``TierRequirement.metric``). The
registry sits in the core so that neither side imports the other (features import no feature,
and the core none at all).

``counting`` says in a sentence how the measure is counted (the tier setup pages show it next to
the label and unit when an admin picks a measure).

Contract of the callables (all keyword-only):

- ``compute(partner_ids, at, subject_ids, partners)`` → ``{measure key: {partner id: value}}``
  (``partners``: the partner rows, with ``pk`` and ``activated_at``), plus
  ``{(partner id, subject id): value}`` entries for a measure narrowed to subjects. A partner
  missing from a table counts 0. Measures that share one ``compute`` function are computed by a
  single call (one grouped query for a family such as won deals and won revenue); a call costs a
  fixed number of queries whatever the number of partners.
- ``describe(current, minimum, subject)`` → ``(text, action label, action url)``: the progress
  line a partner reads ("2 of 3 certified people (Sales Engineer)") and what to do about it;
  ``subject`` is what ``subjects`` returned for the requirement's subject, or None.
- ``subjects(ids)`` → ``{id: subject}`` for the measures narrowed to subjects (``str(subject)``
  names it); one query or two, whatever the number of ids.
- ``subject_by_reference(text)`` → the id of the subject an admin typed (id or slug), or None.
- ``subject_choices()`` → ``[(id, label), ...]``: every subject an admin may pick for a
  requirement (the setup pages' select), in display order; one query.
- ``check(tier, minimum, subject_id)`` → ``{field: message}``: why no partner could meet this
  minimum on its way to ``tier`` (a ``partners.Tier``); empty when it can be met. ``field`` is
  ``"minimum"`` or the measure's ``subject`` name.
- ``warnings(tier, minimum)`` → lines an admin should read about a reachable but doubtful
  minimum (e.g. a partner type that sees too few courses).
- ``compute_between(partner_ids, since, until, subject_ids, partners)`` → the same tables as
  ``compute``, counting only what happened in ``(since, until]``: a *flow* measure (deals won,
  revenue won, courses completed) that business plans read for a plan's period. A measure without
  it is a *level* (certified people, an average score, active users, the activation): a plan
  reads it with ``compute`` at the period's end, or now while the period runs.
- ``past_levels``: a level measure whose ``compute`` at a past moment gives what it was then (read
  from dated summaries or dated rows, not from today's people): a scorecard's trend shows it for
  past periods; any other level measure is "not available for past periods" there.
- ``subject_required``: a goal or requirement on it must name a subject (an offering).
- ``subject_choices_for(partner)`` → ``[(id, label), ...]``: the subjects a goal of ``partner``
  may name (e.g. its program's offerings), when that is narrower than ``subject_choices``.
- ``blockers(partner, requirements, subjects)`` → ``{requirement pk: message}`` for the unmet
  requirements ``partner`` cannot meet with what it sees today. Measures that share one
  ``blockers`` function get a single call with all their requirements.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from kernel.registry import Registry


class Unit(models.TextChoices):
    COUNT = "count", _("count")
    MONEY = "money", _("money (PRM_TIER_CURRENCY)")
    SCORE = "score", _("score")
    FLAG = "flag", _("done (1) or not (0)")


@dataclass(frozen=True)
class Measure:
    """What a tier requirement can measure. See the module docstring for the callables."""

    key: str  # stored on the requirement; never renamed once requirements use it
    label: str  # "Certified people" (lazily translated)
    unit: str  # a Unit
    compute: Callable[..., dict]
    describe: Callable[..., tuple[str, str, str]]
    counting: str = ""  # how it is counted, for the admin choosing it (lazily translated)
    maximum: Decimal | None = None  # the most a partner can reach (a score's top), None: no bound
    subject: str = ""  # what a requirement may narrow it to ("certification"); "" for nothing
    subjects: Callable[..., dict] | None = None
    subject_by_reference: Callable[[str], int | None] | None = None
    subject_choices: Callable[[], list[tuple[int, str]]] | None = None
    check: Callable[..., dict[str, str]] | None = None
    warnings: Callable[..., list[str]] | None = None
    blockers: Callable[..., dict[int, str]] | None = None
    compute_between: Callable[..., dict] | None = None  # a flow measure over a period
    past_levels: bool = False  # a level measure readable at a past moment (the trend)
    subject_required: bool = False
    subject_choices_for: Callable[..., list[tuple[int, str]]] | None = None


measures: Registry[Measure] = Registry("tier measure")


def number_text(value) -> str:
    """A measure's value or minimum as a progress line shows it: ``3``, ``2.5``, never ``3.00``."""
    return f"{Decimal(value).normalize():f}"


def register(measure: Measure) -> Measure:
    """Register ``measure`` under its key (from an ``AppConfig.ready()``)."""
    return measures.register(measure.key, measure)


def measure_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered measure, for forms."""
    return [(key, m.label) for key, m in measures.items()]


def measure_choices_with_units() -> list[tuple[str, str]]:
    """(key, "label (unit)") of every registered measure, for the tier setup pages' select."""
    return [(key, f"{m.label} ({Unit(m.unit).label})") for key, m in measures.items()]
