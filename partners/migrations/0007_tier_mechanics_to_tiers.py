"""Issue 17 (TIERS): tier requirements, standings and history belong to the tiers app now. Only
Django's state changes here; the tables (partners_tierrequirement, partners_tierstanding,
partners_tierhistory) and their rows stay, and tiers/migrations/0001_initial adds the models to
tiers' state with those table names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_tierrequirement_subject_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TierRequirement"),
                migrations.DeleteModel(name="TierStanding"),
                migrations.DeleteModel(name="TierHistory"),
            ],
            database_operations=[],
        ),
    ]
