"""The one registry of event kinds and payloads (events.choices.PAYLOADS): every kind is
declared, record_event refuses what does not match it under PRM_EVENTS_STRICT (tests) and only
logs it in production, and the docs' tables are the registry's (docs/events.md)."""

import logging
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from events import catalogue, consumers
from events.choices import PAYLOADS, EventKind, payload_errors
from events.models import Event
from events.services import EventError, record_event

pytestmark = pytest.mark.django_db

TYPES = {"int", "str", "bool", "decimal", "datetime", "list[str]", "null"}


@pytest.fixture
def user():
    return UserFactory()


def test_every_event_kind_declares_its_payload():
    assert set(PAYLOADS) == set(EventKind.values)


def test_every_declared_field_has_a_known_type():
    for kind, fields in PAYLOADS.items():
        for name, spec in fields.items():
            for type_ in spec.rstrip("?").split("|"):
                assert type_ in TYPES, (kind, name)


def test_a_matching_payload_has_no_errors():
    props = {"deal": 1, "amount": "12.50", "currency": "EUR", "offerings": ["edge"]}
    assert payload_errors("deal.won", props) == []


@pytest.mark.parametrize(
    ("kind", "properties", "error"),
    [
        ("deal.wonn", {}, "not a declared event kind"),
        ("deal.won", {"deal": 1, "currency": "EUR", "offerings": []}, "'amount' is missing"),
        (
            "deal.won",
            {"deal": "1", "amount": "1.00", "currency": "EUR", "offerings": []},
            "'deal' must be int, not str",
        ),
        (
            "deal.won",
            {"deal": 1, "amount": 12.5, "currency": "EUR", "offerings": []},
            "'amount' must be decimal",
        ),
        (
            "deal.won",
            {"deal": 1, "amount": "1.00", "currency": "EUR", "offerings": [3]},
            "'offerings' must be list[str]",
        ),
        ("partner.activated", {"days_to_activation": True}, "must be int, not bool"),
        ("partner.activated", {"days_to_activation": 3, "extra": 1}, "'extra' is not a declared"),
        (
            "tier.demotion_warned",
            {"from": "Gold", "to": "Silver", "cause": "warning", "demote_after": "soon"},
            "'demote_after' must be datetime",
        ),
    ],
)
def test_a_payload_that_does_not_match_its_declaration_is_reported(kind, properties, error):
    errors = payload_errors(kind, properties)
    assert any(error in e for e in errors), errors


def test_optional_and_nullable_fields_may_be_absent_or_none():
    assert payload_errors("customer.account_updated", {"is_active": False}) == []
    assert payload_errors("user.joined", {"role": "admin", "invited_by": None, "via": "x"}) == []
    # ``invited_by`` may be None but must be there
    assert payload_errors("user.joined", {"role": "admin", "via": "x"}) != []


def test_ingested_kinds_are_free_form():
    assert payload_errors("crm.meeting_held", {"anything": {"nested": [1, 2.5]}}) == []


def test_recording_an_unknown_prm_kind_fails_under_strict_settings(user):
    with pytest.raises(EventError, match="not a declared event kind"):
        record_event(kind="deal.signed", key="k1", user=user, properties={})
    assert not Event.objects.exists()


def test_recording_a_mismatching_payload_fails_under_strict_settings(user):
    with pytest.raises(EventError, match="'method' must be str"):
        record_event(kind=EventKind.LOGIN, key="k1", user=user, properties={"method": 1})
    assert not Event.objects.exists()


def test_in_production_a_mismatching_payload_is_logged_and_the_event_recorded(
    user, settings, caplog
):
    settings.PRM_EVENTS_STRICT = False
    with caplog.at_level(logging.WARNING, logger="events.services"):
        assert record_event(kind=EventKind.LOGIN, key="k1", user=user, properties={"via": 1})
    assert Event.objects.filter(kind="auth.login").count() == 1
    assert "'method' is missing" in caplog.text
    assert "'via' is not a declared field" in caplog.text


def test_the_catalogue_command_shows_every_kind_its_payload_and_consumers():
    out = StringIO()
    call_command("event_catalogue", stdout=out)
    lines = {line.split(" | ")[0].strip("| `"): line for line in out.getvalue().splitlines()}
    for kind in EventKind:
        line = lines[kind.value]
        assert catalogue.describe_payload(PAYLOADS[kind.value]) in line
        for name in consumers.consumers_of(kind.value):
            assert f"`{name}`" in line
    assert "`deal` int, `amount` decimal" in lines["deal.won"]
    assert "`webhooks.deliveries`" in lines["deal.won"]


@pytest.mark.parametrize("path", sorted(catalogue.DOCS))
def test_the_docs_tables_are_generated_from_the_registry(path):
    """Regenerate with ``manage.py event_catalogue --write`` when this fails."""
    _, render = catalogue.DOCS[path]
    assert catalogue.documented_table(path) == render()
