"""incentives' writes: MDF transitions (``mdf``) and awards from events (``awards``)."""

from incentives.services.awards import (
    awards_backfill,
    awards_catch_up,
    awards_evaluate,
    awards_for_new_events,
    leaderboard_set_opt_out,
)
from incentives.services.mdf import (
    Activity,
    MdfError,
    mdf_allocation_create,
    mdf_allocation_set_amount,
    mdf_claim_approve,
    mdf_claim_reject,
    mdf_claim_submit,
    mdf_request_approve,
    mdf_request_create,
    mdf_request_reject,
    mdf_request_update,
    mdf_request_withdraw,
)

__all__ = [
    "Activity", "MdfError", "awards_backfill", "awards_catch_up", "awards_evaluate",
    "awards_for_new_events", "leaderboard_set_opt_out", "mdf_allocation_create",
    "mdf_allocation_set_amount", "mdf_claim_approve", "mdf_claim_reject", "mdf_claim_submit",
    "mdf_request_approve", "mdf_request_create", "mdf_request_reject", "mdf_request_update",
    "mdf_request_withdraw",
]  # fmt: skip
