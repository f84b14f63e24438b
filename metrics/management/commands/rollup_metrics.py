"""``manage.py rollup_metrics`` — run the metric rollups by hand.

Without options it does what the every-minute task does (fold in new events). ``--since/--until``
rebuild a range of days from raw events (a backfill); ``--full`` rebuilds everything. Both give
exactly the rows the incremental runs give.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics.after_rollup import after_rollup
from metrics.rollups import rollup_incremental, rollup_recompute
from metrics.scores import scores_refresh


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Roll events up into the metric summary tables (incrementally, a day range, or all)."

    def add_arguments(self, parser):
        parser.add_argument("--since", type=str, help="First day to rebuild (YYYY-MM-DD, UTC).")
        parser.add_argument("--until", type=str, help="Last day to rebuild (YYYY-MM-DD, UTC).")
        parser.add_argument("--full", action="store_true", help="Rebuild every table from scratch.")

    def handle(self, *args, since=None, until=None, full=False, **options):
        since_day = _day(since) if since else None
        until_day = _day(until) if until else None
        if full and (since_day or until_day):
            raise CommandError("Use either --full or --since/--until, not both.")
        if since_day and until_day and since_day > until_day:
            raise CommandError("--since must not be after --until.")
        if full or since_day or until_day:
            if not full:
                # A range rebuild stops at the watermark; fold in what is newer first.
                rollup_incremental()
            result = rollup_recompute(since=since_day, until=until_day)
        else:
            result = rollup_incremental()
        if not result.ran:
            raise CommandError(f"Rollup did not run: {result.reason}.")
        scores = scores_refresh()
        if not scores.ran:
            raise CommandError(f"Adoption scores were not refreshed: {scores.reason}.")
        # A backfill changes summaries without moving the watermark: the hooks (the console's
        # dashboard data version) must hear of it too.
        after_rollup(result, scores)
        what = "rebuilt" if (full or since_day or until_day) else "folded in"
        detail = f"{result.buckets} partner-days" + (
            f" from {result.events} new events" if result.events else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Rollup {what}: {detail} in {result.duration_ms} ms; "
                f"{scores.buckets} adoption scores in {scores.duration_ms} ms."
            )
        )
