"""Extended statistics on the rollup grouping columns (Postgres only).

Without them the planner multiplies the per-column distinct counts of partner_id, day and kind
and misjudges how many groups a rollup produces, which decides between hash and sort aggregation
and whether a parallel plan is used (../shared/PERFORMANCE.md, finding 3). SQLite has no such
statistics and needs none at its scale.
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS metrics_event_bucket_stats (ndistinct, dependencies) "
    "ON partner_id, day, kind FROM metrics_event"
)
DROP = "DROP STATISTICS IF EXISTS metrics_event_bucket_stats"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0003_rollups")]
    operations = [migrations.RunPython(create, drop)]
