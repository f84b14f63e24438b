"""Adoption scores are keyed by (partner, day): a composite primary key replaces the surrogate
``id`` and the unique constraint, so every score the refresh rewrites maintains two indexes
instead of three and draws no sequence value (issue 24).

Scores are derived data: the table is dropped and created empty with the new key rather than
altered in place (SQLite cannot change a primary key without rebuilding the table anyway), and
the scores are marked for a full recompute, which the next refresh (every minute, or
``manage.py rollup_metrics``) does from the bucket tables; the deltas waiting for it are
superseded by that recompute.
"""

from django.db import migrations, models


def recreate(apps, schema_editor):
    model = apps.get_model("metrics", "AdoptionScore")
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(model._meta.db_table)}")
    schema_editor.create_model(model)
    apps.get_model("metrics", "RollupState").objects.filter(name="scores").update(
        scores_through=None
    )
    apps.get_model("metrics", "ScoreDelta").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0023_score_delta_queue")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="adoptionscore", name="adoption_unique_partner_day"
                ),
                migrations.RemoveField(model_name="adoptionscore", name="id"),
                migrations.AddField(
                    model_name="adoptionscore",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "partner",
                        "day",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ]
        ),
        migrations.RunPython(recreate, recreate),
    ]
