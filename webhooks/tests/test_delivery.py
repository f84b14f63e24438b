"""Deliveries against a real local HTTP server: signed bodies, retries with backoff by Celery,
every attempt logged, endpoints disabled after failing in a row, SSRF refusals."""

import hashlib
import hmac
import json

import pytest
from django.core import mail

from accounts.tests.factories import VendorAdminFactory
from deals.tests.factories import make_deal
from events.services import record_event
from events.tests.payloads import payload
from kernel.models import OutboundEmail
from webhooks import services, signing
from webhooks.choices import DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.tests.server import Receiver, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def hook_settings(settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the test server listens on loopback
    settings.PRM_WEBHOOK_BACKOFF_BASE_SECONDS = 0  # eager Celery retries at once
    settings.PRM_WEBHOOK_MAX_ATTEMPTS = 4
    settings.PRM_WEBHOOK_DISABLE_AFTER_FAILURES = 6
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def receiver(hook_settings):
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


def endpoint_for(receiver, types=("deal.submitted",)):
    return services.endpoint_create(url=receiver.url, event_types=list(types))


def independent_signature_ok(secret: str, received) -> bool:
    """The receiver's check, written from the documentation (not with our signing module)."""
    parts = dict(p.split("=", 1) for p in received.headers["prm-signature"].split(","))
    signed = parts["t"].encode() + b"." + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_a_submitted_deal_is_delivered_signed_and_retried_until_it_succeeds(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 503, 200]
    issued = endpoint_for(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        deal = make_deal(user=world.users["partner_a_admin"], submit=True)
    assert len(receiver.requests) == 3
    for received in receiver.requests:
        assert received.path == "/hooks/prm"
        assert independent_signature_ok(issued.secret, received)
        assert signing.verify(
            secret=issued.secret, header=received.headers["prm-signature"], body=received.body
        )
        assert not independent_signature_ok("whsec_wrong", received)
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "deal.submitted" and body["data"]["properties"]["deal"] == deal.pk
    assert {r.body for r in receiver.requests} == {receiver.requests[0].body}  # same event id
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 3)
    log = list(delivery.log.values_list("number", "status_code", "response_excerpt"))
    assert log == [(1, 500, "answer 500"), (2, 503, "answer 503"), (3, 200, "answer 200")]
    issued.endpoint.refresh_from_db()
    assert issued.endpoint.consecutive_failures == 0


def test_a_delivery_gives_up_after_the_cap_and_a_failing_endpoint_is_disabled_with_a_notice(
    world, receiver, hook_settings, django_capture_on_commit_callbacks
):
    VendorAdminFactory(email="ops@vendor.example")
    receiver.statuses = [500]
    issued = endpoint_for(receiver, types=["deal.submitted", "deal.approved"])
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)
    first = WebhookDelivery.objects.get()
    assert (first.status, first.attempts) == (DeliveryStatus.FAILED, 4)  # the cap
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)
    endpoint = issued.endpoint
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "6 failed attempts in a row" in endpoint.disabled_reason
    assert len(receiver.requests) == 6  # disabled mid-way: the rest is not sent
    [notice] = [m for m in mail.outbox if "webhook" in m.subject]
    assert "ops@vendor.example" in notice.to and receiver.url in notice.body
    assert notice.subject == "[PRM] A webhook endpoint was disabled"
    assert OutboundEmail.objects.get(key__startswith="webhooks.endpoint_disabled:").status == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)
    assert len(receiver.requests) == 6  # a disabled endpoint gets no new deliveries


def test_a_redirect_is_logged_as_a_failure_and_never_followed(
    world, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [302, 200]
    endpoint_for(receiver)
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)
    assert [r.path for r in receiver.requests] == ["/hooks/prm", "/hooks/prm"]
    codes = list(WebhookDelivery.objects.get().log.values_list("status_code", flat=True))
    assert codes == [302, 200]


def test_an_event_recorded_twice_is_delivered_once_and_only_to_subscribers(
    world, receiver, django_capture_on_commit_callbacks
):
    subscribed = endpoint_for(receiver, types=["partner.activated"])
    endpoint_for(receiver, types=["deal.won"])  # not subscribed to activation
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            record_event(
                kind="partner.activated",
                key="activated:x",
                partner=world.partner_a,
                properties=payload("partner.activated"),
            )
        record_event(
            kind="lesson.viewed",
            key="lesson:x",
            partner=world.partner_a,
            properties=payload("lesson.viewed"),
        )
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [
        subscribed.endpoint.pk
    ]
    assert len(receiver.requests) == 1


def test_a_test_delivery_reaches_a_disabled_endpoint(
    world, receiver, django_capture_on_commit_callbacks
):
    issued = endpoint_for(receiver)
    services.endpoint_update(endpoint=issued.endpoint, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_send_test(endpoint=issued.endpoint)
    [received] = receiver.requests
    assert json.loads(received.body)["type"] == "webhook.test"


def test_unsafe_urls_are_refused_with_a_reason(settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    for url, reason in [
        ("ftp://example.com/x", "http"),
        ("file:///etc/passwd", "http"),
        ("https://user:pw@example.com/", "credentials"),
        ("http://127.0.0.1:8000/", "private"),
        ("http://localhost/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "private"),
        ("http://[::1]/", "private"),
    ]:
        with pytest.raises(services.WebhookError, match=reason):
            services.endpoint_create(url=url, event_types=["deal.won"])


def test_a_private_address_is_refused_at_delivery_time_too(
    world, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint_for(receiver)  # registered while private networks were allowed
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    with django_capture_on_commit_callbacks(execute=True):
        make_deal(user=world.users["partner_a_admin"], submit=True)
    assert receiver.requests == []
    errors = set(WebhookDelivery.objects.get().log.values_list("error", flat=True))
    assert all("private" in e for e in errors) and errors


def test_a_signature_older_than_the_tolerance_or_over_another_body_fails():
    header = signing.sign(secret="s", body=b"{}", timestamp=1_000_000)
    assert signing.verify(secret="s", header=header, body=b"{}", now=1_000_100)
    assert not signing.verify(secret="s", header=header, body=b"{}", now=1_000_400)
    assert not signing.verify(secret="s", header=header, body=b'{"a":1}', now=1_000_100)
    assert not signing.verify(secret="s", header="garbage", body=b"{}")
