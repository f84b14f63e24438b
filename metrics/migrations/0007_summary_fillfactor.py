"""Leave 30% free space in the pages of the summary tables (Postgres only).

Incremental rollups update rows in place (``events = events + EXCLUDED.events``). With free space
on the page and no indexed column changed, Postgres makes a HOT update: no new index entries, no
index bloat. Tables filled to 100% (the default) force every update onto another page.
"""

from django.db import migrations

TABLES = [
    "metrics_partnerdayactivity",
    "metrics_partnerdaykind",
    "metrics_partnerday",
    "metrics_partnerdayuser",
    "metrics_partnerdayarea",
    "metrics_partnerdayoffering",
]


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("metrics", "0006_partner_day_activity")]
    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
