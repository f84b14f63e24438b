from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from partners.tests.factories import MembershipFactory
from tiers.choices import TierChangeKind
from tiers.evaluation import tiers_evaluate
from tiers.models import TierHistory, TierStanding
from tiers.tests.tiers_helpers import active_partner, build_ladder, certify, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    return build_ladder()


def test_partner_home_shows_progress_to_the_next_tier_with_what_to_do_next(
    client, ladder, django_assert_max_num_queries
):
    now = timezone.now()
    partner = active_partner(ladder, at=now)
    admin = certify(partner, ladder.certification, 1, at=now)[0]
    won(partner, 40_000, closed_at=now - timedelta(days=3))
    client.force_login(admin)
    client.get(reverse("partners:home"))  # warm the session

    # 20: one UNION query checks that the unmet certification is open to the partner
    # +1: the bell's unread count in the nav (notifications, issue 19)
    # -1: the tier history is read only where it is shown (the override page; issue 24)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("partners:home"))

    page = response.content.decode()
    assert "Reach Silver" in page
    assert "1 of 2 certified people (Certified Sales Engineer)" in page
    assert "$40K of $100K won in the last 12 months" in page
    assert reverse("enablement:course_detail", args=[ladder.course.slug]) in page
    assert reverse("deals:create") in page
    assert "Take Sales engineer essentials toward Silver" in page  # as a next step
    assert "Discount</span>: 10%" in page and "Deal protection</span>: 60 days" in page


def test_partner_home_query_count_does_not_grow_with_requirements_or_data(
    client, ladder, django_assert_max_num_queries
):
    now = timezone.now()
    partner = active_partner(ladder, at=now)
    users = certify(partner, ladder.certification, 12, at=now)
    won(partner, 10_000, closed_at=now - timedelta(days=3), n=15)
    client.force_login(users[0])
    client.get(reverse("partners:home"))

    with django_assert_max_num_queries(19):
        response = client.get(reverse("partners:home"))

    assert response.status_code == 200


def test_partner_home_warns_of_a_pending_demotion_with_the_date(client, ladder, settings):
    settings.PRM_TIER_GRACE_DAYS = 30
    now = timezone.now()
    partner = active_partner(ladder, tier=ladder.silver, at=now)
    admin = MembershipFactory(partner=partner, role="admin").user
    tiers_evaluate(at=now)
    client.force_login(admin)

    page = client.get(reverse("partners:home")).content.decode()

    assert "Your Silver tier is at risk" in page
    assert (now + timedelta(days=30)).strftime("%-d %b %Y") in page
    assert "0 of 2 certified people (Certified Sales Engineer)" in page


def test_deal_registration_form_shows_the_tier_discount_and_protection(client, ladder):
    partner = active_partner(ladder, tier=ladder.silver)
    user = MembershipFactory(partner=partner).user
    client.force_login(user)

    page = client.get(reverse("deals:create")).content.decode()

    assert "20% partner discount" in page and "protected for 90 days" in page


def test_override_form_saves_the_tier_reason_and_pin(client_as, world):
    gold = world.partner_a.program.tiers.get(rank=2)
    url = reverse("tiers:tier_override", args=[world.partner_a.pk])
    day = (timezone.localdate() + timedelta(days=30)).isoformat()

    response = client_as("manager_owner").post(
        url, {"tier": gold.pk, "reason": "Launch partner", "pinned_until": day}
    )

    assert response.status_code == 302
    world.partner_a.refresh_from_db()
    entry = TierHistory.objects.get(partner=world.partner_a)
    assert (world.partner_a.tier, entry.kind, entry.reason) == (
        gold,
        TierChangeKind.OVERRIDE,
        "Launch partner",
    )
    assert TierStanding.objects.get(partner=world.partner_a).pinned_until.date().isoformat() == day
    assert Event.objects.filter(partner=world.partner_a, kind="tier.overridden").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "x"}, "This field is required"),
        ({"tier": "999999", "reason": "x"}, "Select a valid choice"),
        ({"tier": "TIER", "reason": ""}, "This field is required"),
        (
            {
                "tier": "TIER",
                "reason": "x",
                "pinned_until": str(timezone.localdate() - timedelta(days=1)),
            },
            "future",
        ),
        ({"tier": "TIER", "reason": "x", "pinned_until": "2001-01-01"}, "within 10 years"),
        ({"tier": "TIER", "reason": "x", "pinned_until": "9999-12-31"}, "within 10 years"),
        ({"tier": "TIER", "reason": "x", "pinned_until": "not a date"}, "Enter a valid date"),
    ],
)
def test_override_form_with_bad_input_answers_400_and_changes_nothing(
    client_as, world, data, message
):
    other_program_tier = build_ladder().gold
    if data.get("tier") == "999999":
        data = {**data, "tier": other_program_tier.pk}  # a tier of another program
    if data.get("tier") == "TIER":
        data = {**data, "tier": world.partner_a.program.tiers.get(rank=2).pk}
    url = reverse("tiers:tier_override", args=[world.partner_a.pk])

    response = client_as("vendor_admin").post(url, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    world.partner_a.refresh_from_db()
    assert world.partner_a.tier.rank == 1 and not TierHistory.objects.exists()


def test_tier_review_lists_pending_demotions_with_bounded_queries(
    client_as, ladder, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(15):
        active_partner(ladder, tier=ladder.gold, at=now)
    tiers_evaluate(at=now)
    client = client_as("vendor_admin")
    client.get(reverse("tiers:tier_review"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("tiers:tier_review"))

    page = response.content.decode()
    assert page.count("Review<span") == 15
    assert (now + timedelta(days=30)).strftime("%-d %b %Y") in page


def test_a_silver_course_is_404_below_silver_and_opens_after_the_nightly_promotion(client, ladder):
    from enablement.tests.factories import CourseFactory

    now = timezone.now()
    partner = active_partner(ladder, at=now)
    user = certify(partner, ladder.certification, 2, at=now)[1]
    won(partner, 150_000, closed_at=now - timedelta(days=3))
    course = CourseFactory(title="Silver sales plays", slug="silver-plays", min_tier=ladder.silver)
    url = reverse("enablement:course_detail", args=[course.slug])
    client.force_login(user)
    assert client.get(url).status_code == 404
    assert "Silver sales plays" not in client.get(reverse("enablement:catalog")).content.decode()

    tiers_evaluate(at=now)

    assert client.get(url).status_code == 200
    assert "Silver sales plays" in client.get(reverse("enablement:catalog")).content.decode()


def test_partner_home_short_of_its_tier_shows_what_is_missing_to_keep_it(client, ladder):
    # Silver, no certified people and no revenue, not yet warned by the nightly evaluation
    now = timezone.now()
    partner = active_partner(ladder, tier=ladder.silver, at=now)
    admin = MembershipFactory(partner=partner, role="admin").user
    client.force_login(admin)

    page = client.get(reverse("partners:home")).content.decode()

    assert "Keep Silver" in page
    assert "0 of 2 certified people (Certified Sales Engineer)" in page
    assert "$0 of $100K won in the last 12 months" in page
    assert "Reach Gold" in page  # the next tier is still shown


def test_manager_sees_what_a_partner_short_of_its_tier_misses_to_keep_it(client, ladder):
    from accounts.tests.factories import ChannelManagerFactory

    now = timezone.now()
    owner = ChannelManagerFactory()
    partner = active_partner(ladder, tier=ladder.silver, at=now, owner=owner)
    client.force_login(owner)

    for url in (
        reverse("partners:manager_partner", args=[partner.pk]),
        reverse("tiers:tier_override", args=[partner.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Keep Silver" in page, url
        assert "0 of 2 certified people (Certified Sales Engineer)" in page, url


def test_partner_home_of_a_partner_meeting_its_tier_shows_no_keep_section(client, ladder):
    now = timezone.now()
    partner = active_partner(ladder, tier=ladder.silver, at=now)
    admin = certify(partner, ladder.certification, 2, at=now)[0]
    won(partner, 150_000, closed_at=now - timedelta(days=3))
    client.force_login(admin)

    page = client.get(reverse("partners:home")).content.decode()

    assert "Keep Silver" not in page and "Reach Gold" in page


def test_tier_history_is_read_only_when_shown(client_as, world, django_assert_num_queries):
    """Issue 24: tier progress reads the partner's tier changes on first use only (the override
    page lists them; the partner home and the partner 360 do not), newest first."""
    from tiers.progress import tier_progress

    client = client_as("manager_owner")
    gold = world.partner_a.program.tiers.get(rank=2)
    url = reverse("tiers:tier_override", args=[world.partner_a.pk])
    client.post(url, {"tier": gold.pk, "reason": "Launch partner"})
    world.partner_a.refresh_from_db()

    progress = tier_progress(world.partner_a)
    with django_assert_num_queries(1):
        assert [h.reason for h in progress.history] == ["Launch partner"]
        assert progress.history[0].to_tier == gold  # read once, with its tiers
    page = client.get(url).content.decode()
    assert "data-tier-history" in page and "Launch partner" in page
