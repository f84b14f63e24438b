"""The tier setup pages (/manage/setup/tiers/): the ladder, tiers, requirements picked from the
measures, benefits by kind, the live count and the impact preview; every write audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ChannelManagerFactory, VendorAdminFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from enablement.tests.factories import CourseFactory
from partners.choices import BenefitKind, BenefitPeriod, MemberRole
from partners.models import Tier, TierBenefit
from partners.tests.factories import MembershipFactory
from tiers import services
from tiers.impact import impact_of, partners_meeting
from tiers.models import TierHistory, TierRequirement
from tiers.tests.tiers_helpers import M, active_partner, build_ladder, certify, won

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder():
    return build_ladder()


@pytest.fixture
def admin():
    return VendorAdminFactory(full_name="Ada Admin")


@pytest.fixture
def manager():
    return ChannelManagerFactory(full_name="Cal Manager")


def _setup_url(ladder):
    return f"{reverse('tiers:setup_tiers')}?program={ladder.program.pk}"


def _silver_revenue(ladder):
    return TierRequirement.objects.get(tier=ladder.silver, metric=M.REVENUE_12M)


def _ranks(ladder):
    return list(Tier.objects.filter(program=ladder.program).values_list("name", "rank"))


def _audits():
    return list(AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("id"))


@pytest.fixture
def movers(ladder):
    """Down: at Silver, meets it with one big won deal. Up: at Registered, two small won deals.
    Both have the two certified sales engineers Silver asks for."""
    now = timezone.now()
    down = active_partner(ladder, tier=ladder.silver, at=now, name="Delta Down")
    certify(down, ladder.certification, 2, at=now)
    won(down, 120_000, closed_at=now - timedelta(days=5))
    up = active_partner(ladder, at=now, name="Upton Up")
    certify(up, ladder.certification, 2, at=now)
    won(up, 30_000, closed_at=now - timedelta(days=5), n=2)
    still = active_partner(ladder, at=now, name="Still Registered")
    return down, up, still


# --- The ladder page ----------------------------------------------------------------------------


def test_ladder_shows_tiers_by_rank_with_partners_requirements_and_benefits(
    client, ladder, admin, movers
):
    client.force_login(admin)
    page = client.get(_setup_url(ladder)).content.decode()
    assert page.index("Gold") < page.index("Silver") < page.index("Registered")
    assert "Certified people (Certified Sales Engineer)" in page and "100000" in page
    assert "Delta Down" in page and "Still Registered, Upton Up" in page
    assert "Deal protection" in page and "120 days" in page
    assert reverse("tiers:setup_requirement_create", args=[ladder.gold.pk]) in page


def test_ladder_queries_stay_bounded_whatever_the_number_of_tiers_and_partners(
    client, ladder, admin, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(4, 10):
        tier = Tier.objects.create(program=ladder.program, rank=i, name=f"Level {i}")
        TierRequirement.objects.create(tier=tier, metric=M.WON_DEALS_12M, minimum=i)
        TierBenefit.objects.create(tier=tier, kind=BenefitKind.OTHER, name="Swag", value="Mug")
        for _ in range(3):
            active_partner(ladder, tier=tier, at=now)
    client.force_login(admin)
    client.get(_setup_url(ladder))
    with django_assert_max_num_queries(14):
        response = client.get(_setup_url(ladder))
    assert response.status_code == 200
    assert "Level 9" in response.content.decode()


def test_channel_manager_reads_the_ladder_without_edit_links_and_gets_403_on_writes(
    client, ladder, manager
):
    client.force_login(manager)
    page = client.get(_setup_url(ladder)).content.decode()
    assert "Silver" in page
    assert reverse("tiers:setup_tier_edit", args=[ladder.silver.pk]) not in page
    requirement = _silver_revenue(ladder)
    benefit = TierBenefit.objects.filter(tier=ladder.silver).first()
    for url, data in [
        (reverse("tiers:setup_tier_create") + f"?program={ladder.program.pk}", {"name": "X"}),
        (reverse("tiers:setup_tier_edit", args=[ladder.silver.pk]), {"name": "X"}),
        (reverse("tiers:setup_tier_move", args=[ladder.silver.pk]), {"direction": "up"}),
        (reverse("tiers:setup_tier_delete", args=[ladder.gold.pk]), {}),
        (reverse("tiers:setup_requirement_create", args=[ladder.gold.pk]), {}),
        (reverse("tiers:setup_requirement_edit", args=[requirement.pk]), {}),
        (reverse("tiers:setup_requirement_delete", args=[requirement.pk]), {}),
        (reverse("tiers:setup_benefit_create", args=[ladder.gold.pk]), {}),
        (reverse("tiers:setup_benefit_edit", args=[benefit.pk]), {}),
        (reverse("tiers:setup_benefit_delete", args=[benefit.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert Tier.objects.filter(program=ladder.program).count() == 3
    assert TierRequirement.objects.filter(pk=requirement.pk).exists()


def test_partner_users_get_404_on_the_setup_pages(client, ladder):
    now = timezone.now()
    partner = active_partner(ladder, at=now)
    user = MembershipFactory(partner=partner, role=MemberRole.ADMIN).user
    client.force_login(user)
    assert client.get(_setup_url(ladder)).status_code == 404
    url = reverse("tiers:setup_tier_edit", args=[ladder.silver.pk])
    assert client.post(url, {"name": "Hacked"}).status_code == 404
    count = reverse("tiers:setup_requirement_count", args=[ladder.silver.pk])
    response = client.get(count, {"metric": M.WON_DEALS_12M, "minimum": "1"})
    assert response.status_code == 404 and response.json()["detail"]


# --- Tiers --------------------------------------------------------------------------------------


def test_tier_create_goes_on_top_or_shifts_the_ladder_and_is_audited(ladder, admin):
    platinum = services.tier_create(actor=admin, program=ladder.program, name="Platinum")
    assert platinum.rank == 4
    services.tier_create(actor=admin, program=ladder.program, name="Bronze", rank=2)
    assert _ranks(ladder) == [
        ("Registered", 1), ("Bronze", 2), ("Silver", 3), ("Gold", 4), ("Platinum", 5),
    ]  # fmt: skip
    added = [a for a in _audits() if a.details["flag"] == "added"]
    assert [a.details["after"]["name"] for a in added] == ["Platinum", "Bronze"]
    moved = [a for a in _audits() if a.details["flag"] == "changed"]
    assert {
        (a.target_repr, a.details["before"]["rank"], a.details["after"]["rank"]) for a in moved
    } >= {(str(ladder.silver), 2, 3)}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "silver"}, "name"),  # names are unique per program, whatever the case
        ({"name": "x" * 61}, "name"),
        ({"name": "Platinum", "rank": 9}, "rank"),
        ({"name": "Platinum", "rank": 0}, "rank"),
    ],
)
def test_tier_create_refuses_bad_input_by_field(ladder, admin, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        services.tier_create(actor=admin, program=ladder.program, **kwargs)
    assert field in refused.value.message_dict
    assert Tier.objects.filter(program=ladder.program).count() == 3


def test_tier_update_renames_and_moves_to_a_rank(ladder, admin):
    services.tier_update(actor=admin, tier=ladder.gold, name="Gold+", description="Top", rank=1)
    assert _ranks(ladder) == [("Gold+", 1), ("Registered", 2), ("Silver", 3)]
    entry = [a for a in _audits() if a.target_id == str(ladder.gold.pk)][-1]
    assert entry.details["before"] == {"name": "Gold", "rank": 3, "description": ""}
    assert entry.details["after"] == {"name": "Gold+", "rank": 1, "description": "Top"}


def test_tier_move_swaps_neighbours_and_refuses_past_the_ends(ladder, admin):
    services.tier_move(actor=admin, tier=ladder.silver, direction="up")
    assert _ranks(ladder) == [("Registered", 1), ("Gold", 2), ("Silver", 3)]
    with pytest.raises(ValidationError) as refused:
        services.tier_move(actor=admin, tier=ladder.silver, direction="up")
    assert "already the highest" in refused.value.message_dict["rank"][0]
    with pytest.raises(ValidationError):
        services.tier_move(actor=admin, tier=ladder.registered, direction="down")


def test_tier_delete_is_refused_while_partners_hold_it_and_lists_them(client, ladder, admin):
    active_partner(ladder, tier=ladder.silver, at=timezone.now(), name="Holder Inc")
    with pytest.raises(ValidationError) as refused:
        services.tier_delete(actor=admin, tier=ladder.silver)
    assert "Holder Inc" in refused.value.messages[0]
    client.force_login(admin)
    page = client.get(reverse("tiers:setup_tier_delete", args=[ladder.silver.pk])).content.decode()
    assert "cannot be deleted" in page and "Holder Inc" in page


def test_tier_delete_lists_other_references_such_as_history_and_gated_content(ladder, admin):
    partner = active_partner(ladder, at=timezone.now())
    TierHistory.objects.create(
        partner=partner, kind="promotion", from_tier=ladder.registered, to_tier=ladder.gold,
        reason="Met every requirement of Gold.",
    )  # fmt: skip
    CourseFactory(title="Gold only", slug="gold-only", min_tier=ladder.gold)
    with pytest.raises(ValidationError) as refused:
        services.tier_delete(actor=admin, tier=ladder.gold)
    message = refused.value.messages[0]
    assert "tier history (to tier): 1" in message.lower() and "courses" in message.lower()
    assert Tier.objects.filter(pk=ladder.gold.pk).exists()


def test_services_refuse_anybody_but_a_vendor_admin(ladder, manager):
    with pytest.raises(PermissionDenied):
        services.tier_create(actor=manager, program=ladder.program, name="Platinum")
    with pytest.raises(PermissionDenied):
        services.requirement_delete(actor=manager, requirement=_silver_revenue(ladder))
    assert TierRequirement.objects.filter(tier=ladder.silver).count() == 2


def test_tier_delete_removes_an_unused_tier_and_closes_the_rank_gap(client, ladder, admin):
    client.force_login(admin)
    response = client.post(reverse("tiers:setup_tier_delete", args=[ladder.silver.pk]))
    assert response.status_code == 302
    assert _ranks(ladder) == [("Registered", 1), ("Gold", 2)]
    assert not TierRequirement.objects.filter(tier_id=ladder.silver.pk).exists()
    deleted = [a for a in _audits() if a.details["flag"] == "deleted"]
    assert deleted and deleted[0].details["before"]["name"] == "Silver"


# --- Requirements -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"metric": "no_such_measure", "minimum": 1}, "metric"),
        ({"metric": M.WON_DEALS_12M, "minimum": 1, "subject_id": "cert"}, "metric"),
        ({"metric": M.WON_DEALS_12M, "minimum": Decimal("1.5")}, "minimum"),
        ({"metric": M.WON_DEALS_12M, "minimum": 0}, "minimum"),
        ({"metric": M.WON_DEALS_12M, "minimum": -1}, "minimum"),
        ({"metric": M.ADOPTION_SCORE_90D, "minimum": 101}, "minimum"),
        ({"metric": M.REVENUE_12M, "minimum": 5}, "metric"),  # Gold already asks for revenue
        ({"metric": M.ACTIVATED, "minimum": 2}, "minimum"),
        ({"metric": M.CERTIFIED_USERS, "minimum": 1, "subject_id": 10**9}, "certification"),
    ],
)
def test_requirement_rules_are_refused_on_their_field(ladder, admin, kwargs, field):
    if kwargs.get("subject_id") == "cert":
        kwargs["subject_id"] = ladder.certification.pk
    with pytest.raises(ValidationError) as refused:
        services.requirement_create(actor=admin, tier=ladder.gold, **kwargs)
    assert field in refused.value.message_dict
    assert TierRequirement.objects.filter(tier=ladder.gold).count() == 4


def test_the_same_certification_twice_on_a_tier_is_refused_on_the_certification(ladder, admin):
    with pytest.raises(ValidationError) as refused:
        services.requirement_create(
            actor=admin, tier=ladder.silver, metric=M.CERTIFIED_USERS, minimum=3,
            subject_id=ladder.certification.pk,
        )  # fmt: skip
    assert "certification" in refused.value.message_dict


def test_requirement_create_update_delete_are_audited_with_before_and_after(ladder, admin):
    requirement = services.requirement_create(
        actor=admin, tier=ladder.gold, metric=M.ACTIVE_USERS_30D, minimum=5, note="Busy"
    )
    services.requirement_update(
        actor=admin, requirement=requirement, metric=M.ACTIVE_USERS_30D, minimum=8, note="Busy"
    )
    services.requirement_delete(actor=admin, requirement=requirement)
    added, changed, deleted = _audits()
    assert added.details["after"]["minimum"] == "5" and added.details["after"]["tier"]
    assert changed.details["before"] == {"minimum": "5"}
    assert changed.details["after"] == {"minimum": "8"}
    assert deleted.details["flag"] == "deleted" and deleted.details["before"]["minimum"] == "8"
    assert not TierRequirement.objects.filter(pk=requirement.pk).exists()


def test_requirement_form_offers_measures_with_units_and_certifications_in_a_select(
    client, ladder, admin
):
    client.force_login(admin)
    page = client.get(
        reverse("tiers:setup_requirement_create", args=[ladder.gold.pk])
    ).content.decode()
    assert "Won revenue in the last 12 months (money" in page
    assert "Certified people (count)" in page
    assert f'<option value="{ladder.certification.pk}">Certified Sales Engineer</option>' in page
    assert 'name="certification"' in page and "<select" in page
    assert "Final amounts of the deals won in the last 365 days" in page  # how it is counted


def test_edit_forms_show_round_numbers_as_typed(client, ladder, admin):
    client.force_login(admin)
    url = reverse("tiers:setup_requirement_edit", args=[_silver_revenue(ladder).pk])
    assert 'value="100000"' in client.get(url).content.decode()
    mdf = TierBenefit.objects.get(tier=ladder.gold, kind=BenefitKind.MDF_ALLOCATION)
    page = client.get(reverse("tiers:setup_benefit_edit", args=[mdf.pk])).content.decode()
    assert 'value="50000"' in page


def test_a_new_tier_on_top_is_reviewed_first_it_would_take_in_every_qualified_partner(
    client, ladder, admin, movers
):
    client.force_login(admin)
    url = reverse("tiers:setup_tier_create") + f"?program={ladder.program.pk}"
    data = {"name": "Platinum", "rank": "4", "description": ""}
    review = client.post(url, {**data, "action": "review"})
    assert review.status_code == 200 and 'data-up="3"' in review.content.decode()
    assert not Tier.objects.filter(name="Platinum").exists()
    saved = client.post(url, {**data, "action": "save", "reviewed": review.context["reviewed"]})
    assert saved.status_code == 302
    assert _ranks(ladder)[-1] == ("Platinum", 4)


def test_renaming_a_tier_saves_at_once_without_a_review(client, ladder, admin):
    client.force_login(admin)
    url = reverse("tiers:setup_tier_edit", args=[ladder.silver.pk])
    response = client.post(url, {"name": "Silver Plus", "rank": "2", "description": "Mid"})
    assert response.status_code == 302
    ladder.silver.refresh_from_db()
    assert ladder.silver.name == "Silver Plus" and ladder.silver.description == "Mid"
    bad = client.post(url, {"name": "Gold", "rank": "2"})
    assert bad.status_code == 400 and "name" in bad.context["form"].errors


# --- Live count ---------------------------------------------------------------------------------


def test_live_count_endpoint_counts_partners_meeting_the_requirement_today(
    client, ladder, admin, manager, movers
):
    url = reverse("tiers:setup_requirement_count", args=[ladder.silver.pk])
    client.force_login(manager)  # vendor staff may read it
    response = client.get(url, {"metric": M.WON_DEALS_12M, "minimum": "2"})
    assert response.status_code == 200
    assert response.json()["meet"] == 1 and response.json()["active"] == 3
    response = client.get(
        url,
        {"metric": M.CERTIFIED_USERS, "certification": ladder.certification.pk, "minimum": "2"},
    )
    assert response.json()["meet"] == 2
    assert partners_meeting(tier=ladder.silver, metric=M.REVENUE_12M, minimum=100_000) == (1, 3)


def test_live_count_endpoint_answers_errors_as_json(client, ladder, admin):
    url = reverse("tiers:setup_requirement_count", args=[ladder.silver.pk])
    assert client.get(url).status_code == 401 and client.get(url).json()["detail"]
    client.force_login(admin)
    response = client.get(url, {"metric": "nope", "minimum": "-3"})
    assert response.status_code == 400
    assert {"metric", "minimum"} <= set(response.json()["errors"])
    missing = reverse("tiers:setup_requirement_count", args=[10**8])
    assert client.get(missing, {"metric": M.WON_DEALS_12M, "minimum": "1"}).status_code == 404


def test_check_button_without_javascript_re_renders_the_form_with_the_count(
    client, ladder, admin, movers
):
    client.force_login(admin)
    url = reverse("tiers:setup_requirement_create", args=[ladder.gold.pk])
    response = client.post(url, {"metric": M.ACTIVE_USERS_30D, "minimum": "1", "action": "check"})
    assert response.status_code == 200
    assert "0 of 3 active partners meet this today." in response.content.decode()
    assert not TierRequirement.objects.filter(tier=ladder.gold, metric=M.ACTIVE_USERS_30D).exists()


# --- Impact before saving -----------------------------------------------------------------------


def test_impact_preview_counts_a_partner_moving_down_and_one_moving_up(
    ladder, admin, movers, caplog
):
    caplog.set_level("INFO")
    requirement = _silver_revenue(ladder)
    impact = impact_of(
        program=ladder.program,
        change=lambda: services.requirement_update(
            actor=admin, requirement=requirement, metric=M.WON_DEALS_12M, minimum=2
        ),
    )
    assert (impact.up, impact.down, impact.other, impact.evaluated) == (1, 1, 0, 3)
    assert impact.anyway == 0
    moves = {m.partner_name: (m.direction, m.from_name, m.to_name) for m in impact.moves}
    assert moves == {
        "Upton Up": ("up", "Registered", "Silver"),
        "Delta Down": ("down", "Silver", "Registered"),
    }
    # nothing of the dry run is kept, and no audit line was written (nor logged)
    assert "setup.change" not in caplog.text
    requirement.refresh_from_db()
    assert requirement.metric == M.REVENUE_12M and requirement.minimum == 100_000
    assert _audits() == []


def test_impact_of_a_rank_change_and_of_a_removed_requirement(ladder, admin, movers):
    removed = impact_of(
        program=ladder.program,
        change=lambda: services.requirement_delete(
            actor=admin, requirement=_silver_revenue(ladder)
        ),
    )
    assert (removed.up, removed.down) == (1, 0)
    assert removed.moves[0].partner_name == "Upton Up"
    swapped = impact_of(
        program=ladder.program,
        change=lambda: services.tier_move(actor=admin, tier=ladder.silver, direction="down"),
    )
    # Silver becomes the entry tier and Registered (no requirement) the rank above it: Delta
    # Down, on Silver, would be promoted to Registered; the others already hold it.
    assert (swapped.up, swapped.down) == (1, 0)
    assert [(m.partner_name, m.from_name, m.to_name) for m in swapped.moves] == [
        ("Delta Down", "Silver", "Registered")
    ]
    assert _ranks(ladder) == [("Registered", 1), ("Silver", 2), ("Gold", 3)]


def test_requirement_form_reviews_the_impact_then_saves_what_was_reviewed(
    client, ladder, admin, movers
):
    client.force_login(admin)
    requirement = _silver_revenue(ladder)
    url = reverse("tiers:setup_requirement_edit", args=[requirement.pk])
    data = {"metric": M.WON_DEALS_12M, "minimum": "2", "note": ""}
    review = client.post(url, {**data, "action": "review"})
    page = review.content.decode()
    assert review.status_code == 200
    assert 'data-up="1"' in page and 'data-down="1"' in page
    assert "Delta Down" in page and "Upton Up" in page
    requirement.refresh_from_db()
    assert requirement.metric == M.REVENUE_12M  # not saved yet
    reviewed = review.context["reviewed"]

    # "Save" for something else than what was reviewed shows the review again
    again = client.post(url, {**data, "minimum": "3", "action": "save", "reviewed": reviewed})
    assert again.status_code == 200 and "data-impact" in again.content.decode()
    requirement.refresh_from_db()
    assert requirement.metric == M.REVENUE_12M

    saved = client.post(url, {**data, "action": "save", "reviewed": reviewed})
    assert saved.status_code == 302
    requirement.refresh_from_db()
    assert requirement.metric == M.WON_DEALS_12M and requirement.minimum == 2


def test_requirement_form_shows_service_refusals_on_the_field(client, ladder, admin):
    client.force_login(admin)
    url = reverse("tiers:setup_requirement_create", args=[ladder.gold.pk])
    response = client.post(url, {"metric": M.ADOPTION_SCORE_90D, "minimum": "150"})
    assert response.status_code == 400
    assert "at most 100" in str(response.context["form"].errors["minimum"])
    wrong = client.post(
        url,
        {"metric": M.WON_DEALS_12M, "minimum": "1", "certification": ladder.certification.pk},
    )
    assert wrong.status_code == 400 and "certification" in wrong.context["form"].errors


def test_impact_leaves_out_partners_who_move_tonight_anyway(ladder, admin, movers):
    _down, up, _still = movers
    won(up, 50_000, closed_at=timezone.now() - timedelta(days=2))  # now meets Silver already
    impact = impact_of(
        program=ladder.program,
        change=lambda: services.requirement_update(
            actor=admin, requirement=_silver_revenue(ladder), metric=M.REVENUE_12M,
            minimum=110_000,
        ),
    )  # fmt: skip
    assert (impact.up, impact.down, impact.anyway) == (0, 0, 1)


def test_tier_move_page_previews_then_saves(client, ladder, admin, movers):
    client.force_login(admin)
    url = reverse("tiers:setup_tier_move", args=[ladder.silver.pk])
    preview = client.post(url, {"direction": "down"})
    assert preview.status_code == 200 and 'data-up="1"' in preview.content.decode()
    assert _ranks(ladder)[1] == ("Silver", 2)
    assert client.post(url, {"direction": "down", "confirm": "1"}).status_code == 302
    assert _ranks(ladder)[0] == ("Silver", 1)


# --- Benefits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": BenefitKind.DISCOUNT_PERCENT, "name": "Discount"}, "amount"),
        ({"kind": BenefitKind.DISCOUNT_PERCENT, "name": "D", "amount": 101}, "amount"),
        (
            {"kind": BenefitKind.DEAL_PROTECTION_DAYS, "name": "P", "amount": Decimal("1.5")},
            "amount",
        ),
        ({"kind": BenefitKind.DEAL_PROTECTION_DAYS, "name": "P", "amount": 5000}, "amount"),
        ({"kind": BenefitKind.MDF_ALLOCATION, "name": "MDF", "amount": 1000}, "period"),
        ({"kind": BenefitKind.OTHER, "name": "Swag", "period": BenefitPeriod.YEAR}, "period"),
        ({"kind": "bogus", "name": "X"}, "kind"),
        ({"kind": BenefitKind.OTHER, "name": ""}, "name"),
    ],
)
def test_benefit_rules_are_refused_on_their_field(ladder, admin, kwargs, field):
    tier = Tier.objects.create(program=ladder.program, rank=4, name="Platinum")
    with pytest.raises(ValidationError) as refused:
        services.benefit_create(actor=admin, tier=tier, **kwargs)
    assert field in refused.value.message_dict
    assert not TierBenefit.objects.filter(tier=tier).exists()


def test_a_tier_holds_each_typed_benefit_kind_once(ladder, admin):
    with pytest.raises(ValidationError) as refused:
        services.benefit_create(
            actor=admin, tier=ladder.gold, kind=BenefitKind.DISCOUNT_PERCENT, name="More", amount=5
        )
    assert "kind" in refused.value.message_dict


def test_benefit_pages_save_at_once_with_field_messages_and_audit(client, ladder, admin):
    client.force_login(admin)
    tier = Tier.objects.create(program=ladder.program, rank=4, name="Platinum")
    url = reverse("tiers:setup_benefit_create", args=[tier.pk])
    bad = client.post(
        url, {"kind": BenefitKind.MDF_ALLOCATION, "name": "MDF", "amount": "5000", "position": 0}
    )
    assert bad.status_code == 400 and "period" in bad.context["form"].errors
    ok = client.post(
        url,
        {
            "kind": BenefitKind.MDF_ALLOCATION,
            "name": "MDF",
            "amount": "5000",
            "period": "year",
            "position": 0,
        },
    )
    assert ok.status_code == 302
    benefit = TierBenefit.objects.get(tier=tier)
    assert benefit.amount == 5000 and benefit.period == "year"
    edit = reverse("tiers:setup_benefit_edit", args=[benefit.pk])
    data = {
        "kind": BenefitKind.MDF_ALLOCATION,
        "name": "MDF",
        "amount": "7000",
        "period": "year",
        "position": 0,
    }
    assert client.post(edit, data).status_code == 302
    assert client.post(reverse("tiers:setup_benefit_delete", args=[benefit.pk])).status_code == 302
    added, changed, deleted = _audits()
    assert (
        added.details["after"]["period"] == "per year" and added.actor.display_name == "Ada Admin"
    )
    assert changed.details["before"] == {"amount": "5000"} and changed.details["after"] == {
        "amount": "7000"
    }
    assert deleted.details["flag"] == "deleted"


# --- Bad input ----------------------------------------------------------------------------------

JUNK = [
    {},
    {"name": "x" * 5000, "rank": "9" * 30, "description": "\x00"},
    {"metric": ["won_deals_12m", "x"], "minimum": "NaN", "certification": "abc"},
    {"minimum": "1e400", "kind": "\u202e", "amount": "-Infinity", "position": "-1"},
    {"direction": "sideways", "action": "save", "reviewed": "x" * 500},
]


@pytest.mark.parametrize("payload", JUNK)
def test_junk_on_every_tier_setup_form_is_a_4xx_or_a_refusal_and_changes_nothing(
    client, ladder, admin, payload
):
    client.force_login(admin)
    requirement = _silver_revenue(ladder)
    benefit = TierBenefit.objects.filter(tier=ladder.gold).first()
    before = (
        _ranks(ladder),
        list(TierRequirement.objects.values()),
        list(TierBenefit.objects.values()),
    )
    urls = [
        reverse("tiers:setup_tier_create") + f"?program={ladder.program.pk}",
        reverse("tiers:setup_tier_edit", args=[ladder.silver.pk]),
        reverse("tiers:setup_tier_move", args=[ladder.silver.pk]),
        reverse("tiers:setup_requirement_create", args=[ladder.gold.pk]),
        reverse("tiers:setup_requirement_edit", args=[requirement.pk]),
        reverse("tiers:setup_benefit_create", args=[ladder.gold.pk]),
        reverse("tiers:setup_benefit_edit", args=[benefit.pk]),
    ]
    for url in urls:
        response = client.post(url, payload)
        assert response.status_code in (200, 302, 400), (url, response.status_code)
    count = reverse("tiers:setup_requirement_count", args=[ladder.gold.pk])
    response = client.get(count, {k: v for k, v in payload.items() if not isinstance(v, list)})
    assert response.status_code == 400 and "errors" in response.json()
    after = (
        _ranks(ladder),
        list(TierRequirement.objects.values()),
        list(TierBenefit.objects.values()),
    )
    assert after == before


@pytest.mark.parametrize("program", ["abc", "99999999999999999999", "-1"])
def test_an_odd_program_in_the_query_string_is_a_4xx(client, ladder, admin, program):
    client.force_login(admin)
    response = client.get(reverse("tiers:setup_tiers"), {"program": program})
    assert 400 <= response.status_code < 500
