"""``manage.py event_consumers`` — who consumes which event kind, read from the registry
(``events.consumers``), with the missed events each consumer still has to catch up.
``--catch-up`` runs the catch-up now (what the periodic task does)."""

from django.core.management.base import BaseCommand

from events import consumers
from events.choices import EventKind


class Command(BaseCommand):
    help = "List the event consumers, the kinds each handles and their missed events."

    def add_arguments(self, parser):
        parser.add_argument(
            "--catch-up", action="store_true", help="Hand missed events to their consumers now."
        )

    def handle(self, *args, catch_up=False, **options):
        if catch_up:
            handled = consumers.consumers_catch_up()
            self.stdout.write(f"caught up on {handled} missed events")
        waiting = consumers.misses_pending()
        for consumer in consumers.registry.values():
            kinds = "every kind" if consumer.kinds is None else ", ".join(sorted(consumer.kinds))
            self.stdout.write(f"{consumer.name}: {kinds} (missed: {waiting.get(consumer.name, 0)})")
        self.stdout.write("")
        for kind in EventKind.values:
            self.stdout.write(f"{kind}: {', '.join(consumers.consumers_of(kind))}")
