"""What metrics lets a feature read, registered in ``partners.readers.readers`` from
``MetricsConfig.ready()`` (the reader contract is in ``partners/readers.py``): leads' routing reads
the latest adoption score through ``metrics.adoption_scores`` and never imports metrics."""

from django.db.models import DateField, Subquery, Value
from django.db.models.functions import Coalesce

from metrics.definitions.common import _today
from metrics.models import AdoptionScore, RollupState
from metrics.rollups import SCORES_NAME
from partners.readers import readers


def adoption_scores(*, partners) -> dict[int, float]:
    """The adoption score (0 to 100) of each of ``partners`` on the last day whose scores were
    computed (``RollupState.scores_through``; today before the first run), as the partner list's
    ``score`` filter reads it. A partner without a score row that day is missing (it scores 0).
    One query."""
    day = Coalesce(
        Subquery(RollupState.objects.filter(name=SCORES_NAME).values("scores_through")[:1]),
        Value(_today(), output_field=DateField()),
    )
    rows = AdoptionScore.objects.filter(partner__in=partners, day=day).values_list(
        "partner_id", "score"
    )
    return {pid: float(score) for pid, score in rows}


def register() -> None:
    readers.register("metrics.adoption_scores", adoption_scores)
