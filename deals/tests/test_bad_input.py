"""Junk sent to every deal form and route gets a 4xx (or a page with a message), never a 500, and
loses nothing already saved."""

import pytest
from django.urls import reverse

from deals import services
from deals.models import Deal, DealExtensionRequest, DealLineItem
from deals.tests.factories import make_deal

pytestmark = pytest.mark.django_db

JUNK = [
    {},
    {"customer_name": "x" * 5000, "customer_domain": "\x00bad", "currency": "€€€"},
    {"lines-TOTAL_FORMS": "100000", "lines-INITIAL_FORMS": "0", "lines-MAX_NUM_FORMS": "50"},
    {"lines-TOTAL_FORMS": "-1", "lines-INITIAL_FORMS": "-5"},
    {"final_amount": "1e400", "days": "99999999999999999999", "reason": "\u202e" * 3000},
    {"final_amount": "NaN", "decision": ["grant", "decline"], "note": "x" * 10_000},
    {"shared_with": ["abc", "-1", "99999999999999999999"], "expected_close_date": "31/31/31"},
    {"amount_min": "inf", "partner": "'; DROP TABLE x; --", "status": ["won", "lost"]},
]


@pytest.fixture
def routes(world):
    draft = make_deal(user=world.users["partner_a_user"], customer_domain="draft.example")
    approved = make_deal(user=world.users["partner_a_user"], submit=True)
    services.deal_approve(deal=approved, actor=world.users["manager_owner"])
    ext = services.deal_extension_request(
        deal=approved, actor=world.users["partner_a_user"], days=5, reason="board"
    )
    submitted = make_deal(
        user=world.users["partner_b_admin"], submit=True, customer_domain="other.example"
    )
    return [
        ("partner_a_user", reverse("deals:create")),
        ("partner_a_user", reverse("deals:edit", args=[draft.pk])),
        ("partner_a_user", reverse("deals:won", args=[approved.pk])),
        ("partner_a_user", reverse("deals:lost", args=[approved.pk])),
        ("partner_a_user", reverse("deals:extension", args=[approved.pk])),
        ("manager_owner", reverse("deals:approve", args=[submitted.pk])),
        ("manager_owner", reverse("deals:reject", args=[submitted.pk])),
        ("manager_owner", reverse("deals:extension_decide", args=[approved.pk, ext.pk])),
    ]


def snapshot():
    return (
        list(Deal.objects.order_by("pk").values_list("pk", "status", "customer_name", "amount")),
        DealLineItem.objects.count(),
        list(DealExtensionRequest.objects.values_list("pk", "status")),
    )


@pytest.mark.parametrize("payload", JUNK)
def test_junk_on_every_deal_form_never_causes_a_server_error(client_as, routes, payload):
    before = snapshot()
    for persona, url in routes:
        response = client_as(persona).post(url, payload)
        assert response.status_code < 500, (persona, url, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize("payload", JUNK)
def test_junk_filters_never_cause_a_server_error(client_as, world, payload):
    for persona, name in [
        ("partner_a_user", "deals:list"),
        ("partner_a_user", "deals:export"),
        ("manager_owner", "deals:manager_list"),
        ("manager_owner", "deals:manager_export"),
    ]:
        response = client_as(persona).get(reverse(name), payload)
        assert response.status_code == 200, (persona, name)
        if response.streaming:
            b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "path",
    [
        "/portal/deals/99999999999999999999/",
        "/portal/deals/99999999999999999999/won/",
        "/manage/deals/99999999999999999999/",
        "/manage/deals/1/extensions/99999999999999999999/",
        "/portal/deals/abc/",
    ],
)
def test_malformed_ids_in_deal_urls_are_404(client_as, world, path):
    make_deal(user=world.users["partner_a_user"], submit=True)
    # 404 for a missing object; 405 where the route exists but takes only GET or only POST
    assert client_as("manager_owner").get(path).status_code in {404, 405}
    assert client_as("partner_a_admin").post(path, {"final_amount": "1"}).status_code in {404, 405}
    assert client_as("manager_owner").post(path, {"decision": "grant"}).status_code in {404, 405}


def test_actions_on_missing_deals_are_404(client_as, world):
    huge = 99999999999999999999
    assert (
        client_as("partner_a_admin")
        .post(f"/portal/deals/{huge}/won/", {"final_amount": "1"})
        .status_code
        == 404
    )
    assert client_as("manager_owner").post(f"/manage/deals/{huge}/approve/", {}).status_code == 404
