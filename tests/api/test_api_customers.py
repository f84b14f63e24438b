"""Customer accounts, seat licenses and user adoption over the API: vendor staff write, a
partner's members read their own, another partner's ids are 404; usage ingestion names accounts."""

import pytest

from customers.models import CustomerAccount, SeatLicense
from customers.rollups import adoption_rollup
from customers.tests.factories import account, usage_items
from events.models import Event
from tests.api.helpers import assert_api_matrix, bearer, token_client_as, token_for

pytestmark = pytest.mark.django_db

READ_OWN = {
    "anonymous": 401,
    "partner_a_admin": 200,
    "partner_a_user": 200,
    "partner_b_admin": 404,
    "manager_owner": 200,
    "manager_other": 200,
    "vendor_admin": 200,
}
STAFF_WRITES_OWN = {**READ_OWN, "partner_a_admin": 403, "partner_a_user": 403}


@pytest.fixture
def acme(world):
    return account(world.partner_a, "ACME-1", seats=20)


def test_lists_answer_everyone_signed_in_and_show_partners_only_their_own(world, client, acme):
    account(world.partner_b, "B-SENTINEL", name="Sentinel B Customer", seats=3)
    for url in ("/api/v1/customer-accounts/", "/api/v1/seat-licenses/"):
        assert_api_matrix(token_client_as(world), url, {**READ_OWN, "partner_b_admin": 200})
    a_token = bearer(token_for(world.users["partner_a_user"]))
    body = client.get("/api/v1/customer-accounts/", **a_token).json()
    assert [r["external_id"] for r in body["results"]] == ["ACME-1"]
    assert body["results"][0]["licensed_seats"] == 20
    seats = client.get("/api/v1/seat-licenses/", **a_token).json()["results"]
    assert [s["account"] for s in seats] == [acme.pk]


def test_account_detail_is_404_for_another_partner(world, acme):
    assert_api_matrix(token_client_as(world), f"/api/v1/customer-accounts/{acme.pk}/", READ_OWN)


def test_seat_license_detail_is_404_for_another_partner(world, acme):
    license_ = SeatLicense.objects.get(account=acme)
    assert_api_matrix(token_client_as(world), f"/api/v1/seat-licenses/{license_.pk}/", READ_OWN)


def test_only_vendor_staff_create_accounts_and_a_repeat_is_a_clear_400(world):
    body = {"partner": world.partner_a.pk, "external_id": "NEW-1", "name": "Newco"}
    expected = {
        "anonymous": 401,
        "partner_a_admin": 403,
        "partner_a_user": 403,
        "partner_b_admin": 403,
        "manager_owner": 201,
        "manager_other": lambda r: r.status_code == 400 and "already has" in r.json()["detail"],
        "vendor_admin": 400,
    }
    assert_api_matrix(
        token_client_as(world), "/api/v1/customer-accounts/", expected, method="post", data=body
    )
    assert CustomerAccount.objects.filter(external_id="NEW-1").count() == 1


def test_only_vendor_staff_change_an_account(world, acme):
    url = f"/api/v1/customer-accounts/{acme.pk}/"
    assert_api_matrix(
        token_client_as(world), url, STAFF_WRITES_OWN, method="patch", data={"name": "Acme Corp"}
    )
    acme.refresh_from_db()
    assert acme.name == "Acme Corp"


def test_only_vendor_staff_set_and_remove_seats(world, acme):
    license_ = SeatLicense.objects.get(account=acme)
    make = token_client_as(world)
    assert_api_matrix(
        make,
        f"/api/v1/seat-licenses/{license_.pk}/",
        STAFF_WRITES_OWN,
        method="patch",
        data={"seats": 30},
    )
    set_seats = {
        **STAFF_WRITES_OWN,
        "partner_b_admin": 403,
        "manager_owner": 200,  # the license exists: its number is changed
    }
    assert_api_matrix(
        make,
        "/api/v1/seat-licenses/",
        set_seats,
        method="post",
        data={"account": acme.pk, "seats": 40},
    )
    assert SeatLicense.objects.get(pk=license_.pk).seats == 40
    delete = {**STAFF_WRITES_OWN, "manager_owner": 204, "manager_other": 404, "vendor_admin": 404}
    assert_api_matrix(make, f"/api/v1/seat-licenses/{license_.pk}/", delete, method="delete")
    assert not SeatLicense.objects.exists()


def test_bad_account_input_is_a_400_with_reasons_and_saves_nothing(world, client):
    staff = bearer(token_for(world.users["vendor_admin"]))
    for body, field in [
        ({"partner": 999999, "external_id": "X"}, "partner"),
        ({"partner": world.partner_a.pk, "external_id": " "}, "external_id"),
        ({"partner": world.partner_a.pk}, "external_id"),
    ]:
        response = client.post(
            "/api/v1/customer-accounts/", body, content_type="application/json", **staff
        )
        assert response.status_code == 400 and field in response.json(), body
    response = client.post(
        "/api/v1/seat-licenses/",
        {"account": 1, "seats": -3},
        content_type="application/json",
        **staff,
    )
    assert response.status_code == 400 and "seats" in response.json()
    assert not CustomerAccount.objects.exists()


def test_user_adoption_metric_by_partner_for_staff_and_by_account_for_members(world, client, acme):
    from customers.tests.test_rollups import ingest

    ingest(world, usage_items(world.partner_a, "ACME-1", ["ann", "bob", "cy", "di", "ed"]))
    adoption_rollup()
    url = "/api/v1/metrics/user-adoption/"
    params = {"as_of": "2026-03-01"}
    staff = client.get(url, params, **bearer(token_for(world.users["vendor_admin"]))).json()
    assert (staff["by"], staff["adoption"], staff["rows"][0]["id"]) == (
        "partner",
        25.0,
        world.partner_a.pk,
    )
    mine = client.get(url, params, **bearer(token_for(world.users["partner_a_user"]))).json()
    assert (mine["by"], mine["active_users"], mine["rows"][0]["id"]) == ("account", 5, acme.pk)
    expected = {**READ_OWN, "partner_b_admin": 404}
    assert_api_matrix(token_client_as(world), f"{url}?partner={world.partner_a.pk}", expected)
    assert_api_matrix(token_client_as(world), url, {**READ_OWN, "partner_b_admin": 200})


# --- Ingestion of product usage ----------------------------------------------------------------


def post(client, headers, events):
    return client.post(
        "/api/v1/events/", {"events": events}, content_type="application/json", **headers
    )


def test_usage_naming_an_unknown_or_another_partners_account_is_rejected_per_item(
    world, client, acme
):
    account(world.partner_b, "B-1")
    items = [
        *usage_items(world.partner_a, "ACME-1", ["ann"]),
        usage_items(world.partner_a, "NOPE", ["bob"])[0],
        usage_items(world.partner_a, "B-1", ["cy"])[0],  # B's account named under partner A
        {**usage_items(world.partner_a, "ACME-1", ["di"])[0], "customer_account": None},
    ]
    items[3].pop("customer_account")
    response = post(client, bearer(token_for(world.users["vendor_admin"])), items)
    body = response.json()
    assert response.status_code == 200 and (body["stored"], body["rejected"]) == (1, 3)
    reasons = [list(i["errors"]) for i in body["items"]]
    assert reasons == [[], ["customer_account"], ["customer_account"], ["customer_user"]]
    stored = Event.objects.get(kind="product.used")
    assert stored.subject_id == str(acme.pk) and stored.properties["customer_user"] == "ann"


def test_usage_of_an_inactive_account_is_rejected(world, client, acme):
    CustomerAccount.objects.filter(pk=acme.pk).update(is_active=False)
    body = post(
        client,
        bearer(token_for(world.users["vendor_admin"])),
        usage_items(world.partner_a, "ACME-1", ["ann"]),
    ).json()
    assert body["rejected"] == 1 and "customer_account" in body["items"][0]["errors"]


def test_a_partner_admin_ingests_for_their_own_partner_only(world, client, acme, settings):
    settings.PRM_INGEST_PARTNER_EVENTS = True  # the vendor accepts partners' events
    account(world.partner_b, "B-1")
    headers = bearer(token_for(world.users["partner_a_admin"]))
    own = usage_items(world.partner_a, "ACME-1", ["ann"])
    other = usage_items(world.partner_b, "B-1", ["bea"])
    body = post(client, headers, own + other).json()
    assert (body["stored"], body["rejected"]) == (1, 1)
    assert "partner" in body["items"][1]["errors"]
    assert list(Event.objects.filter(kind="product.used").values_list("partner_id", flat=True)) == [
        world.partner_a.pk
    ]
    user_token = bearer(token_for(world.users["partner_a_user"]))
    assert post(client, user_token, own).status_code == 404
