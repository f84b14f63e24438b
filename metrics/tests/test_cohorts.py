"""Who is in a cohort (approved partners, not applicants or imports), the activation window's
"still in window" to the second, dormant partners at risk, and the dashboard figures built on
them (issue 16: docs/metrics.md must say exactly what the code does)."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from console.dashboard import kpis
from console.forms import DashboardQuery
from events.services import record_events
from metrics.definitions import (
    activation_cohorts,
    activation_funnel,
    activation_rate,
    adoption_score_history,
    at_risk_partners,
    time_to_activation,
    time_to_first_deal,
)
from metrics.definitions import program as p
from metrics.models import AdoptionScore, PartnerDay
from metrics.tests.domain import checklist, deal_submitted
from metrics.tests.helpers import event, roll
from onboarding.services.followup import stalls_flag
from partners import services
from partners.choices import PartnerStatus
from partners.tests.factories import PartnerFactory, PartnerTypeFactory, ProgramFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=90)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def partner(joined_at: datetime, activated_at: datetime | None = None, **fields):
    status = PartnerStatus.ACTIVE if activated_at else PartnerStatus.ONBOARDING
    return PartnerFactory(
        joined_at=joined_at,
        activated_at=activated_at,
        status=fields.pop("status", status),
        tier=None,
        **fields,
    )


def create(program, status, joined_at=None, name="Applicant Co"):
    return services.partner_create(
        name=name,
        program=program,
        partner_type=PartnerTypeFactory(),
        country="DE",
        region="emea",
        status=status,
        joined_at=joined_at,
    )


# --- 13. Still in window, to the second -----------------------------------------------------------
def test_pending_counts_a_partner_whose_window_closes_later_today():
    """Joined 89.5 days ago: the window is open for another 12 hours. The old rule cut at the
    start of the day N-1 days ago and missed it."""
    partner(NOW - WINDOW + timedelta(hours=12))
    rate = activation_rate()
    assert (rate.partners, rate.pending) == (1, 1)


def test_pending_ends_at_the_second_the_activation_window_ends():
    """The window of a partner that joined exactly N days ago is still open (an activation this
    second counts, activated_at - joined_at <= N days); one second earlier it is closed."""
    partner(NOW - WINDOW)  # joined N days ago to the second
    partner(NOW - WINDOW - timedelta(seconds=1))  # window closed a second ago
    partner(NOW - WINDOW + timedelta(seconds=1))
    rate = activation_rate()
    assert (rate.partners, rate.pending) == (3, 2)
    assert [c.pending for c in activation_cohorts()] == [2]


def test_activation_counts_to_the_second_at_the_end_of_the_window():
    joined_at = datetime(2026, 1, 5, 9, 30, 15, tzinfo=UTC)
    partner(joined_at, joined_at + WINDOW)
    partner(joined_at, joined_at + WINDOW + timedelta(seconds=1))
    rate = activation_rate()
    assert (rate.partners, rate.activated, rate.pending) == (2, 1, 0)


# --- 14. A cohort is the partners approved into the program --------------------------------------
def test_applicants_and_turned_down_applications_have_not_joined():
    program = ProgramFactory()
    applicant = create(program, PartnerStatus.APPLICANT, NOW - timedelta(days=3))
    assert applicant.joined_at is None
    turned_down = create(program, PartnerStatus.APPLICANT, name="Declined Co")
    services.partner_set_status(partner=turned_down, status=PartnerStatus.CHURNED)
    turned_down.refresh_from_db()
    assert turned_down.joined_at is None


def test_approval_is_the_join_moment():
    applicant = create(ProgramFactory(), PartnerStatus.APPLICANT, NOW - timedelta(days=30))
    approved_at = NOW - timedelta(days=10)
    services.partner_set_status(partner=applicant, status=PartnerStatus.ONBOARDING, at=approved_at)
    applicant.refresh_from_db()
    assert applicant.joined_at == approved_at
    # churned and taken back: keeps its first join moment
    services.partner_set_status(partner=applicant, status=PartnerStatus.CHURNED)
    services.partner_set_status(partner=applicant, status=PartnerStatus.ONBOARDING)
    applicant.refresh_from_db()
    assert applicant.joined_at == approved_at


def test_applicants_are_not_in_cohorts_the_funnel_or_partners_joined():
    program = ProgramFactory()
    approved = partner(NOW - timedelta(days=20), program=program)
    checklist(approved, [("agreement", "Sign the agreement", 1, True, TODAY)])
    create(program, PartnerStatus.APPLICANT, NOW - timedelta(days=20))
    turned_down = create(program, PartnerStatus.APPLICANT, NOW - timedelta(days=20), "No Co")
    services.partner_set_status(partner=turned_down, status=PartnerStatus.CHURNED)
    since = TODAY - timedelta(days=60)
    rate = activation_rate(since=since, program=program)
    assert (rate.partners, rate.pending) == (1, 1)
    assert activation_rate(program=program).partners == 1  # no date bound either
    assert [c.partners for c in activation_cohorts(since=since, program=program)] == [1]
    funnel = activation_funnel(since=since, program=program)
    assert (funnel.cohort, funnel.steps[0].share) == (1, 100.0)
    assert p.partners_joined(since=since, until=TODAY, program=program) == 1


def test_a_partner_created_already_active_is_not_activated_in_zero_days():
    """An import: active before the program tracked it, so it never went through activation. It
    joined (partners joined counts it) but is in no activation cohort, numerator or denominator."""
    program = ProgramFactory()
    imported = create(program, PartnerStatus.ACTIVE, NOW - timedelta(days=5), "Imported Co")
    assert imported.activated_at == imported.joined_at
    deal_submitted(imported, TODAY, customer_domain="one.example")
    onboarded = partner(NOW - timedelta(days=40), NOW - timedelta(days=10), program=program)
    since = TODAY - timedelta(days=60)
    rate = activation_rate(since=since, program=program)
    assert (rate.partners, rate.activated) == (1, 1)
    assert time_to_activation(since=since, program=program).median_days == 30.0
    assert time_to_first_deal(since=since, program=program).count == 0
    assert activation_funnel(since=since, program=program).cohort == 1
    assert p.partners_joined(since=since, until=TODAY, program=program) == 2
    assert onboarded.pk != imported.pk


def test_partners_joined_card_breaks_down_only_the_partners_who_joined():
    program = ProgramFactory()
    partner(NOW - timedelta(days=400), NOW - timedelta(days=390), program=program)  # earlier
    partner(NOW - timedelta(days=10), program=program)
    partner(NOW - timedelta(days=9), NOW - timedelta(days=2), program=program)
    create(program, PartnerStatus.APPLICANT)
    q = DashboardQuery(
        filters={"program": program},
        since=TODAY - timedelta(days=29),
        until=TODAY,
        offering=None,
    )
    card = {k.key: k for k in kpis(q, p.adoption_score_distribution(program=program))}
    joined = card["partners"]
    assert joined.value == "2"
    assert sum(n for _, n in joined.breakdown) == 2
    assert dict(joined.breakdown)["Onboarding"] == 1 and dict(joined.breakdown)["Active"] == 1


def test_activation_rate_card_shows_a_percentage_and_its_change_in_points():
    program = ProgramFactory()
    partner(NOW - timedelta(days=10), NOW - timedelta(days=2), program=program)
    partner(NOW - timedelta(days=11), program=program)
    partner(NOW - timedelta(days=40), program=program)  # previous 30 days: 0 of 1
    q = DashboardQuery(
        filters={"program": program},
        since=TODAY - timedelta(days=29),
        until=TODAY,
        offering=None,
    )
    card = {k.key: k for k in kpis(q, p.adoption_score_distribution(program=program))}
    rate = card["activation"]
    assert (rate.value, rate.previous, rate.change) == ("50.0%", "0.0%", "+50.0 pts")


# --- 15. Dormant partners are at risk ---------------------------------------------------------------
def test_a_partner_without_activity_for_120_days_is_at_risk_as_dormant():
    quiet = partner(NOW - timedelta(days=300), NOW - timedelta(days=290))
    never = partner(NOW - timedelta(days=200), status=PartnerStatus.INACTIVE)
    recent = partner(NOW - timedelta(days=300), NOW - timedelta(days=290))
    new = partner(NOW - timedelta(days=100), NOW - timedelta(days=90))  # joined 100 days ago
    churned = partner(NOW - timedelta(days=300), status=PartnerStatus.CHURNED)
    record_events(
        [
            event("auth.login", "q", partner=quiet, day=TODAY - timedelta(days=120)),
            event("auth.login", "r", partner=recent, day=TODAY - timedelta(days=119)),
            event("auth.login", "c", partner=churned, day=TODAY - timedelta(days=150)),
        ]
    )
    roll()
    risks = {r.partner: r.reasons for r in at_risk_partners()}
    assert risks[quiet] == ["Dormant: no activity for 120 days (last active on 2026-03-02)."]
    assert risks[never] == ["Dormant: no activity in the 200 days since joining."]
    assert recent not in risks and new not in risks and churned not in risks


def test_dormancy_threshold_comes_from_settings(settings):
    settings.PRM_AT_RISK_DORMANT_DAYS = 30
    quiet = partner(NOW - timedelta(days=60), NOW - timedelta(days=50))
    record_events([event("auth.login", "q", partner=quiet, day=TODAY - timedelta(days=30))])
    roll()
    risks = {r.partner: r.reasons for r in at_risk_partners()}
    assert risks[quiet] == ["Dormant: no activity for 30 days (last active on 2026-05-31)."]


@pytest.mark.parametrize("days", [30, 45, 100, 120, 150])
def test_dormancy_from_the_score_rows_equals_the_days_without_events(settings, days):
    """The rule reads a few days of AdoptionScore; the truth is "no PartnerDay row in the D days
    ending as_of". Random activity around the boundary, every D: the same partners."""
    settings.PRM_AT_RISK_DORMANT_DAYS = days
    rng = random.Random(days)
    partners = [partner(NOW - timedelta(days=400), NOW - timedelta(days=390)) for _ in range(24)]
    events = []
    for n, each in enumerate(partners):
        last = days - 3 + n % 7  # last active 3 days inside .. 3 days outside the quiet days
        for back in {last, last + rng.randrange(1, 40), last + rng.randrange(40, 200)}:
            events.append(
                event("auth.login", f"{n}:{back}", partner=each, day=TODAY - timedelta(days=back))
            )
    record_events(events)
    roll()
    first = TODAY - timedelta(days=days - 1)
    quiet = {
        each
        for each in partners
        if not PartnerDay.objects.filter(partner=each, day__gte=first).exists()
    }
    dormant = {r.partner for r in at_risk_partners() if r.reasons[0].startswith("Dormant")}
    assert dormant == quiet and 0 < len(quiet) < len(partners)


# --- 18. Figures that disagreed -------------------------------------------------------------------
def test_score_history_starts_on_the_day_the_partner_joined():
    joined = partner(datetime(2026, 6, 20, 15, tzinfo=UTC))
    history = adoption_score_history(partner_id=joined.pk, joined_at=joined.joined_at)
    assert history[0].day == date(2026, 6, 20)
    assert len(history) == 11
    assert len(adoption_score_history(partner_id=joined.pk)) == 90  # no join moment: 90 days


def test_adoption_pages_draw_no_history_before_joining(client_as, world):
    world.partner_a.joined_at = NOW - timedelta(days=5)
    world.partner_a.save(update_fields=["joined_at"])
    AdoptionScore.objects.create(
        partner=world.partner_a, day=TODAY, score=40.0, areas=2, area_mask=3, active_days=3,
        active_users=1, seats=1, events=3,
    )  # fmt: skip
    page = client_as("manager_owner").get(f"/manage/partners/{world.partner_a.pk}/")
    assert page.context["history_chart"]["labels"][0] == (TODAY - timedelta(days=5)).isoformat()
    own = client_as("partner_a_admin").get("/portal/adoption/")
    assert own.context["history"]["labels"][0] == (TODAY - timedelta(days=5)).isoformat()


def test_dashboard_and_home_panel_count_the_same_days_without_progress():
    """Last step done 19.9 days ago: both say 19 days (whole days elapsed), not 19 and 20."""
    stalled = partner(NOW - timedelta(days=40))
    done = NOW - timedelta(days=20) + timedelta(hours=2)
    sheet = checklist(stalled, [("a", "Sign", 1, True, None), ("b", "Go", 2, True, None)])
    sheet.steps.filter(key="a").update(status="done", completed_at=done)
    sheet.last_progress_at = done
    sheet.save(update_fields=["last_progress_at"])
    stalls_flag(now=NOW, notify=False)
    sheet.refresh_from_db()
    assert "no progress for 19 days" in sheet.stalled_reason
    (reason,) = {r.partner: r.reasons for r in at_risk_partners()}[stalled]
    assert reason == "Onboarding stalled: no checklist step completed for 19 days."


def test_migration_clears_the_join_moment_of_applications_turned_down_earlier():
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    name = "0018_turned_down_applicants_have_not_joined"
    migration = importlib.import_module(f"metrics.migrations.{name}")
    # The models as that migration saw them (the events were metrics' then: issue 17 moved them).
    apps = MigrationExecutor(connection).loader.project_state(("metrics", name)).apps
    program = ProgramFactory()
    declined = partner(NOW - timedelta(days=50), program=program, status=PartnerStatus.CHURNED)
    retaken = partner(NOW - timedelta(days=50), program=program, status=PartnerStatus.CHURNED)
    churned = partner(NOW - timedelta(days=50), program=program, status=PartnerStatus.CHURNED)
    moves = [(declined, "applicant", "churned"), (retaken, "applicant", "churned")]
    moves += [(retaken, "churned", "onboarding"), (retaken, "onboarding", "churned")]
    moves += [(churned, "onboarding", "churned")]
    record_events(
        [
            event(
                "partner.status_changed",
                f"m{n}",
                partner=who,
                day=TODAY - timedelta(days=40 - n),
                properties={"from": old, "to": new},
            )
            for n, (who, old, new) in enumerate(moves)
        ]
    )
    migration.turned_down_have_not_joined(apps, None)
    for p_ in (declined, retaken, churned):
        p_.refresh_from_db()
    assert declined.joined_at is None
    assert retaken.joined_at is not None and churned.joined_at is not None
    assert activation_rate(program=program).partners == 2
