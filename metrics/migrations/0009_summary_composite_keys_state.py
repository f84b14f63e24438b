"""The summary tables are keyed by their bucket: a composite primary key replaces the surrogate
``id`` and the unique constraint, so every rollup write maintains one index instead of two and draws
no sequence value. State only; 0010 recreates the tables (derived data) with these keys.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0008_drop_activity_and_per_kind_area_users"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="partnerday",
                    name="pd_unique_bucket",
                ),
                migrations.RemoveConstraint(
                    model_name="partnerdayarea",
                    name="pda_unique_bucket",
                ),
                migrations.RemoveConstraint(
                    model_name="partnerdaykind",
                    name="pdk_unique_bucket",
                ),
                migrations.RemoveConstraint(
                    model_name="partnerdayoffering",
                    name="pdo_unique_bucket",
                ),
                migrations.RemoveConstraint(
                    model_name="partnerdayuser",
                    name="pdu_unique_bucket",
                ),
                migrations.RemoveField(
                    model_name="partnerday",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="partnerdayarea",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="partnerdaykind",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="partnerdayoffering",
                    name="id",
                ),
                migrations.RemoveField(
                    model_name="partnerdayuser",
                    name="id",
                ),
                migrations.AddField(
                    model_name="partnerday",
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
                migrations.AddField(
                    model_name="partnerdayarea",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "partner",
                        "day",
                        "area",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="partnerdaykind",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "partner",
                        "day",
                        "kind",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="partnerdayoffering",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "partner",
                        "day",
                        "offering",
                        "kind",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddField(
                    model_name="partnerdayuser",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "partner",
                        "day",
                        "user_id",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
            ],
        ),
    ]
