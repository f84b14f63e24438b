"""Plan and review events reach webhook endpoints subscribed to them (issue 21): a held review is
delivered, signed, with its declared payload; an endpoint not subscribed gets nothing."""

import json

import pytest

from plans import services as plan_services
from plans.tests.test_reviews import _review
from webhooks import services, signing
from webhooks.choices import KIND_TO_TYPE, DeliveryStatus
from webhooks.models import WebhookDelivery
from webhooks.tests.server import Receiver, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the test server listens on loopback
    settings.PRM_WEBHOOK_BACKOFF_BASE_SECONDS = 0
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 5
    receiver = Receiver()
    server = start(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


def test_every_plan_and_review_kind_is_deliverable():
    for kind in ("plan.created", "plan.submitted", "plan.approved", "plan.revised",
                 "plan.sent_back", "plan.goal_changed", "qbr.scheduled", "qbr.rescheduled",
                 "qbr.held", "qbr.cancelled", "qbr.action_added", "qbr.action_converted"):  # fmt: skip
        assert KIND_TO_TYPE[kind] == kind


def test_a_held_review_is_delivered_with_its_payload(
    world, receiver, django_capture_on_commit_callbacks
):
    issued = services.endpoint_create(url=receiver.url, event_types=["qbr.held"])
    services.endpoint_create(url=receiver.url + "/other", event_types=["deal.won"])
    with django_capture_on_commit_callbacks(execute=True):
        review = _review(world)
        plan_services.review_hold(actor=world.users["manager_owner"], review=review)
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert signing.verify(secret=issued.secret, header=received.headers["prm-signature"],
                          body=received.body)  # fmt: skip
    body = json.loads(received.body)
    assert body["type"] == "qbr.held"
    assert body["data"]["partner_id"] == world.partner_a.pk and body["data"]["kind"] == "qbr.held"
    properties = body["data"]["properties"]
    assert properties["qbr"] == review.pk and properties["plan"] is None
    assert properties["snapshot_at"]
    assert body["data"]["subject"]["id"] == str(review.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.event_type == "qbr.held"
