"""The award catch-up starts at the newest event that exists when incentives is installed: older
events are history, evaluated on purpose by ``manage.py incentives_backfill``, not by a periodic
task that would otherwise crawl the whole event log 100,000 events per run."""

from django.db import migrations
from django.db.models import Max


def start_cursor(apps, schema_editor):
    Event = apps.get_model("metrics", "Event")
    AwardCursor = apps.get_model("incentives", "AwardCursor")
    newest = Event.objects.aggregate(m=Max("id"))["m"] or 0
    AwardCursor.objects.get_or_create(name="awards", defaults={"watermark": newest})


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0001_initial"),
        ("metrics", "0001_initial"),
    ]
    # It reads the events through metrics' state: it must run before the event log left metrics.
    run_before = [("metrics", "0020_event_log_moves_to_events")]

    operations = [migrations.RunPython(start_cursor, migrations.RunPython.noop)]
