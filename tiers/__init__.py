"""Tiers, a feature app (issue 17): requirements measured nightly, promotions and demotions with a
grace period, the vendor's override, and progress in words a partner acts on.

Entry points: ``tiers.evaluation.tiers_evaluate`` (service, nightly task ``tiers.tasks``),
``tiers.overrides.tier_override`` (service), ``tiers.progress.tier_progress`` (selector; the
core's pages read it through ``partners.selectors.tier_progress``, a reader tiers registers).
What a requirement can measure comes from the apps that know it (``partners.measures``); the tier
itself and its benefits are program configuration in the core (``partners.models.Tier``,
``partners.benefits``).
"""
