"""Hand unsent deal notices to the one outbox (kernel.OutboundEmail): copy each (already rendered),
then delete it here, so a worker still running the old code finds nothing left to send. Sent
notices stay in ``deals_dealnotice`` as history; nothing writes that table any more."""

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    DealNotice = apps.get_model("deals", "DealNotice")
    OutboundEmail = apps.get_model("kernel", "OutboundEmail")
    now = timezone.now()
    unsent = DealNotice.objects.filter(sent_at__isnull=True)
    for notice in unsent.iterator():
        key = f"deals.notice:{notice.deal_id}:{notice.kind}:{notice.key}"
        OutboundEmail.objects.get_or_create(
            key=key,
            defaults={
                "template": f"deals_{notice.kind}",
                "to": notice.recipients,
                "subject": notice.subject,
                "body": notice.body,
                "created_at": notice.created_at,
                "next_attempt_at": now,
            },
        )
    unsent.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0002_notice_delivery"),
        ("kernel", "0001_outbound_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
