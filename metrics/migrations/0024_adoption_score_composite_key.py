"""Adoption scores are keyed by (partner, day): a composite primary key replaces the surrogate
``id`` and the unique constraint, so every score the refresh rewrites maintains two indexes
instead of three and draws no sequence value (issue 24). Every score is kept: Postgres changes
the key in place; SQLite, which cannot change a primary key, copies the rows into the table
made with the new key.
"""

from django.db import migrations, models

TABLE = "metrics_adoptionscore"
COLUMNS = "partner_id, day, score, areas, area_mask, active_days, active_users, seats, events"


def rekey(apps, schema_editor):
    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        for sql in (
            f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT adoption_unique_partner_day",
            f"ALTER TABLE {quote(TABLE)} DROP CONSTRAINT {quote(TABLE + '_pkey')}",
            f"ALTER TABLE {quote(TABLE)} DROP COLUMN id",
            f"ALTER TABLE {quote(TABLE)} ADD CONSTRAINT {quote(TABLE + '_pkey')} "
            "PRIMARY KEY (partner_id, day)",
        ):
            schema_editor.execute(sql)
        return
    old = f"{TABLE}_old"
    schema_editor.execute(f"ALTER TABLE {quote(TABLE)} RENAME TO {quote(old)}")
    for index in ("adoption_day_cover_idx", "adoption_unique_partner_day"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(index)}")
    schema_editor.create_model(apps.get_model("metrics", "AdoptionScore"))
    schema_editor.execute(
        f"INSERT INTO {quote(TABLE)} ({COLUMNS}) SELECT {COLUMNS} FROM {quote(old)}"  # noqa: S608
    )
    schema_editor.execute(f"DROP TABLE {quote(old)}")


def recreate(apps, schema_editor):
    """Backwards (run with the state before this migration: the model with its ``id``): the table
    made again with an ``id`` (scores are derived data), recomputed in full by the next
    refresh."""
    model = apps.get_model("metrics", "AdoptionScore")
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")
    schema_editor.create_model(model)
    apps.get_model("metrics", "RollupState").objects.filter(name="scores").update(
        scores_through=None
    )
    apps.get_model("metrics", "ScoreDelta").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("metrics", "0023_score_delta_queue")]

    operations = [
        # Backwards only, last: by then the state is the one before this migration.
        migrations.RunPython(migrations.RunPython.noop, recreate),
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
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
