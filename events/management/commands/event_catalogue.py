"""``manage.py event_catalogue`` — every event kind PRM records, its payload fields and types and
its consumers, read from the registries (``events.catalogue``). ``--write`` regenerates the
tables in docs/events.md and docs/webhooks.md."""

from django.core.management.base import BaseCommand

from events import catalogue


class Command(BaseCommand):
    help = "Show the event catalogue (kinds, payloads, consumers); --write updates the docs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--write", action="store_true", help="Regenerate the catalogue tables in docs/."
        )

    def handle(self, *args, write=False, **options):
        if write:
            changed = catalogue.write_docs()
            self.stdout.write("updated: " + (", ".join(changed) or "nothing (already current)"))
            return
        self.stdout.write(catalogue.events_table())
