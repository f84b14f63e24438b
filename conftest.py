"""Personas shared by every test: the people the role matrix requests each route as."""

import os
from dataclasses import dataclass

import pytest

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from partners.choices import MemberRole
from partners.tests.factories import MembershipFactory, PartnerFactory, ProgramFactory, TierFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, available: bool, why: str = "") -> None:
    """Skip a test that needs a service on a laptop without it; fail under CI=true."""
    if available:
        return
    message = f"{name} is not reachable{': ' + why if why else ''}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: service tests must run, not skip)")
    pytest.skip(message)


@dataclass
class World:
    """Two partners, A and B, and one of every kind of user."""

    partner_a: object
    partner_b: object
    users: dict  # persona name → User (anonymous is None)


PERSONAS = (
    "anonymous",
    "partner_a_admin",
    "partner_a_user",
    "partner_b_admin",
    "manager_owner",
    "manager_other",
    "vendor_admin",
)


@pytest.fixture
def world(db) -> World:
    program = ProgramFactory(name="Global", slug="global")
    tier = TierFactory(program=program, rank=1, name="Registered")
    TierFactory(program=program, rank=2, name="Silver")
    manager_owner = ChannelManagerFactory(email="owner@vendor.example")
    manager_other = ChannelManagerFactory(email="other@vendor.example")
    partner_a = PartnerFactory(
        name="Alpha Systems", program=program, tier=tier, owner=manager_owner
    )
    partner_b = PartnerFactory(
        name="Bravo Consulting", program=program, tier=tier, owner=manager_other
    )
    a_admin = MembershipFactory(
        partner=partner_a, role=MemberRole.ADMIN, user__email="admin@alpha.example"
    ).user
    a_user = MembershipFactory(partner=partner_a, user__email="user@alpha.example").user
    b_admin = MembershipFactory(
        partner=partner_b, role=MemberRole.ADMIN, user__email="admin@bravo.example"
    ).user
    return World(
        partner_a=partner_a,
        partner_b=partner_b,
        users={
            "anonymous": None,
            "partner_a_admin": a_admin,
            "partner_a_user": a_user,
            "partner_b_admin": b_admin,
            "manager_owner": manager_owner,
            "manager_other": manager_other,
            "vendor_admin": VendorAdminFactory(email="admin@vendor.example"),
        },
    )


@pytest.fixture
def client_as(client, world):
    """``client_as("partner_a_admin")`` → a test client logged in as that persona."""
    from django.test import Client

    def make(persona: str) -> Client:
        c = Client()
        user = world.users[persona]
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: API throttle and login rate-limit counters are keyed
    by ids that repeat from test to test (rolled-back rows), so a counter left by one test must
    not answer 429 in the next. Each xdist worker has its own cache (test settings)."""
    from django.core.cache import cache

    cache.clear()
