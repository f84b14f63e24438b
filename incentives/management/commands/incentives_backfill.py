"""``manage.py incentives_backfill [--reset]``: evaluate the award rules over every stored event.

Without ``--reset`` only what is missing is awarded (idempotent). With ``--reset`` every award is
removed first and the scores rebuilt from history: the same events and rules give the same
awards as the live path did (events are evaluated in id order either way)."""

from django.core.management.base import BaseCommand

from incentives.services import awards_backfill


class Command(BaseCommand):
    help = "Award points and badges from historic events (after adding or changing a rule)."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Remove every award first.")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args, **options):
        created = awards_backfill(reset=options["reset"], batch_size=max(1, options["batch_size"]))
        self.stdout.write(self.style.SUCCESS(f"{created} awards created."))
