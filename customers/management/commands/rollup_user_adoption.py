from datetime import date

from django.core.management.base import BaseCommand, CommandError

from customers.rollups import adoption_recompute, adoption_rollup


class Command(BaseCommand):
    help = "Fold new usage events into the user-adoption summary, or rebuild days from raw events."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every day.")
        parser.add_argument("--since", type=date.fromisoformat, help="Rebuild from this day.")
        parser.add_argument("--until", type=date.fromisoformat, help="Rebuild up to this day.")

    def handle(self, *args, full=False, since=None, until=None, **options):
        if full and (since or until):
            raise CommandError("Give --full or a range (--since/--until), not both.")
        rebuild = full or since or until
        result = adoption_recompute(since=since, until=until) if rebuild else adoption_rollup()
        if not result.ran:
            raise CommandError(f"Not run: {result.reason}")
        self.stdout.write(f"{result.events} events read, {result.buckets} account-days counted.")
