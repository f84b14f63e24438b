"""A broker (Redis) outage loses no work and answers no 500 (RELIABILITY.md H6, kernel/enqueue.py):
every enqueue site keeps a durable row, a failed enqueue is logged, and the app's periodic sweep
sends the row once the broker is back — once, even if the first message did arrive. The cache
falls back to the database table while Redis is down (kernel/cache.py): logins keep working and
stay rate-limited."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.utils import timezone

from deals.tests.factories import make_deal
from incentives.tests.factories import mdf_request
from kernel import enqueue
from kernel.models import OutboundEmail
from kernel.tasks import send_due_emails
from prm.celery import app
from webhooks import services as webhook_services
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.tasks import deliver_webhook, send_due_deliveries
from webhooks.tests.server import Receiver, start

pytestmark = pytest.mark.django_db
DOWN = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def _reset_pool():
    """Forget the connection and producer pools: the next publish connects to broker_url."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """The real Celery app pointed at a Redis broker that does not answer, not eager."""
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options

    def back():
        """The broker is back (eager, as in every test here: the worker runs the task now)."""
        _reset_pool()
        app.conf.update(
            broker_url=saved[0], task_always_eager=saved[1], broker_transport_options=saved[2]
        )

    _reset_pool()
    app.conf.update(broker_url=DOWN, task_always_eager=False, broker_transport_options={})
    yield back
    back()


def age(model, seconds):
    if model is OutboundEmail:  # the outbox sweeps by the time its attempt was due
        model.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=seconds))
    else:
        model.objects.update(created_at=timezone.now() - timedelta(seconds=seconds))


def deal_emails():
    return OutboundEmail.objects.filter(key__startswith="deals.notice:")


def mdf_emails():
    return OutboundEmail.objects.filter(key__startswith="incentives.mdf:")


def test_send_reports_an_unreachable_broker_instead_of_raising(broker_down, caplog):
    assert enqueue.send(deliver_webhook, 123) is False
    assert "broker unreachable" in caplog.text and "deliver_webhook" in caplog.text


def test_without_an_outage_send_queues_the_task(settings, world):
    # eager here: the task runs (a missing delivery is skipped), and send says it was queued
    assert enqueue.send(deliver_webhook, 0) is True


@pytest.fixture
def receiver(settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 5
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


def test_webhooks_and_deal_emails_of_an_outage_are_sent_once_by_the_sweeps(
    world, receiver, broker_down, django_capture_on_commit_callbacks
):
    webhook_services.endpoint_create(url=receiver.url, event_types=["deal.submitted"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)  # no exception
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, receiver.requests) == ("pending", 0, [])
    assert deal_emails().filter(sent_at__isnull=True).exists() and mail.outbox == []

    assert send_due_deliveries() == 0  # still down: nothing queued, nothing lost
    broker_down()  # the broker is back
    age(WebhookDelivery, 60)
    age(OutboundEmail, 600)
    assert send_due_deliveries() == 1
    assert send_due_emails() >= 1
    sent_mail = len(mail.outbox)
    assert send_due_deliveries() == 0 and send_due_emails() == 0  # nothing twice
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 1)
    assert len(receiver.requests) == 1 and len(mail.outbox) == sent_mail >= 1
    deliver_webhook(delivery.pk)  # a late duplicate message sends nothing
    assert len(receiver.requests) == 1


def test_an_mdf_email_of_an_outage_is_kept_and_sent_once(
    world, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = mdf_request(world=world)
    email = mdf_emails().get(key=f"incentives.mdf:{request.pk}:requested")
    assert email.sent_at is None and mail.outbox == []
    broker_down()  # the broker is back
    assert send_due_emails() == 0  # too recent: its own task may still be on the way
    age(OutboundEmail, 600)
    assert send_due_emails() == 1
    assert send_due_emails() == 0
    assert len(mail.outbox) == 1 and "requested" in mail.outbox[0].subject
    assert mail.outbox[0].to == [world.users["manager_owner"].email]


def test_mdf_emails_are_sent_at_once_when_the_broker_is_up(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mdf_request(world=world)
    assert len(mail.outbox) == 1
    assert not mdf_emails().filter(sent_at__isnull=True).exists()
    assert send_due_emails() == 0


@pytest.fixture
def redis_cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "kernel.cache.FailoverRedisCache",
            "LOCATION": DOWN,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "fallback": settings.CACHES["fallback"],
    }
    import kernel.cache

    kernel.cache._down_until = 0.0
    caches["fallback"].clear()
    yield
    kernel.cache._down_until = 0.0


def test_the_cache_falls_back_to_the_database_table_while_redis_is_down(redis_cache_down, caplog):
    cache = caches["default"]
    assert cache.add("k", 1, 60) is True and cache.add("k", 2, 60) is False
    assert cache.get("k") == 1 and cache.incr("k") == 2
    assert caches["fallback"].get("k") == 2  # kept in the prm_cache table, shared by processes
    assert "Redis unreachable" in caplog.text


def test_login_works_and_stays_rate_limited_while_redis_is_down(redis_cache_down, world):
    user = world.users["partner_a_user"]
    user.set_password("right-password-1")
    user.save()
    right = {"login": user.email, "password": "right-password-1"}
    ok = Client()
    assert ok.post("/accounts/login/", right).status_code == 302
    assert "_auth_user_id" in ok.session
    client = Client()
    wrong = {"login": user.email, "password": "wrong"}
    assert [client.post("/accounts/login/", wrong).status_code for _ in range(5)] == [200] * 5
    refused = client.post("/accounts/login/", right)  # 5 failures: locked even with the right one
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    with connection.cursor() as cursor:  # the counters lived in the shared table
        cursor.execute("SELECT count(*) FROM prm_cache WHERE cache_key LIKE %s", ["%allauth%"])
        assert cursor.fetchone()[0] > 0
