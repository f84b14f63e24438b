"""Business plans, goals and reviews over the API: scoped to the partner (another partner's plan
or review is a 404, absent from lists), goals carry their progress, reviews are created and
changed by the owning manager or a vendor admin with a write-scope token or a session, bad input
is a JSON 400 with nothing saved."""

import datetime

import pytest
from django.utils import timezone

from events.choices import EventKind
from events.models import Event
from plans.models import QuarterlyReview
from plans.tests.factories import approved_plan
from plans.tests.test_reviews import GOALS, _review
from tests.api.helpers import assert_api_matrix, bearer, token_client_as, token_for
from tiers.tests.tiers_helpers import won

pytestmark = pytest.mark.django_db
PLANS, GOALS_URL, REVIEWS = "/api/v1/plans/", "/api/v1/plan-goals/", "/api/v1/business-reviews/"


@pytest.fixture
def plan(world):
    users = world.users
    return approved_plan(partner_admin=users["partner_a_admin"], manager=users["manager_owner"],
                         partner=world.partner_a, fiscal_year=timezone.localdate().year,
                         goals=GOALS)  # fmt: skip


def _body(world, **kw):
    when = (timezone.now() + datetime.timedelta(days=10)).replace(microsecond=0)
    return {
        "partner": world.partner_a.pk, "title": "Q4 review", "starts_at": when.isoformat(),
        "duration_minutes": 45, "meeting_url": "https://meet.example/q4",
        "attendees": [world.users["manager_owner"].pk, world.users["partner_a_admin"].pk],
    } | kw  # fmt: skip


def test_plans_and_goals_carry_progress_and_stay_within_the_partner(client, world, plan):
    won(world.partner_a, amount=1000)
    a = bearer(token_for(world.users["partner_a_user"]))
    data = client.get(f"{PLANS}{plan.pk}/", **a).json()
    measured = data["goals"][0]
    assert measured["actual"] == "1.00" and measured["target"] == "10.00"
    assert measured["on_track"] in (True, False) and "% of target" in measured["pace"]
    assert data["goals"][1]["actual"] is None and data["goals"][1]["text"]
    listed = client.get(PLANS, **a).json()["results"]
    assert [row["id"] for row in listed] == [plan.pk]
    goal = client.get(f"{GOALS_URL}{measured['id']}/", **a).json()
    assert goal["actual"] == "1.00"
    b = bearer(token_for(world.users["partner_b_admin"]))
    assert client.get(f"{PLANS}{plan.pk}/", **b).status_code == 404
    assert client.get(f"{GOALS_URL}{measured['id']}/", **b).status_code == 404
    assert client.get(PLANS, **b).json()["results"] == []
    assert client.get(GOALS_URL, **b).json()["results"] == []
    assert client.post(PLANS, {}, content_type="application/json", **a).status_code == 405


def test_reviews_are_scoped_and_read_by_every_side(client, world, plan):
    review = _review(world, plan=plan)
    url = f"{REVIEWS}{review.pk}/"
    make = token_client_as(world)
    assert_api_matrix(make, url, {
        "anonymous": 401, "partner_a_admin": 200, "partner_a_user": 200, "partner_b_admin": 404,
        "manager_owner": 200, "manager_other": 200, "vendor_admin": 200,
    })  # fmt: skip
    b = bearer(token_for(world.users["partner_b_admin"]))
    assert client.get(REVIEWS, **b).json()["results"] == []
    data = client.get(url, **bearer(token_for(world.users["partner_a_user"]))).json()
    assert data["plan"] == plan.pk and {p["id"] for p in data["attendees"]} == {
        world.users["manager_owner"].pk, world.users["partner_a_admin"].pk,
    }  # fmt: skip


def test_only_the_owning_manager_and_vendor_admins_create_reviews(client, world, plan):
    make = token_client_as(world)
    assert_api_matrix(make, REVIEWS, {
        "anonymous": 401, "partner_a_admin": 403, "partner_a_user": 403,
        "partner_b_admin": 403,
        "manager_owner": 201, "manager_other": 403, "vendor_admin": 201,
    }, method="post", data=_body(world, plan=plan.pk))  # fmt: skip
    assert QuarterlyReview.objects.count() == 2
    assert Event.objects.filter(kind=EventKind.QBR_SCHEDULED).count() == 2
    # a read-scope token may not write
    read = bearer(token_for(world.users["manager_owner"], scope="read"))
    response = client.post(REVIEWS, _body(world), content_type="application/json", **read)
    assert response.status_code == 403 and QuarterlyReview.objects.count() == 2


def test_bad_review_input_is_a_json_400_with_nothing_saved(client, world):
    staff = bearer(token_for(world.users["manager_owner"]))
    for bad in (
        {"starts_at": "tomorrow"},
        {"starts_at": "1990-01-01T10:00:00Z"},
        {"duration_minutes": 5},
        {"attendees": [world.users["partner_b_admin"].pk]},
        {"attendees": [999999]},
        {"meeting_url": "ftp://x"},
        {"title": ""},
        {"partner": 999999},
    ):
        response = client.post(REVIEWS, _body(world, **bad), content_type="application/json",
                               **staff)  # fmt: skip
        assert response.status_code == 400, bad
        assert response["Content-Type"].startswith("application/json")
    assert not QuarterlyReview.objects.exists()


def test_the_manager_changes_a_review_by_token_and_by_session(client, client_as, world):
    review = _review(world)
    url = f"{REVIEWS}{review.pk}/"
    staff = bearer(token_for(world.users["manager_owner"]))
    response = client.put(url, _body(world, title="Moved", duration_minutes=90),
                          content_type="application/json", **staff)  # fmt: skip
    assert response.status_code == 200 and response.json()["title"] == "Moved"
    assert Event.objects.filter(kind=EventKind.QBR_RESCHEDULED).count() == 1
    other = bearer(token_for(world.users["manager_other"]))
    assert client.put(url, _body(world), content_type="application/json",
                      **other).status_code == 403  # fmt: skip
    session = client_as("partner_a_admin")
    assert session.put(url, _body(world), content_type="application/json").status_code == 403
    assert (
        client_as("vendor_admin")
        .put(url, _body(world, title="By session"), content_type="application/json")
        .json()["title"]
        == "By session"
    )


def test_api_lists_hold_a_bounded_number_of_queries(
    client, world, plan, django_assert_max_num_queries
):
    for i in range(5):
        _review(world, title=f"Review {i}")
    staff = bearer(token_for(world.users["vendor_admin"]))
    # token and throttle (≤ 3), count + page (2), goals / attendees + action items (≤ 2), and the
    # progress: one query per measure family of the page's goals
    with django_assert_max_num_queries(12):
        assert len(client.get(REVIEWS, **staff).json()["results"]) == 5
    with django_assert_max_num_queries(14):
        assert len(client.get(PLANS, **staff).json()["results"]) == 1
    with django_assert_max_num_queries(14):
        assert len(client.get(GOALS_URL, **staff).json()["results"]) == 2
