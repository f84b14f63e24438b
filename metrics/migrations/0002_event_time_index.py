"""The time index for rollups. On Postgres a BRIN index on occurred_at (the table is append-only,
so physical order follows time; BRIN is thousands of times smaller than a btree and summarizes new
ranges itself with autosummarize). Other databases get a plain btree.

Kept out of Event.Meta because Django's BrinIndex cannot express a per-backend choice.
"""

from django.db import migrations

POSTGRES_CREATE = (
    "CREATE INDEX IF NOT EXISTS event_occurred_brin ON metrics_event "
    "USING brin (occurred_at) WITH (autosummarize = on)"
)
OTHER_CREATE = "CREATE INDEX IF NOT EXISTS event_occurred_idx ON metrics_event (occurred_at)"


def create_index(apps, schema_editor):
    is_pg = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(POSTGRES_CREATE if is_pg else OTHER_CREATE)


def drop_index(apps, schema_editor):
    is_pg = schema_editor.connection.vendor == "postgresql"
    name = "event_occurred_brin" if is_pg else "event_occurred_idx"
    schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
