import statistics
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from accounts.models import User
from deals.models import Deal
from demo.seed import DEMO_LOGINS, OFFERINGS, plan_partners
from enablement.models import Certificate
from events.models import Event
from onboarding.models import ChecklistStep
from partners.choices import MemberRole, PartnerStatus
from partners.models import Partner, PartnerMembership

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
SMALL = ["--partners", "20", "--events", "2000", "--seed", "7", "--now", NOW.isoformat()]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *(args or SMALL), stdout=out)
    return out.getvalue()


STREAM_KINDS = ["auth.login", "offering.used", "resource.viewed", "resource.downloaded"]


def activity():
    """The activity stream (``--events``): logins, product usage and library views. Courses,
    deals and checklist steps are recorded with their objects (see test_demo_consistency)."""
    return Event.objects.filter(
        Q(idempotency_key__startswith="demo:") | Q(kind__in=STREAM_KINDS[2:])
    )


def fingerprint():
    return (
        sorted(
            Partner.objects.values_list("name", "domain", "status", "joined_at", "activated_at")
        ),
        sorted(activity().values_list("kind").annotate(n=Count("id"))),
        sorted(
            activity().values_list("idempotency_key", "occurred_at", "user__email", "properties")
        ),
        sorted(User.objects.values_list("email", "date_joined")),
        # the domain history: deals, certificates, checklist progress
        sorted(
            Deal.objects.values_list(
                "partner__domain", "customer_domain", "status", "amount", "submitted_at"
            )
        ),
        sorted(Certificate.objects.values_list("user__email", "certification__slug", "code")),
        sorted(
            ChecklistStep.objects.filter(status="done").values_list(
                "checklist__partner__domain", "key", "completed_at"
            )
        ),
    )


@pytest.mark.django_db
def test_demo_logins_authenticate_with_verified_primary_emails():
    seed()
    for login in DEMO_LOGINS:
        user = authenticate(None, email=login["email"], password=login["password"])
        assert user is not None, login["email"]
        assert EmailAddress.objects.filter(
            user=user, email=login["email"], verified=True, primary=True
        ).exists()
    admin, manager, partner_admin, partner_user = (
        User.objects.get(email=login["email"]) for login in DEMO_LOGINS
    )
    assert admin.is_superuser and admin.is_staff and admin.is_vendor_admin
    assert manager.is_channel_manager and not manager.is_vendor_admin
    acme = Partner.objects.get(domain="acme.example")
    assert (acme.name, acme.status, acme.tier.name, acme.owner) == (
        "Acme Cloud Solutions",
        PartnerStatus.ACTIVE,
        "Silver",
        manager,
    )
    assert (partner_admin.membership.partner, partner_admin.membership.role) == (
        acme,
        MemberRole.ADMIN,
    )
    assert (partner_user.membership.partner, partner_user.membership.role) == (
        acme,
        MemberRole.USER,
    )


@pytest.mark.django_db
def test_counts_match_the_arguments_and_every_team_has_an_admin():
    out = seed()
    assert Partner.objects.count() == 20
    assert activity().count() == 2000
    assert Event.objects.filter(kind="partner.created").count() == 20
    teams = Partner.objects.annotate(size=Count("memberships"))
    assert all(1 <= team.size <= 12 for team in teams)
    for partner in Partner.objects.all():
        first = PartnerMembership.objects.filter(partner=partner).order_by("created_at", "pk")[0]
        assert first.role == MemberRole.ADMIN
        assert first.created_at == first.user.date_joined == partner.joined_at
    assert "admin@prm.example" in out and "http://127.0.0.1:8000/" in out


@pytest.mark.django_db
def test_rerun_without_force_changes_nothing_and_force_adds_new_partners():
    seed()
    before = fingerprint()
    out = seed()
    assert "already present" in out and "prm-demo-partner" in out
    assert fingerprint() == before
    seed("--partners", "5", "--events", "300", "--seed", "7", "--now", NOW.isoformat(), "--force")
    assert Partner.objects.count() == 25
    assert activity().count() == 2300
    assert Partner.objects.filter(domain="acme.example").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_seed_gives_the_same_data_in_a_fresh_database():
    # Both runs start from a flushed database: event keys carry row ids, and earlier tests
    # may have advanced the id sequences.
    call_command("flush", interactive=False, verbosity=0)
    seed()
    first = fingerprint()
    call_command("flush", interactive=False, verbosity=0)
    seed()
    assert fingerprint() == first
    call_command("flush", interactive=False, verbosity=0)
    seed("--partners", "20", "--events", "2000", "--seed", "8", "--now", NOW.isoformat())
    assert fingerprint()[0] != first[0]


@pytest.mark.django_db
def test_events_happen_during_the_partners_life_by_its_own_people():
    seed()
    assert not Event.objects.filter(occurred_at__gt=NOW).exists()
    assert not Event.objects.filter(occurred_at__lt=F("partner__joined_at")).exists()
    assert not activity().exclude(user__membership__partner=F("partner")).exists()
    assert not activity().filter(occurred_at__lt=F("user__date_joined")).exists()
    assert set(activity().values_list("kind", flat=True)) == set(STREAM_KINDS)
    keys = activity().exclude(kind__in=STREAM_KINDS[2:]).values_list("idempotency_key", flat=True)
    assert all(key.startswith("demo:7:") for key in keys)
    view = activity().filter(kind="resource.viewed").first()
    assert set(view.properties) == {"resource", "category", "marketing_asset", "offerings"}
    assert view.idempotency_key == (
        f"resource.viewed:{view.user_id}:{view.properties['resource']}:{view.day.isoformat()}"
    )
    launched = {slug: NOW - timedelta(days=days) for slug, _, _, days, *_ in OFFERINGS}
    for event in activity().filter(kind="offering.used"):
        assert event.occurred_at >= launched[event.properties["offering"]]


@pytest.mark.django_db
def test_lifecycle_is_consistent_and_statuses_are_mixed():
    seed()
    partners = list(Partner.objects.all())
    assert len({partner.status for partner in partners}) >= 3
    for partner in partners:
        if partner.activated_at is not None:
            assert partner.activated_at >= partner.joined_at
            assert Event.objects.filter(partner=partner, kind="partner.activated").exists()
        assert partner.joined_at >= NOW - timedelta(days=366)


@pytest.mark.django_db
def test_an_anchor_in_the_future_is_refused():
    with pytest.raises(CommandError, match="future"):
        seed("--now", (datetime.now(UTC) + timedelta(days=2)).date().isoformat())
    assert not Partner.objects.exists()


def test_plans_have_realistic_activation_by_monthly_cohort():
    """Pure planning (no database): older cohorts activate at 40-75%, younger ones less; the
    median time to activation is 25-45 days."""
    launches = {slug: (NOW - timedelta(days=days)).date() for slug, _, _, days, *_ in OFFERINGS}
    plans = plan_partners(count=3000, seed=1, now=NOW, launches=launches)
    cohorts: dict[int, list] = {}
    for plan in plans:
        cohorts.setdefault((NOW - plan.joined_at).days // 30, []).append(plan)
    rate = {age: sum(bool(p.activated_at) for p in c) / len(c) for age, c in cohorts.items()}
    assert all(0.4 <= rate[age] <= 0.75 for age in range(3, 12)), rate
    assert rate[0] < rate[1] < rate[3]
    days = [(p.activated_at - p.joined_at).days for p in plans if p.activated_at]
    assert 25 <= statistics.median(days) <= 45
    assert len({p.domain for p in plans}) == len(plans)
