"""What the pages read of the churn forecast (the console composes them: the dashboard's at-risk
cards, the partner 360 page, the model page). Vendor staff only: the views check the role; no
partner page reads this module. A fixed number of queries each."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics import conf
from metrics.at_risk_store import current_score_day
from metrics.churn_model import latest_model
from metrics.churn_reasons import reasons
from metrics.models import AtRiskDay, AtRiskPartner, ChurnForecast, ChurnModel, ChurnModelStatus


@dataclass(frozen=True)
class ModelState:
    """The newest version and what it means for the pages."""

    version: ChurnModel | None

    @property
    def trained(self) -> bool:
        return self.version is not None and self.version.status == ChurnModelStatus.TRAINED

    @property
    def primary(self) -> bool:
        """The forecast leads the at-risk lists (else the rules do, and the pages say why)."""
        return self.trained and self.version.beats_rules

    @property
    def auc(self) -> float | None:
        return (self.version.backtest or {}).get("model", {}).get("auc") if self.version else None

    @property
    def rules_auc(self) -> float | None:
        return (self.version.backtest or {}).get("rules", {}).get("auc") if self.version else None

    @property
    def why(self) -> str:
        """Why the rules lead, in words ("" when the forecast does)."""
        if self.version is None:
            return _("No churn model has been trained yet: the at-risk rules apply.")
        if not self.trained:
            return _(
                "Too little history to train a churn model: %(rows)s labelled partner-periods "
                "with %(positives)s churned or halved, at least %(min_rows)s and "
                "%(min_positives)s needed. The at-risk rules apply."
            ) % {
                "rows": self.version.training_rows,
                "positives": self.version.training_positives,
                "min_rows": conf.churn_min_rows(),
                "min_positives": conf.churn_min_positives(),
            }
        if not self.version.beats_rules:
            return _(
                "The churn model did not beat the at-risk rules in its backtest (AUC %(auc)s "
                "against %(rules)s): the rule-based list stays primary."
            ) % {"auc": _fmt(self.auc), "rules": _fmt(self.rules_auc)}
        return ""


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def model_state() -> ModelState:
    """One query."""
    return ModelState(latest_model())


@dataclass(frozen=True)
class Forecast:
    partner_id: int
    probability: float
    reasons: list[str]
    model_id: int

    @property
    def percent(self) -> str:
        return f"{round(100 * self.probability)}%"


def _forecast(row: ChurnForecast) -> Forecast:
    return Forecast(
        partner_id=row.partner_id,
        probability=row.probability,
        reasons=reasons(row),
        model_id=row.model_id,
    )


def forecasts_for(partner_ids, *, day=None) -> dict[int, Forecast]:
    """The forecasts of ``partner_ids`` on the current scores day (or ``day``). One query (two
    without ``day``)."""
    day = day or current_score_day()
    rows = ChurnForecast.objects.filter(day=day, partner_id__in=list(partner_ids))
    return {row.partner_id: _forecast(row) for row in rows}


def top_forecasts(*, partners, limit: int, day=None) -> tuple[int, list[tuple[Forecast, object]]]:
    """How many of ``partners`` (a queryset) have a forecast, and the ``limit`` highest with
    their partner (owner loaded). Two queries (three without ``day``)."""
    day = day or current_score_day()
    rows = ChurnForecast.objects.filter(day=day, partner__in=partners)
    total = rows.count()
    top = rows.select_related("partner", "partner__owner").order_by("-probability", "partner_id")
    return total, [(_forecast(r), r.partner) for r in top[:limit]]


def rule_reasons_for(partner_ids, *, day=None) -> dict[int, list[str]] | None:
    """The at-risk rules' reasons of ``partner_ids`` in the stored set of the current scores day
    (partners not in it: not at risk); None when the day's set is not stored yet (a page does
    not compute every partner's rules). Two or three queries."""
    day = day or current_score_day()
    if not AtRiskDay.objects.filter(day=day).exists():
        return None
    rows = AtRiskPartner.objects.filter(day=day, partner_id__in=list(partner_ids))
    return {row.partner_id: [str(r) for r in row.reasons] for row in rows}


def partner_churn(*, partner_id: int) -> dict:
    """A partner's forecast and the rules' verdict for the partner 360 page: ``state``,
    ``forecast`` (None when none), ``rule_reasons`` (the stored at-risk set's; None when the
    day's set is not stored yet: the page does not compute every partner's rules) and ``day``.
    Five queries."""
    day = current_score_day()
    stored = AtRiskDay.objects.filter(day=day).exists()
    rule = AtRiskPartner.objects.filter(day=day, partner_id=partner_id).first() if stored else None
    found = forecasts_for([partner_id], day=day).get(partner_id)
    return {
        "state": model_state(),
        "forecast": found,
        "rule_reasons": ([str(r) for r in rule.reasons] if rule else []) if stored else None,
        "day": day,
    }


def model_page(*, limit: int = 20) -> dict:
    """The model page: the newest ``limit`` versions and the newest one's figures, with its
    reliability table as a chart. Two queries."""
    versions = list(ChurnModel.objects.order_by("-pk")[:limit])
    state = ModelState(versions[0] if versions else None)
    chart = None
    if state.trained:
        table = state.version.backtest.get("model", {}).get("reliability", [])
        chart = {
            "type": "line",
            "labels": [f"{100 * b['low']:.0f}-{100 * b['high']:.0f}%" for b in table],
            "datasets": [
                {
                    "label": str(_("Forecast (mean)")),
                    "data": [round(100 * b["forecast"], 1) for b in table],
                },
                {
                    "label": str(_("Observed share")),
                    "data": [round(100 * b["observed"], 1) for b in table],
                },
            ],
            "max": 100,
        }
    return {"versions": versions, "state": state, "reliability_chart": chart}
