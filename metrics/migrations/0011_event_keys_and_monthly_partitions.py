# ruff: noqa: S608 -- SQL built from constant table names and computed dates only
"""Idempotency keys move to their own table, and on Postgres the event table becomes a table
partitioned by month of ``day`` (SQLite keeps one plain table).

A unique index of a partitioned table must contain the partition column, so ``idempotency_key``
cannot stay unique on the events: ``EventKey`` (not partitioned) holds one row per key, written
by ``record_events`` in the same statement as the event. The conversion copies the events into
the new partitioned table (partitions for every month that has events, the current month and
three ahead, and a default partition), recreates the same indexes, foreign keys and statistics
on it under the same names, and keeps the id sequence going. It holds an exclusive lock for the
copy: on a large table run it in a maintenance window.
"""

from django.db import migrations, models

TABLE = "metrics_event"
OLD = "metrics_event_unpartitioned"


def _months(cursor):
    from datetime import date

    from events.partitions import MONTHS_AHEAD, add_months, month_start

    cursor.execute(f"SELECT min(day) FROM {OLD}")
    oldest = cursor.fetchone()[0]
    now = month_start(date.today())
    month = month_start(oldest) if oldest and oldest < now else now
    while month <= add_months(now, MONTHS_AHEAD):
        yield month, add_months(month, 1)
        month = add_months(month, 1)


def _definitions(cursor, table: str) -> tuple[list[str], list[str], list[str]]:
    """(index DDL, constraint DDL, statistics DDL) of ``table`` other than its primary key."""
    cursor.execute(
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [table],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'c')",
        [table],
    )
    constraints = [f'ADD CONSTRAINT "{name}" {ddl}' for name, ddl in cursor.fetchall()]
    cursor.execute(
        "SELECT pg_get_statisticsobjdef(oid) FROM pg_statistic_ext WHERE stxrelid = %s::regclass",
        [table],
    )
    statistics = [row[0] for row in cursor.fetchall()]
    return indexes, constraints, statistics


def _copy_into_new_table(schema_editor, partitioned: bool) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        indexes, constraints, statistics = _definitions(cursor, TABLE)
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")
        last_id = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
        cursor.execute(f"ALTER SEQUENCE IF EXISTS {TABLE}_id_seq RENAME TO {OLD}_id_seq")
        key = "PRIMARY KEY (id, day)" if partitioned else "PRIMARY KEY (id)"
        tail = " PARTITION BY RANGE (day)" if partitioned else ""
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY, "
            f"CONSTRAINT {TABLE}_pkey {key}){tail}"
        )
        if partitioned:
            for start, end in _months(cursor):
                cursor.execute(
                    f"CREATE TABLE {TABLE}_p{start:%Y%m} PARTITION OF {TABLE} "
                    f"FOR VALUES FROM ('{start}') TO ('{end}')"
                )
            cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD} ORDER BY id")
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
            [TABLE, max(last_id, 1), last_id > 0],
        )
        # Read before the rename, so they name the table as it is called now, and their names
        # are free again since the old table is gone.
        for ddl in indexes + [f"ALTER TABLE {TABLE} {c}" for c in constraints] + statistics:
            cursor.execute(ddl)
        cursor.execute(f"ANALYZE {TABLE}")


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO metrics_eventkey (key, event_id, day) "
            "SELECT idempotency_key, id, day FROM metrics_event"
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX metrics_eventkey_day_brin ON metrics_eventkey USING brin (day) "
            "WITH (autosummarize = on)"
        )
        _copy_into_new_table(schema_editor, partitioned=True)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _copy_into_new_table(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("metrics", "0010_recreate_summary_tables")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="idempotency_key",
            field=models.CharField(max_length=200),
        ),
        migrations.CreateModel(
            name="EventKey",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("event_id", models.BigIntegerField()),
                ("day", models.DateField()),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
