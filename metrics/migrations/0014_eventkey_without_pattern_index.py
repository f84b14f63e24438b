"""Drop the ``varchar_pattern_ops`` index Django adds beside the primary key of
``EventKey.key`` on Postgres (``metrics_eventkey_key_…_like``). Keys are only ever looked up by
equality (the primary key's index); the second index was one more B-tree insert per recorded
event, about a fifth of the recording statement's time in ``bench/ingestion.py``. SQLite has no
such index. Django's state is unchanged, so ``makemigrations`` sees nothing to do."""

from django.db import migrations

TABLE = "metrics_eventkey"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexdef LIKE %s",
            [TABLE, "%varchar_pattern_ops%"],
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "metrics_eventkey_key_ef1a9f74_like" ON "{TABLE}" '
            '("key" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0013_adoption_covering_index")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
