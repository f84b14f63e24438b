"""A goal on the adoption of a named offering: its actual is the offering adoption metric (the
partner met one of the offering's rules on the day), and a plan may only name an offering of its
partner's program."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from events.services import record_events
from metrics.definitions.offerings import partner_offerings
from metrics.measures import OFFERING_ADOPTED
from metrics.tests.helpers import event, roll
from partners.measures import measures
from partners.tests.factories import OfferingFactory, ProgramFactory
from plans import forms, services
from plans.progress import level_moment, progress_for_plans
from plans.selectors import plan_get_for_user
from plans.tests.factories import draft_plan
from plans.trend import trend_for_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def offerings(world):
    mine = OfferingFactory(name="Edge Gateway", slug="edge", launched_on=datetime.date(2025, 1, 1))
    mine.programs.add(world.partner_a.program)
    elsewhere = OfferingFactory(
        name="Other Program Suite", slug="suite", launched_on=datetime.date(2025, 1, 1)
    )
    elsewhere.programs.add(ProgramFactory(name="Other program"))
    return mine, elsewhere


def test_the_goals_actual_is_the_offering_adoption_metric_for_each_period(world, offerings):
    edge, _ = offerings
    a = world.partner_a
    # a deal with it won on 20 Feb 2026: adopted for 90 days (default rule), to 20 May
    record_events([event("deal.won", "1", partner=a, day=datetime.date(2026, 2, 20),
                         properties={"offerings": ["edge"]})])  # fmt: skip
    roll()
    admin = world.users["partner_a_admin"]
    plan = draft_plan(actor=admin, partner=a, fiscal_year=2026, quarter=2, goals=[
        {"measure": OFFERING_ADOPTED, "subject_id": edge.pk, "target": "1"}])  # fmt: skip
    plan = plan_get_for_user(user=admin, pk=plan.pk)
    goal = plan.goals.all()[0]

    for now, adopted in (
        (datetime.datetime(2026, 5, 20, 12, tzinfo=datetime.UTC), True),  # day 90
        (datetime.datetime(2026, 5, 21, 12, tzinfo=datetime.UTC), False),  # window passed
    ):
        actual = progress_for_plans([plan], now=now)[goal.pk].actual
        (metric,) = [o for o in partner_offerings(partner_id=a.pk, as_of=now.date())
                     if o.offering == edge]  # fmt: skip
        assert actual == int(metric.adopted) == int(adopted)

    # the trend reads each past period at its last day: Q1 (to 31 Mar) adopted, Q4 2025 not
    now = datetime.datetime(2026, 5, 21, 12, tzinfo=datetime.UTC)
    (trend,) = trend_for_plan(plan, progress_for_plans([plan], now=now), now=now)
    compute = measures.get(OFFERING_ADOPTED).compute
    for point in trend.points[:-1]:
        at = level_moment(point.period.bounds()[1])
        table = compute(partner_ids=[a.pk], at=at, subject_ids=[edge.pk], partners=[a])
        assert point.value == table[OFFERING_ADOPTED].get((a.pk, edge.pk), 0)
    assert [p.value for p in trend.points] == [0, 0, 1, 0]


def test_the_scorecard_names_the_offering_of_the_goal(client_as, world, offerings):
    from django.utils import timezone

    from plans import periods
    from plans.tests.factories import approved_plan

    edge, _ = offerings
    period = periods.period_containing(timezone.localdate(), quarterly=False)
    approved_plan(partner_admin=world.users["partner_a_admin"], manager=world.users["manager_owner"],
                  partner=world.partner_a, fiscal_year=period.fiscal_year,
                  goals=[{"measure": OFFERING_ADOPTED, "subject_id": edge.pk, "target": "1"}])  # fmt: skip

    card = client_as("partner_a_user").get(reverse("plans:scorecard")).context["card"]

    assert card.rows[0].label == "Offering adopted (Edge Gateway)"
    assert card.trend[0].label == "Offering adopted (Edge Gateway)"


def test_a_goal_names_an_offering_of_the_partners_program(world, offerings):
    edge, elsewhere = offerings
    admin = world.users["partner_a_admin"]
    plan = draft_plan(actor=admin, partner=world.partner_a)

    with pytest.raises(ValidationError) as refused:
        services.goal_add(actor=admin, plan=plan, measure=OFFERING_ADOPTED, target="1")
    assert "subject_id" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.goal_add(actor=admin, plan=plan, measure=OFFERING_ADOPTED,
                          subject_id=elsewhere.pk, target="1")  # fmt: skip
    assert "subject_id" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.goal_add(actor=admin, plan=plan, measure=OFFERING_ADOPTED,
                          subject_id=edge.pk, target="2")  # fmt: skip
    goal = services.goal_add(
        actor=admin, plan=plan, measure=OFFERING_ADOPTED, subject_id=edge.pk, target="1"
    )
    assert goal.subject_id == edge.pk

    labels = dict(forms.GoalForm(partner=world.partner_a).fields["subject_id"].choices)
    assert labels[str(edge.pk)] == "offering: Edge Gateway"
    assert "offering: Other Program Suite" not in labels.values()


def test_the_plan_page_offers_only_the_programs_offerings_and_refuses_another(
    client_as, world, offerings
):
    edge, elsewhere = offerings
    plan = draft_plan(actor=world.users["partner_a_admin"], partner=world.partner_a)
    client = client_as("partner_a_admin")

    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Edge Gateway" in page and "Other Program Suite" not in page

    url = reverse("plans:goal_add", args=[plan.pk])
    refused = client.post(
        url, {"measure": OFFERING_ADOPTED, "subject_id": elsewhere.pk, "target": "1"}
    )
    assert refused.status_code == 400 and not plan.goals.exists()
    added = client.post(url, {"measure": OFFERING_ADOPTED, "subject_id": edge.pk, "target": "1"})
    assert added.status_code == 302 and plan.goals.get().subject_id == edge.pk


def test_a_tier_requirement_on_offering_adoption_must_name_the_offering(world):
    check = measures.get(OFFERING_ADOPTED).check
    assert "offering" in check(tier=world.partner_a.tier, minimum=1, subject_id=None)
    assert check(tier=world.partner_a.tier, minimum=1, subject_id=5) == {}
    assert "minimum" in check(tier=world.partner_a.tier, minimum=2, subject_id=5)
