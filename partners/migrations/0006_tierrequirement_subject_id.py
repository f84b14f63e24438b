"""Issue 17 (TIERS): the tier requirement's foreign key to enablement.Certification becomes a plain
id (the core's schema no longer points at a feature app). The column, its values and its index
stay; only the foreign-key constraint is dropped. The requirement then leaves for the tiers app
(0007), where the id is the subject of the measure that takes one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_joined_at_is_the_approval"),
        ("enablement", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tierrequirement",
            name="certification",
            field=models.BigIntegerField(
                blank=True,
                db_column="certification_id",
                db_index=True,
                help_text="Only for a measure that takes a subject (certified people: a certification).",
                null=True,
            ),
        ),
    ]
