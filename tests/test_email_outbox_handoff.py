"""Upgrading hands the unsent rows of the two old email outboxes (``deals.DealNotice``,
``incentives.MdfEmail``) to the one outbox (``kernel.OutboundEmail``): each is copied, rendered as
the old sender would have, and removed from the old table, so an old worker finds nothing left
to send; sent rows stay as history."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from deals.models import DealNotice
from deals.tests.factories import make_deal
from incentives.models import MdfEmail
from incentives.tests.factories import mdf_request
from kernel.models import OutboundEmail
from kernel.tasks import send_due_emails

BEFORE = [
    ("deals", "0002_notice_delivery"),
    ("incentives", "0004_mdf_request_withdrawn"),
    ("kernel", "0001_outbound_email"),
]
AFTER = [
    ("deals", "0003_move_unsent_notices_to_outbox"),
    ("incentives", "0005_move_unsent_mdf_emails_to_outbox"),
    ("kernel", "0002_outbound_email_html"),  # back to today's outbox table (the HTML part)
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_upgrading_moves_unsent_deal_and_mdf_emails_into_the_outbox_and_keeps_sent_history(
    world,
):
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    request = mdf_request(world=world)
    OutboundEmail.objects.all().delete()  # as before the upgrade: only the old tables had them
    mail.outbox.clear()
    unsent = DealNotice.objects.create(
        deal=deal,
        kind="submitted",
        recipients=["owner@vendor.example"],
        subject="[PRM] New deal registration to review: Globex Corporation",
        body="Please review it.",
    )
    DealNotice.objects.create(
        deal=deal, kind="approved", recipients=["x@example.com"], sent_at=timezone.now()
    )
    MdfEmail.objects.create(request=request, kind="requested")
    MdfEmail.objects.create(request=request, kind="approved", sent_at=timezone.now())

    migrate(BEFORE)
    migrate(AFTER)

    emails = {e.key: e for e in OutboundEmail.objects.all()}
    assert set(emails) == {
        f"deals.notice:{deal.pk}:submitted:",
        f"incentives.mdf:{request.pk}:requested",
    }
    notice = emails[f"deals.notice:{deal.pk}:submitted:"]
    assert (notice.to, notice.subject, notice.body) == (
        unsent.recipients,
        unsent.subject,
        unsent.body,
    )
    mdf = emails[f"incentives.mdf:{request.pk}:requested"]
    assert mdf.to == ["owner@vendor.example"]
    assert mdf.subject.startswith("[PRM] Marketing funds requested: ")
    assert "requests 1000.00" in mdf.body and f"/mdf/{request.pk}" in mdf.body
    # the old tables keep only what was sent
    assert list(DealNotice.objects.values_list("kind", flat=True)) == ["approved"]
    assert list(MdfEmail.objects.values_list("kind", flat=True)) == ["approved"]

    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert send_due_emails() == 2 and len(mail.outbox) == 2
