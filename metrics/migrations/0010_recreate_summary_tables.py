"""Recreate the five bucket summary tables with their composite primary keys (0009).

They hold only data derived from ``metrics_event``, so they are dropped and created empty rather
than altered in place (SQLite cannot change a primary key without rebuilding the table anyway).
The rollup watermark goes back to 0 and the adoption scores are marked for a full recompute: the
next rollup run (every minute, or ``manage.py rollup_metrics --full``) refolds every event.
Postgres keeps 30% free page space in these tables (see 0007) so incremental upserts stay HOT.
"""

from django.db import migrations

MODELS = ["PartnerDayKind", "PartnerDay", "PartnerDayUser", "PartnerDayArea", "PartnerDayOffering"]


def recreate(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("metrics", name)
        schema_editor.execute(
            f"DROP TABLE IF EXISTS {schema_editor.quote_name(model._meta.db_table)}"
        )
        schema_editor.create_model(model)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {schema_editor.quote_name(model._meta.db_table)} "
                "SET (fillfactor = 70)"
            )
    RollupState = apps.get_model("metrics", "RollupState")
    RollupState.objects.filter(name="daily").update(watermark=0)
    RollupState.objects.filter(name="scores").update(scores_through=None)
    apps.get_model("metrics", "ScoreDirty").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0009_summary_composite_keys_state")]

    operations = [migrations.RunPython(recreate, recreate)]
