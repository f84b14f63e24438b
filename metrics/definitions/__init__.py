"""Every metric of the product, defined once. docs/metrics.md gives the same formulas in words.

Selector-style functions: keyword-only arguments, read-only, bounded queries. Program-wide metrics
take the partner filters ``program``, ``partner_type``, ``tier``, ``region`` and ``owner`` (an
object or its id; ``None`` means all) and read the summary tables kept by ``metrics.rollups``, the
partners, or the facts feature apps register as readers (``partners.readers``: checklist steps,
deals); none reads the raw Event table or imports a feature app. Dashboards call
these; they never compute a metric themselves. They do not check who may see what: callers pass
partners the user may see (``partners.selectors``).

The package is split by subject; everything is importable from ``metrics.definitions``.
"""

from metrics.definitions.activation import (
    CohortRate,
    Durations,
    Funnel,
    FunnelStep,
    Rate,
    activation_cohorts,
    activation_funnel,
    activation_rate,
    time_to_activation,
    time_to_first_deal,
)
from metrics.definitions.adoption import (
    AreaShare,
    FeatureAdoption,
    ScorePoint,
    adoption_ranking,
    adoption_score_explained,
    adoption_score_for_partner,
    adoption_score_history,
    feature_adoption,
)
from metrics.definitions.common import (
    TRAINING_PREFIXES,
    area_of,
    partners_matching,
    percentile,
)
from metrics.definitions.curve import CurvePoint, offering_adoption_curve
from metrics.definitions.leads import (
    LeadFigures,
    LeadPerformance,
    lead_performance,
    lead_performance_for_partner,
)
from metrics.definitions.offerings import (
    OfferingAdoption,
    PartnerOffering,
    first_launched_offering,
    offering_adoption,
    offering_rules,
    partner_offerings,
)
from metrics.definitions.risk import (
    STALE_AFTER,
    AtRisk,
    AtRiskPage,
    Freshness,
    at_risk_overview,
    at_risk_page,
    at_risk_partners,
    metrics_freshness,
)
from metrics.definitions.roi import Excluded, ProgramRoi, RoiFigures, RoiRow, program_roi

__all__ = [
    "STALE_AFTER",
    "TRAINING_PREFIXES",
    "AreaShare",
    "AtRisk",
    "AtRiskPage",
    "CohortRate",
    "CurvePoint",
    "Durations",
    "Excluded",
    "FeatureAdoption",
    "Freshness",
    "Funnel",
    "FunnelStep",
    "LeadFigures",
    "LeadPerformance",
    "OfferingAdoption",
    "PartnerOffering",
    "ProgramRoi",
    "Rate",
    "RoiFigures",
    "RoiRow",
    "ScorePoint",
    "activation_cohorts",
    "activation_funnel",
    "activation_rate",
    "adoption_ranking",
    "adoption_score_explained",
    "adoption_score_for_partner",
    "adoption_score_history",
    "area_of",
    "at_risk_overview",
    "at_risk_page",
    "at_risk_partners",
    "feature_adoption",
    "first_launched_offering",
    "lead_performance",
    "lead_performance_for_partner",
    "metrics_freshness",
    "offering_adoption",
    "offering_adoption_curve",
    "offering_rules",
    "partner_offerings",
    "partners_matching",
    "percentile",
    "program_roi",
    "time_to_activation",
    "time_to_first_deal",
]
