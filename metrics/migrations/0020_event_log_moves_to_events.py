"""The event log leaves metrics for the events app (issue 17, step EVENTS): ``Event``,
``EventKey`` and ``ConsumerMiss`` are removed from metrics' state only. Their tables
(``metrics_event`` and its monthly partitions on Postgres, ``metrics_eventkey``,
``metrics_consumermiss``) and their rows stay as they are; ``events/migrations/0001_initial``
takes the same models into the events app's state, on the same tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0019_consumer_miss"),
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ConsumerMiss"),
                migrations.RemoveField(model_name="event", name="partner"),
                migrations.RemoveField(model_name="event", name="user"),
                migrations.DeleteModel(name="EventKey"),
                migrations.DeleteModel(name="Event"),
            ],
            database_operations=[],
        ),
    ]
