from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from events.choices import EventKind
from events.services import record_event
from kernel.models import OutboundEmail
from kernel.outbox import email_queue
from notifications import services
from notifications.choices import APPLICATION_NEW, PARTNER_AT_RISK, Channel
from notifications.models import DigestRun, Notification, Preference
from onboarding import services as onboarding_services
from partners.tests.factories import PartnerFactory, PartnerTypeFactory


def _email(user, key="test.notice:1", template="partner_message", subject="Hello there"):
    return email_queue(
        key=key,
        to=[user.email],
        subject=subject,
        template=template,
        context={
            "recipient_name": "Ada",
            "partner_name": "Alpha",
            "sender_name": "Vera",
            "body": f"Visit {settings.SITE_URL.rstrip('/')}/portal/ please",
        },
    )


def test_an_email_queued_for_a_user_appears_as_a_notification(world):
    user = world.users["partner_a_admin"]
    row = _email(user)
    assert row is not None and row.to == [user.email]  # the email still goes out (default both)
    notice = Notification.objects.get(user=user)
    assert (notice.kind, notice.key, notice.title) == ("partner_message", row.key, "Hello there")
    assert notice.read_at is None and not notice.digest
    # queuing the same key again adds nothing
    _email(user)
    assert Notification.objects.filter(user=user).count() == 1


def test_an_address_of_nobody_gets_the_email_and_no_notice(db):
    row = email_queue(
        key="t:2",
        to=["stranger@nowhere.example"],
        subject="Hi",
        template="partner_message",
        context={"partner": {"name": "A"}},
    )
    assert row is not None and not Notification.objects.exists()


def test_a_secret_email_is_never_a_notice_nor_suppressed(world):
    user = world.users["partner_a_admin"]
    Preference.objects.create(user=user, kind="partner_message", channel=Channel.NONE)
    row = email_queue(
        key="t:secret",
        to=[user.email],
        subject="Set your password",
        template="partner_message",
        context={"partner": {"name": "A"}},
        secret=True,
    )
    assert row is not None and not Notification.objects.exists()


@pytest.mark.parametrize("channel", [Channel.IN_APP, Channel.DIGEST])
def test_in_app_only_or_digest_stops_the_email_but_keeps_the_notice(world, channel):
    user = world.users["partner_a_admin"]
    Preference.objects.create(user=user, kind="partner_message", channel=channel)
    assert _email(user) is None
    assert not OutboundEmail.objects.exists()
    notice = Notification.objects.get(user=user)
    assert notice.digest is (channel == Channel.DIGEST)


def test_none_stops_both_and_email_only_stops_the_notice(world):
    off, email_only = world.users["partner_a_admin"], world.users["partner_a_user"]
    Preference.objects.create(user=off, kind="partner_message", channel=Channel.NONE)
    Preference.objects.create(user=email_only, kind="partner_message", channel=Channel.EMAIL)
    row = email_queue(
        key="t:3",
        to=[off.email, email_only.email],
        subject="Hi",
        template="partner_message",
        context={"partner": {"name": "A"}},
    )
    assert row.to == [email_only.email]  # the other one is left off
    assert not Notification.objects.exists()


def test_a_failing_hook_sends_to_everyone_and_keeps_the_writer(world, monkeypatch):
    from notifications import hooks

    def boom(self, emails):
        raise RuntimeError("down")

    monkeypatch.setattr(hooks.NotificationsHook, "emails_queued", boom)
    user = world.users["partner_a_admin"]
    Preference.objects.create(user=user, kind="partner_message", channel=Channel.NONE)
    row = _email(user)
    assert row is not None and row.to == [user.email]


def test_bell_count_list_mark_read_and_mark_all(world, client_as, django_assert_max_num_queries):
    user = world.users["partner_a_admin"]
    for i in range(3):
        _email(user, key=f"t:{i}", subject=f"Notice {i}")
    _email(world.users["partner_b_admin"], key="t:b", subject="Not yours")
    client = client_as("partner_a_admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("notifications:list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Notifications, 3 unread" in html and "Not yours" not in html
    first = Notification.objects.filter(user=user).order_by("pk").first()
    assert first.link == "/portal/"
    response = client.post(reverse("notifications:read", args=[first.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert "Notifications, 2 unread" in client.get(reverse("notifications:list")).content.decode()
    # someone else's notice: 404, and it stays unread
    theirs = Notification.objects.get(user=world.users["partner_b_admin"])
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(reverse("notifications:read_all")).status_code == 302
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1  # B's untouched
    assert "Notifications, " not in client.get(reverse("notifications:list")).content.decode()


def test_the_list_page_holds_its_queries_whatever_the_count(
    world, client_as, django_assert_max_num_queries
):
    user = world.users["manager_owner"]
    Notification.objects.bulk_create(
        Notification(user=user, kind="deals_submitted", key=f"k{i}", title=f"T{i}")
        for i in range(60)
    )
    client = client_as("manager_owner")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:list")).status_code == 200


def test_preferences_page_saves_and_refuses_bad_input(world, client_as):
    client = client_as("partner_a_user")
    url = reverse("notifications:preferences")
    page = client.get(url)
    assert page.status_code == 200 and "Deal approved" in page.content.decode()
    form = dict.fromkeys(page.context["form"].fields, Channel.BOTH)
    form["deals_approved"] = Channel.DIGEST
    assert client.post(url, form).status_code == 302
    user = world.users["partner_a_user"]
    assert Preference.objects.get(user=user, kind="deals_approved").channel == Channel.DIGEST
    form["deals_approved"] = "carrier-pigeon"
    assert client.post(url, form).status_code == 400
    assert Preference.objects.get(user=user, kind="deals_approved").channel == Channel.DIGEST


def _submit_application():
    return onboarding_services.application_submit(
        company_name="Newco",
        website="https://newco.example",
        country="DE",
        partner_type=PartnerTypeFactory(),
        contact_name="Nia New",
        contact_email="nia@newco.example",
        sells="Things",
        heard_from="event",
    )


def test_a_new_application_notifies_vendor_staff_in_app(world, django_capture_on_commit_callbacks):
    inactive = ChannelManagerFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        application = _submit_application()
    staff = [world.users[p] for p in ("manager_owner", "manager_other", "vendor_admin")]
    for user in staff:
        notice = Notification.objects.get(user=user, kind=APPLICATION_NEW)
        assert notice.link == reverse("onboarding:application", args=[application.pk])
    assert not Notification.objects.filter(user=inactive).exists()
    assert not Notification.objects.filter(
        user=world.users["partner_a_admin"], kind=APPLICATION_NEW
    ).exists()
    # staff notices stay in-app by default: no email to staff, the applicant's receipt only
    assert [m.to for m in mail.outbox] == [["nia@newco.example"]]


def test_a_manager_who_asks_for_email_gets_the_staff_notice_by_email(
    world, django_capture_on_commit_callbacks
):
    manager = world.users["manager_other"]
    Preference.objects.create(user=manager, kind=APPLICATION_NEW, channel=Channel.BOTH)
    with django_capture_on_commit_callbacks(execute=True):
        _submit_application()
    assert [manager.email] in [m.to for m in mail.outbox]


def test_an_unowned_partner_at_risk_notifies_the_vendor_admins(world):
    partner = PartnerFactory(owner=None)
    owned = world.partner_a
    for p in (partner, owned):
        record_event(
            kind=EventKind.PARTNER_STALLED,
            key=f"onboarding.stalled:test:{p.pk}",
            partner=p,
            properties={"reason": "No progress for 14 days"},
        )
    admin = world.users["vendor_admin"]
    notice = Notification.objects.get(user=admin, kind=PARTNER_AT_RISK)
    assert partner.name in notice.title
    assert notice.link == reverse("partners:manager_partner", args=[partner.pk])
    assert Notification.objects.filter(kind=PARTNER_AT_RISK).count() == 1  # owned: owner's email
    assert not Notification.objects.filter(user=world.users["manager_owner"]).exists()


def test_the_daily_digest_gathers_the_days_notices_once(world, django_capture_on_commit_callbacks):
    user = world.users["partner_a_admin"]
    user.time_zone = "Europe/Berlin"
    user.save(update_fields=["time_zone"])
    Preference.objects.create(user=user, kind="partner_message", channel=Channel.DIGEST)
    for i in range(2):
        _email(user, key=f"d:{i}", subject=f"Digest item {i}")
    morning = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)  # 10:00 in Berlin: not yet
    evening = datetime(2030, 5, 6, 16, 30, tzinfo=UTC)  # 18:30 in Berlin
    Notification.objects.update(created_at=datetime(2030, 5, 6, 7, 0, tzinfo=UTC))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=morning) == 0
        assert services.digests_send(now=evening) == 1
        assert services.digests_send(now=evening) == 0  # idempotent: once a day
    digest = [m for m in mail.outbox if "Digest item 0" in m.body]
    assert len(digest) == 1 and digest[0].to == [user.email] and "Digest item 1" in digest[0].body
    assert DigestRun.objects.get(user=user).day.isoformat() == "2030-05-06"
    assert not Notification.objects.filter(user=user, digested_on__isnull=True).exists()
    assert not Notification.objects.filter(kind="notifications_digest").exists()
    # a notice after today's digest waits for tomorrow's
    _email(user, key="d:late", subject="Late item")
    Notification.objects.filter(key="d:late").update(created_at=evening)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.digests_send(now=evening) == 0
        assert services.digests_send(now=datetime(2030, 5, 7, 16, 0, tzinfo=UTC)) == 1


def test_vendor_admin_sees_only_their_own_notices(world, client_as):
    admin = VendorAdminFactory()
    Notification.objects.create(user=admin, kind="x", key="a", title="Mine alone")
    page = client_as("vendor_admin").get(reverse("notifications:list"))
    assert "Mine alone" not in page.content.decode()


def test_a_staff_notice_set_to_off_is_neither_in_app_nor_emailed(
    world, django_capture_on_commit_callbacks
):
    admin = world.users["vendor_admin"]
    Preference.objects.create(user=admin, kind=APPLICATION_NEW, channel=Channel.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        _submit_application()
    assert not Notification.objects.filter(user=admin).exists()
    assert Notification.objects.filter(user=world.users["manager_owner"]).exists()
    assert [admin.email] not in [m.to for m in mail.outbox]


def test_a_failing_staff_consumer_never_breaks_the_application(world, monkeypatch):
    from events.models import ConsumerMiss
    from notifications import consumers

    def boom(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(consumers, "emails_queue", boom)
    application = _submit_application()
    assert application.pk and not Notification.objects.exists()
    assert ConsumerMiss.objects.filter(consumer="notifications.staff").count() == 1


def test_anonymous_pages_have_no_bell(client, db):
    page = client.get(reverse("account_login"))
    assert page.status_code == 200 and 'id="notification-bell"' not in page.content.decode()
