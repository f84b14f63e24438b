"""A GIN index for the library's full-text search, on Postgres only (SQLite searches with
``icontains``; see enablement.selectors.resource_search). The expression matches
``resource_search_vector()`` so the planner can use it."""

from django.db import migrations

INDEX = "enablement_resource_search_gin"
# Exactly the SQL Django generates for the vector (casts included), or the planner ignores it.
EXPRESSION = (
    "((setweight(to_tsvector('english'::regconfig, (COALESCE(title, ''::character varying))::text), 'A'::\"char\")"
    " || setweight(to_tsvector('english'::regconfig, (COALESCE(summary, ''::character varying))::text), 'B'::\"char\"))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(body, ''::text)), 'C'::\"char\"))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON enablement_resource USING GIN ({EXPRESSION})"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("enablement", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
