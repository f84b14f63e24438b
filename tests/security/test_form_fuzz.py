"""Bad input on every HTML form (RELIABILITY.md C3): hypothesis posts generated bodies to every
route the access sweep declares as accepting a POST, as a persona allowed to use it. Never a
server error; a request answered 4xx changes no stored row.

Query strings too (issue 16, items 9-11): every page with a GET is requested with each of
``NASTY`` in every field its page names and in the usual list parameters (extreme dates with
and without offsets, digits that ``str.isdigit()`` accepts and ``int()`` refuses, a slash where
a code goes), then with hypothesis-generated query strings."""

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
# Values that broke a page once (issue 16): each is sent in every field of every page.
NASTY = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "²",  # str.isdigit() is true, int() refuses it
    "٣",  # an Arabic-Indic three: int() reads 3
    "9" * 5000,  # beyond int()'s 4,300 digits
    "ab/cd",  # a slash where a URL segment is built from the value
    "-1",
    "1e309",
]
# The ones that broke pages through their query string (items 9-11), for the page sweep.
NASTY_QUERY = ["9999-12-31", "0001-01-01T00:00:00+05:00", "²", "9" * 5000, "ab/cd"]
# Query parameters the list pages read without naming them in a form.
QUERY_NAMES = ["page", "partner", "program", "scope", "status", "code", "since", "until", "q"]
junk_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "x" * 5000,
            "99999999999999999999",
            "NaN",
            "2026-13-45",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\u202e\ufeff",
            *NASTY,
        ]
    ),
)
junk_value = st.one_of(junk_text, st.lists(junk_text, max_size=3))


INPUT = re.compile(r"<input\b[^>]*>")


def field_names(page) -> tuple[set[str], set[str]]:
    """(every field name on the page, the names of its date inputs)."""
    if page.status_code != 200 or getattr(page, "streaming", False):
        return set(), set()
    html = page.content.decode(errors="replace")
    dates = {
        name for tag in INPUT.findall(html) if 'type="date"' in tag for name in NAME.findall(tag)
    }
    return set(NAME.findall(html)) - {"csrfmiddlewaretoken"}, dates


def page_targets():
    """(route key, persona) for every non-admin, non-API route with a GET, as the first persona
    the registry lets see it."""
    targets = []
    for info in iter_routes():
        route = routes.expectation_for(info)
        if route is None or route.get is None or info.is_api or "get" not in info.methods:
            continue
        if info.pattern.startswith("admin/") or info.key in NOT_FORMS:
            continue
        for persona in SWEEP_PERSONAS:
            if route.get[persona] not in (LOGIN, ADMIN_LOGIN, 403, 404, 405):
                targets.append((info.key, persona))
                break
    return targets


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


@pytest.mark.django_db
def test_nasty_query_strings_never_cause_a_server_error_on_any_page(sweep):
    """Every page, each of NASTY_QUERY in each field its page names (and QUERY_NAMES)."""
    world, objects = sweep
    infos = {info.key: info for info in iter_routes()}
    failures = []
    requests = 0
    for key, persona in page_targets():
        info = infos[key]
        url = build_url(info, routes.expectation_for(info), objects)
        client = Client(raise_request_exception=False)  # a page may end the session
        if world.users[persona] is not None:
            client.force_login(world.users[persona])
        names, dates = field_names(client.get(url))
        names = sorted(names | set(QUERY_NAMES))
        queries = [  # each field gets each value once
            {name: NASTY_QUERY[(turn + n) % len(NASTY_QUERY)] for n, name in enumerate(names)}
            for turn in range(len(NASTY_QUERY))
        ]
        # A filter form with one bad field ignores them all: each date input alone, too.
        queries += [{name: day} for name in sorted(dates) for day in ("9999-12-31", "0001-01-01")]
        for query in queries:
            cache.clear()
            sid = transaction.savepoint()
            try:
                response = client.get(url, query)
                requests += 1
                if response.status_code >= 500:
                    values = sorted({value[:12] for value in query.values()})
                    failures.append((key, persona, response.status_code, values))
            finally:
                transaction.savepoint_rollback(sid)
    assert requests > 400
    assert not failures, failures
