"""Who may ingest which events: PRM's own namespaces are reserved for every token, and a partner's
token writes nothing unless the vendor allows it (``PRM_INGEST_PARTNER_EVENTS``). The adoption
score, tiers and at-risk read these events, so a partner must not be able to feed them itself."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from events.choices import PRM_NAMESPACES, EventKind
from events.models import Event
from events.services import record_events
from metrics.definitions import adoption_score_for_partner, area_of
from metrics.tests.helpers import event, roll
from tests.api.helpers import bearer, token_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/"
TODAY = date(2026, 3, 15)
NOW = datetime(2026, 3, 15, 18, 0, tzinfo=UTC)
# The kinds of the report (issue 16): each in a namespace PRM records itself, none a kind it does.
FORGED = ["deal.viewed_pipeline", "course.browsed", "resource.opened", "partner.pinged"]


def post(client, headers, events):
    return client.post(URL, {"events": events}, content_type="application/json", **headers)


def item(n, kind, partner, day=TODAY):
    return {
        "id": f"e-{kind}-{n}",
        "kind": kind,
        "partner": partner.pk,
        "occurred_at": f"{day.isoformat()}T12:00:00Z",
    }


def test_the_reserved_namespaces_are_every_namespace_prm_records():
    assert {kind.split(".")[0] for kind in EventKind.values} == PRM_NAMESPACES
    assert {"deal", "course", "resource", "partner", "auth", "customer"} <= PRM_NAMESPACES


def test_any_kind_in_a_namespace_prm_records_is_refused_per_item_even_for_vendor_staff(
    client, world
):
    vendor = bearer(token_for(world.users["vendor_admin"]))
    kinds = FORGED + [f"{namespace}.made_up" for namespace in sorted(PRM_NAMESPACES)]
    events = [item(n, kind, world.partner_a) for n, kind in enumerate(kinds)]
    events.append(item(0, "product.used", world.partner_a))
    response = post(client, vendor, events)
    assert response.status_code == 200
    body = response.json()
    assert (body["stored"], body["rejected"]) == (1, len(kinds))
    for result, kind in zip(body["items"], kinds, strict=False):
        namespace = kind.split(".")[0]
        assert result["errors"] == {
            "kind": [
                f"The namespace '{namespace}.' is reserved for events recorded by PRM itself; "
                "use a namespace of your own (e.g. 'product.used')."
            ]
        }
    assert list(Event.objects.values_list("kind", flat=True)) == ["product.used"]


def test_a_partner_token_cannot_send_events_unless_the_vendor_allows_it(client, world):
    headers = bearer(token_for(world.users["partner_a_admin"]))
    response = post(client, headers, [item(1, "product.used", world.partner_a)])
    assert response.status_code == 403
    assert "PRM_INGEST_PARTNER_EVENTS" in response.json()["detail"]
    assert not Event.objects.exists()
    with override_settings(PRM_INGEST_PARTNER_EVENTS=True):
        response = post(client, headers, [item(1, "product.used", world.partner_a)])
    assert response.status_code == 200 and response.json()["stored"] == 1


@override_settings(PRM_INGEST_PARTNER_EVENTS=True)
def test_a_partner_cannot_raise_its_own_adoption_score_through_ingestion(client, world):
    a = world.partner_a
    with time_machine.travel(NOW, tick=False):
        record_events([event("auth.login", "1", partner=a, day=TODAY)])
        roll()
        before = adoption_score_for_partner(partner_id=a.pk)
        headers = bearer(token_for(world.users["partner_a_admin"]))
        forged = [item(n, kind, a, TODAY - timedelta(days=n)) for n in range(12) for kind in FORGED]
        body = post(client, headers, forged).json()
        roll()
        after = adoption_score_for_partner(partner_id=a.pk)
    assert body["stored"] == 0 and body["rejected"] == len(forged)
    assert (after.score, after.areas, after.active_days) == (
        before.score,
        before.areas,
        before.active_days,
    )


@given(st.from_regex(r"[a-z][a-z0-9_]{0,20}\.[a-z][a-z0-9_]{0,20}", fullmatch=True))
def test_no_kind_outside_prms_namespaces_has_a_feature_area(kind):
    """Ingestion can reach frequency (active days) but never breadth: every feature area is made
    of reserved namespaces only."""
    if kind.split(".")[0] not in PRM_NAMESPACES:
        assert area_of(kind) is None
        assert area_of(kind, {"marketing_asset": True}) is None


def test_the_ingestion_service_itself_refuses_a_partner_unless_the_vendor_allows_it(world):
    from ingestion.services import IngestionRefused, events_ingest

    shaped = [{"id": "s-1", "kind": "product.used", "partner": world.partner_a.pk}]
    with pytest.raises(IngestionRefused, match="PRM_INGEST_PARTNER_EVENTS"):
        events_ingest(user=world.users["partner_a_admin"], items=shaped)
    assert not Event.objects.exists()
    with override_settings(PRM_INGEST_PARTNER_EVENTS=True):
        result = events_ingest(user=world.users["partner_a_admin"], items=shaped)
    assert result.stored == 1


def test_vendor_staff_report_product_usage_per_offering_and_a_partner_never_can(client, world):
    """``offering.used`` is in a namespace PRM owns but PRM never records it: the vendor's systems
    report it (the default offering rule counts it), so vendor tokens may send it and partner
    tokens may not, even when partners may send their own events."""
    usage = {**item(1, "offering.used", world.partner_a), "properties": {"offering": "core"}}
    vendor = bearer(token_for(world.users["vendor_admin"]))
    body = post(client, vendor, [usage]).json()
    assert (body["stored"], body["rejected"]) == (1, 0)
    partner = bearer(token_for(world.users["partner_a_admin"]))
    with override_settings(PRM_INGEST_PARTNER_EVENTS=True):
        body = post(client, partner, [{**usage, "id": "mine"}]).json()
    assert body["rejected"] == 1
    assert body["items"][0]["errors"] == {
        "kind": [
            "'offering.used' is reported by the vendor's own systems: only vendor staff's "
            "tokens may send it."
        ]
    }
    assert list(Event.objects.values_list("kind", flat=True)) == ["offering.used"]
