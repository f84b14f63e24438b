"""Issue 17 (TIERS): tier requirements, standings and history move from partners to tiers.

State only: the tables keep their names and rows (``db_table``); partners 0007 removed the models
from partners' state. The content types (so admin history and permissions) follow the models.
"""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("tierrequirement", "tierstanding", "tierhistory")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new, model__in=MODELS).exists():
        return  # already created for the new label (e.g. by a post_migrate run): keep those
    ContentType.objects.filter(app_label=old, model__in=MODELS).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "partners", "tiers")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "tiers", "partners")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partners", "0007_tier_mechanics_to_tiers"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="TierHistory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("promotion", "Promoted"),
                            ("demotion", "Demoted"),
                            ("warning", "Demotion warning"),
                            ("recovered", "Requirements met again"),
                            ("override", "Override by the vendor"),
                        ],
                        max_length=12,
                    ),
                ),
                ("reason", models.TextField()),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("pinned_until", models.DateTimeField(blank=True, null=True)),
                (
                    "values",
                    models.JSONField(
                        blank=True, default=dict, help_text="Metric values at the time."
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the nightly evaluation made the change.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "from_tier",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="partners.tier",
                    ),
                ),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tier_history",
                        to="partners.partner",
                    ),
                ),
                (
                    "to_tier",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="partners.tier",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "tier history",
                "db_table": "partners_tierhistory",
                "ordering": ["-at", "-pk"],
                "indexes": [
                    models.Index(fields=["partner", "-at"], name="tier_history_partner_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="TierRequirement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "metric",
                    models.CharField(
                        help_text="A registered measure (partners.measures).", max_length=40
                    ),
                ),
                (
                    "subject_id",
                    models.BigIntegerField(
                        blank=True,
                        db_column="certification_id",
                        db_index=True,
                        help_text="Only for a measure that takes a subject (certified people: a certification).",
                        null=True,
                    ),
                ),
                (
                    "minimum",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200)),
                (
                    "tier",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="requirements",
                        to="partners.tier",
                    ),
                ),
            ],
            options={
                "db_table": "partners_tierrequirement",
                "ordering": ["tier", "metric", "subject_id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("subject_id__isnull", True)),
                        fields=("tier", "metric"),
                        name="tier_requirement_unique_metric",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("subject_id__isnull", False)),
                        fields=("tier", "metric", "subject_id"),
                        name="tier_requirement_unique_certification",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("minimum__gte", 0)),
                        name="tier_requirement_minimum_gte_0",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("subject_id__isnull", True),
                            ("metric__in", ("certified_users",)),
                            _connector="OR",
                        ),
                        name="tier_requirement_certification_only_for_certified_users",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TierStanding",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("below_since", models.DateTimeField(blank=True, null=True)),
                ("demote_after", models.DateTimeField(blank=True, null=True)),
                ("pinned_until", models.DateTimeField(blank=True, null=True)),
                ("override_reason", models.CharField(blank=True, max_length=300)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "demote_to",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="partners.tier",
                    ),
                ),
                (
                    "partner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tier_standing",
                        to="partners.partner",
                    ),
                ),
            ],
            options={
                "db_table": "partners_tierstanding",
                "indexes": [models.Index(fields=["demote_after"], name="tier_standing_demote_idx")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("below_since__isnull", True), ("demote_after__isnull", True)),
                            models.Q(
                                ("below_since__isnull", False), ("demote_after__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="tier_standing_grace_has_deadline",
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations, database_operations=[]
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
