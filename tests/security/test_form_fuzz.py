"""Bad input on every HTML form (RELIABILITY.md C3): hypothesis posts generated bodies to every
route the access sweep declares as accepting a POST, as a persona allowed to use it. Never a
server error; a request answered 4xx changes no stored row."""

import hashlib
import json
import re

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import routes
from tests.security.sweep import ADMIN_LOGIN, LOGIN, SWEEP_PERSONAS, build_url, iter_routes
from tests.security.world import build_partner_b_user, build_sweep_objects

# Written on every request by design (sessions, rate-limit cache rows, the audit log itself).
VOLATILE = {
    "sessions.session",
    "usersessions.usersession",
    "audit.auditentry",
    "contenttypes.contenttype",
}
# POST routes that need no fuzzing here: logging out changes only the session.
NOT_FORMS = {"account_logout", "admin:logout"}


def form_targets():
    """(route key, persona) for every non-admin, non-API route with a POST, as the first
    persona the registry lets through the door (not a login redirect, 403, 404 or 405)."""
    targets = []
    for info in iter_routes():
        route = routes.expectation_for(info)
        if route is None or route.post is None or info.is_api or info.key in NOT_FORMS:
            continue
        if info.pattern.startswith("admin/"):
            continue
        for persona in SWEEP_PERSONAS:
            expected = route.post[persona]
            if expected not in (LOGIN, ADMIN_LOGIN, 403, 404, 405):
                targets.append((info.key, persona))
                break
    return targets


def snapshot() -> dict:
    result = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE or model._meta.proxy:
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        result[label] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return result


NAME = re.compile(r'name="([^"]+)"')
junk_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "x" * 5000,
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2026-13-45",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202e\ufeff",
        ]
    ),
)
junk_value = st.one_of(junk_text, st.lists(junk_text, max_size=3))


@pytest.fixture
def sweep(world):
    world.users["partner_b_user"] = build_partner_b_user(world)
    return world, build_sweep_objects(world)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "persona"), form_targets())
def test_generated_bodies_never_cause_a_server_error_or_a_partial_write(sweep, key, persona):
    world, objects = sweep
    info = next(i for i in iter_routes() if i.key == key)
    url = build_url(info, routes.expectation_for(info), objects)
    client = Client(raise_request_exception=False)
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    page = client.get(url) if "get" in info.methods else None
    fields = sorted(set(NAME.findall(page.content.decode()))) if page is not None else []
    fields = [f for f in fields if f != "csrfmiddlewaretoken"] or ["name", "email", "reason"]
    baseline = snapshot()

    @settings(
        max_examples=5,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(body=st.dictionaries(st.sampled_from(fields) | st.text(max_size=8), junk_value))
    def check(body):
        cache.clear()
        sid = transaction.savepoint()
        try:
            response = client.post(url, body)
            assert response.status_code < 500, (key, persona, body, response.status_code)
            if 400 <= response.status_code < 500:
                changed = [k for k, v in snapshot().items() if baseline.get(k) != v]
                assert not changed, (key, persona, body, response.status_code, changed)
        finally:
            transaction.savepoint_rollback(sid)

    check()
