"""Partners whose application was turned down before joined_at became the approval moment
(partners 0004): their lifecycle events say applicant -> churned and never applicant ->
onboarding. They never joined, so their joined_at is cleared and they leave every cohort. Lives
in metrics because only the event log knows the history (partners cannot read it)."""

from django.db import migrations


def turned_down_have_not_joined(apps, schema_editor):
    Event = apps.get_model("metrics", "Event")
    Partner = apps.get_model("partners", "Partner")
    moves = Event.objects.filter(kind="partner.status_changed")
    declined = moves.filter(properties__from="applicant", properties__to="churned")
    taken = moves.filter(properties__to="onboarding")  # approved, or taken back after churning
    declined = set(declined.values_list("partner_id", flat=True))
    approved = set(taken.values_list("partner_id", flat=True))
    Partner.objects.filter(
        pk__in=declined - approved, status="churned", activated_at__isnull=True
    ).update(joined_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0017_day_area_mask_and_user_set"),
        ("partners", "0005_joined_at_is_the_approval"),
    ]

    operations = [
        migrations.RunPython(turned_down_have_not_joined, migrations.RunPython.noop, elidable=True),
    ]
