"""The database cache table (``prm_cache``): the cache of the embedded default, and the default
cache's fallback while Redis is down (``kernel.cache``; allauth's rate limits count there then).
``createcachetable`` is idempotent: an existing table is left as it is."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_apitoken")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
