"""The event log, moved out of metrics (issue 17, step EVENTS): ``Event``, ``EventKey`` and
``ConsumerMiss`` enter the events app's state on the tables metrics created and still migrates
the history of (``metrics_event``, partitioned by month on Postgres since metrics' 0011;
``metrics_eventkey``; ``metrics_consumermiss``). Nothing is created or copied: the database
operations only move the three content types to the events app, so permissions and admin
history that point at them follow the models."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("event", "eventkey", "consumermiss")


def _move_content_types(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A fresh database has none yet (they are created after migrating); an existing one
        # has the old app's, unless the new app's were already made.
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_to_events(apps, schema_editor):
    _move_content_types(apps, "metrics", "events")


def content_types_to_metrics(apps, schema_editor):
    _move_content_types(apps, "events", "metrics")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("metrics", "0019_consumer_miss"),
        ("partners", "0005_joined_at_is_the_approval"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EventKey",
                    fields=[
                        (
                            "key",
                            models.CharField(max_length=200, primary_key=True, serialize=False),
                        ),
                        ("event_id", models.BigIntegerField()),
                        ("day", models.DateField()),
                    ],
                    options={
                        "db_table": "metrics_eventkey",
                    },
                ),
                migrations.CreateModel(
                    name="ConsumerMiss",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("consumer", models.CharField(max_length=64)),
                        ("event_id", models.BigIntegerField()),
                        ("failed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("attempts", models.PositiveIntegerField(default=1)),
                        ("last_error", models.TextField(blank=True)),
                    ],
                    options={
                        "db_table": "metrics_consumermiss",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("consumer", "event_id"), name="consumer_miss_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Event",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("occurred_at", models.DateTimeField()),
                        ("day", models.DateField()),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        ("kind", models.CharField(max_length=64)),
                        (
                            "subject_type",
                            models.CharField(
                                blank=True, help_text="What it is about.", max_length=64
                            ),
                        ),
                        ("subject_id", models.CharField(blank=True, max_length=100)),
                        ("properties", models.JSONField(blank=True, default=dict)),
                        ("idempotency_key", models.CharField(max_length=200)),
                        (
                            "partner",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="partners.partner",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "metrics_event",
                        "ordering": ["-occurred_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["partner", "occurred_at"], name="event_partner_time_idx"
                            ),
                            models.Index(fields=["kind", "day"], name="event_kind_day_idx"),
                        ],
                    },
                ),
            ],
            database_operations=[
                migrations.RunPython(content_types_to_events, content_types_to_metrics),
            ],
        ),
    ]
