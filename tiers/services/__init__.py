"""Writes of the tier setup pages: a program's tiers (create, edit, reorder, delete), their
requirements and their benefits. Vendor admins only (the views check; every function takes the
``actor``).

Each function is one change: keyword-only, atomic, it refuses bad input with a ValidationError
keyed by the form's field (``None`` for the whole form) and writes nothing then, and it records
who changed what with each field before and after (``kernel.setup_log``, shown on the audit
log). Ranks stay 1..n per program, unique: a reorder locks the program's tiers and renumbers them
in two steps so the unique constraint never sees two tiers on one rank.
"""

from tiers.services.benefits import benefit_create, benefit_delete, benefit_update
from tiers.services.ladder import tier_create, tier_delete, tier_move, tier_update
from tiers.services.requirements import requirement_create, requirement_delete, requirement_update

__all__ = [
    "benefit_create",
    "benefit_delete",
    "benefit_update",
    "requirement_create",
    "requirement_delete",
    "requirement_update",
    "tier_create",
    "tier_delete",
    "tier_move",
    "tier_update",
]
