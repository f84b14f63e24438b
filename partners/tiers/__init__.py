"""Tier mechanics: requirement measures, the nightly evaluation, overrides, progress, benefits.

Entry points: ``tiers_evaluate`` (service, nightly task), ``tier_override`` (service),
``tier_progress`` and ``partner_benefits`` (selectors, also reachable as
``partners.selectors.tier_progress`` / ``partners.selectors.partner_benefits``).
"""
