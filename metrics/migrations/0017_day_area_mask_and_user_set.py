# ruff: noqa: S608 -- SQL is assembled only from table names and constants
"""Fewer rows per event (docs/metrics.md, "Rows per event").

- ``PartnerDay.area_mask`` replaces the ``PartnerDayArea`` table: which feature areas a partner
  used on a day, as the bits of ``metrics.models.AREA_BITS``. Every reader only asked whether an
  area was used; the mask is filled here from the area rows, so nothing needs refolding.
- ``PartnerDayUser`` loses its per-user event count (no metric read it): the table is the set of
  a bucket's active users, which incremental runs only insert into.

Backwards, the area rows cannot be rebuilt from the masks (they held event counts), so the
bucket tables are emptied and the rollup watermark reset, as in 0010: the next rollup run (or
``manage.py rollup_metrics --full``) refolds every event.
"""

from django.db import migrations, models

BITS = {"portal": 1, "training": 2, "resources": 4, "deals": 8, "marketing": 16}


def fill_area_masks(apps, schema_editor):
    day = schema_editor.quote_name(apps.get_model("metrics", "PartnerDay")._meta.db_table)
    area = schema_editor.quote_name(apps.get_model("metrics", "PartnerDayArea")._meta.db_table)
    bits = " ".join(f"WHEN '{name}' THEN {bit}" for name, bit in BITS.items())
    # One distinct area per row of a bucket, so the sum of their bits is their OR.
    schema_editor.execute(
        f"UPDATE {day} SET area_mask = coalesce((SELECT sum(CASE a.area {bits} ELSE 0 END) "
        f"FROM {area} a WHERE a.partner_id = {day}.partner_id AND a.day = {day}.day), 0)"
    )


def empty_buckets(apps, schema_editor):
    for name in ("PartnerDayKind", "PartnerDay", "PartnerDayUser", "PartnerDayOffering"):
        apps.get_model("metrics", name).objects.all().delete()
    RollupState = apps.get_model("metrics", "RollupState")
    RollupState.objects.filter(name="daily").update(watermark=0)
    RollupState.objects.filter(name="scores").update(scores_through=None)
    apps.get_model("metrics", "ScoreDirty").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0016_partner_week"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="partnerdayuser",
            name="events",
        ),
        migrations.AddField(
            model_name="partnerday",
            name="area_mask",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Feature areas used that day: bit i set for the i-th area of "
                "FeatureArea (metrics.models.AREA_BITS).",
            ),
        ),
        migrations.RunPython(fill_area_masks, empty_buckets),
        migrations.DeleteModel(
            name="PartnerDayArea",
        ),
    ]
