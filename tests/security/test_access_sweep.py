"""Access-control sweep (RELIABILITY.md A1-A3, A7): every route the URL resolver knows is
requested as every persona with partner A's objects in the URL, and compared with the one
registry, ``tests/security/routes.py``. A route without a declared expectation fails the inventory
test. Partner B never sees partner A's sentinel and never changes partner A's data."""

import pytest
from django.test import Client

from deals import permissions as deal_permissions
from deals import selectors as deal_selectors
from deals.models import Deal
from tests.security import routes
from tests.security.sweep import SWEEP_PERSONAS, a_fingerprint, build_url, iter_routes, request_once
from tests.security.world import build_partner_b_user, build_sweep_objects


def test_every_route_has_a_declared_access_expectation():
    problems = []
    seen = set()
    for info in iter_routes():
        seen.add(info.key)
        route = routes.expectation_for(info)
        if route is None:
            problems.append(routes.missing_message(info))
            continue
        for method in info.methods + route.methods:
            if getattr(route, method) is None:
                problems.append(
                    f"{info.key} ({info.pattern}, {info.view}) accepts {method.upper()} but "
                    f"declares no {method}= expectation in tests/security/routes.py"
                )
    stale = sorted(set(routes.ROUTES) - seen)
    problems += [f"{key}: declared in tests/security/routes.py but no such route" for key in stale]
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def sweep(world):
    world.users["partner_b_user"] = build_partner_b_user(world)
    return world, build_sweep_objects(world)


def run_sweep(world, objects, persona, *, only=None) -> tuple[int, list[str]]:
    client = Client()
    if world.users[persona] is not None:
        client.force_login(world.users[persona])
    partner_pk = world.partner_a.pk
    baseline = a_fingerprint(partner_pk)
    failures, requested = [], 0
    for info in iter_routes():
        route = routes.expectation_for(info)
        if route is None or (only and info.key not in only):
            continue  # undeclared routes: the inventory test names them
        url = build_url(info, route, objects)
        for method in dict.fromkeys(info.methods + route.methods):
            outcome = request_once(
                client=client,
                persona=persona,
                info=info,
                route=route,
                method=method,
                url=url,
                partner_pk=partner_pk,
                baseline=baseline,
            )
            failures += outcome.failures
            requested += 1
    return requested, failures


@pytest.mark.django_db
@pytest.mark.parametrize("persona", SWEEP_PERSONAS)
def test_every_route_answers_each_persona_as_declared(sweep, persona):
    requested, failures = run_sweep(*sweep, persona)
    assert requested > 300
    assert not failures, f"{len(failures)} of {requested} requests:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_the_sweep_catches_a_planted_cross_partner_leak(sweep, monkeypatch):
    """A7: with deal scoping and the edit check removed, partner B reads and changes partner A's deal, and the
    sweep reports the wrong status, the sentinel and the write."""

    def unscoped(*, user, pk):
        return Deal.objects.select_related("partner").get(pk=pk)

    monkeypatch.setattr(deal_selectors, "deal_get_for_user", unscoped)
    monkeypatch.setattr(deal_permissions, "can_edit", lambda user, deal: True)
    _, failures = run_sweep(*sweep, "partner_b_admin", only={"deals:detail", "deals:delete"})
    text = "\n".join(failures)
    assert "GET /portal/deals/" in text and "expected 404, got 200" in text
    assert "LEAK partner_b_admin" in text
    assert "WRITE partner_b_admin: POST" in text and "deals.deal" in text
