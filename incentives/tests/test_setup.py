"""Incentives' setup pages: award rules (event kinds from the registry, sane points and limits,
deactivation) and MDF allocations (amounts never below what is approved, no delete while
requests use one), their audit trail, and the pages for every role."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from events.choices import EventKind
from events.services import record_event
from events.tests.payloads import payload
from incentives import services as incentive_services
from incentives.models import Award, AwardRule, MdfAllocation
from incentives.services import setup
from incentives.tests.factories import allocation, badge, mdf_request, rule
from partners.tests.factories import PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db

STAFF_READ = {"anonymous": LOGIN, "partner_a_admin": 404, "partner_a_user": 404} | {
    "partner_b_admin": 404, "manager_owner": 200, "manager_other": 200, "vendor_admin": 200,
}  # fmt: skip


def _entries(pk, model):
    return AuditEntry.objects.filter(
        action=AuditAction.SETUP_CHANGE, target_type=model, target_id=str(pk)
    ).order_by("id")


def _rule_data(**overrides):
    return {
        "name": "Deal won", "event_kind": EventKind.DEAL_WON.value, "points": 50, "badge": None,
        "scope": "partner", "first_only": False, "cap": None, "program": None,
    } | overrides  # fmt: skip


# --- Award rules ----------------------------------------------------------------------------


def test_a_new_rule_awards_from_then_on_and_is_audited(world):
    created = setup.award_rule_create(actor=world.users["vendor_admin"], data=_rule_data())
    record_event(
        kind="deal.won", key="won-1", user=world.users["partner_a_admin"],
        properties=payload("deal.won", {"deal": 1}),
    )  # fmt: skip
    incentive_services.awards_catch_up()
    assert Award.objects.get().rule == created
    entry = _entries(created.pk, "awardrule").get()
    assert entry.details["flag"] == "added" and entry.details["after"]["points"] == 50
    assert entry.details["after"]["event_kind"] == "deal.won"


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("name", {"name": "  "}),
        ("event_kind", {"event_kind": "deal.wonn"}),
        ("event_kind", {"event_kind": "points.awarded"}),
        ("points", {"points": -1}),
        ("points", {"points": setup.MAX_POINTS + 1}),
        ("points", {"points": 0}),  # and no badge: the rule would give nothing
        ("scope", {"scope": "everyone"}),
        ("cap", {"cap": 0}),
        ("cap", {"cap": setup.MAX_CAP + 1}),
        ("cap", {"first_only": True, "cap": 3}),
    ],
)
def test_bad_rules_are_refused_on_their_field(world, field, overrides):
    with pytest.raises(ValidationError) as exc:
        setup.award_rule_create(actor=world.users["vendor_admin"], data=_rule_data(**overrides))
    assert field in exc.value.message_dict
    assert not AwardRule.objects.exists()


def test_a_badge_alone_is_a_valid_rule(world):
    created = setup.award_rule_create(
        actor=world.users["vendor_admin"],
        data=_rule_data(points=0, badge=badge("closer", "Closer"), first_only=True),
    )
    assert created.badge.name == "Closer" and created.limit == 1


def test_editing_and_deactivating_a_rule_is_audited_before_and_after(world):
    admin = world.users["vendor_admin"]
    existing = rule(kind="deal.won", points=10)
    setup.award_rule_update(actor=admin, rule=existing, data=_rule_data(points=25, cap=5))
    setup.award_rule_set_active(actor=admin, rule=existing, active=False)
    setup.award_rule_set_active(actor=admin, rule=existing, active=False)  # no change, no line
    existing.refresh_from_db()
    assert (existing.points, existing.cap, existing.is_active) == (25, 5, False)
    edited, deactivated = _entries(existing.pk, "awardrule")
    assert edited.details["before"]["points"] == 10 and edited.details["after"]["points"] == 25
    assert deactivated.details["before"] == {"is_active": True}
    assert deactivated.details["after"] == {"is_active": False}


def test_the_rule_form_offers_the_registrys_event_kinds_and_refuses_free_text(client_as, world):
    client = client_as("vendor_admin")
    url = reverse("incentives:setup_award_rule_create")
    form = client.get(url).context["form"]
    kinds = [value for value, _label in form.fields["event_kind"].choices]
    assert "deal.won" in kinds and "points.awarded" not in kinds
    assert set(kinds) <= set(EventKind.values)
    data = {"name": "Custom", "event_kind": "my.custom", "points": 5, "scope": "partner"}
    response = client.post(url, data)
    assert response.status_code == 400 and response.context["form"].errors["event_kind"]
    response = client.post(url, data | {"event_kind": "deal.won"})
    assert response.status_code == 302
    assert AwardRule.objects.get().event_kind == "deal.won"


def test_channel_managers_read_the_rules_but_cannot_change_them(client_as, world):
    existing = rule(kind="deal.won", points=10)
    for name in ("incentives:setup_award_rules", "incentives:rules"):
        assert_role_matrix(client_as, reverse(name), STAFF_READ)
    manager = client_as("manager_owner")
    assert manager.get(reverse("incentives:setup_award_rule_create")).status_code == 403
    for name in ("setup_award_rule_edit", "setup_award_rule_deactivate"):
        url = reverse(f"incentives:{name}", args=[existing.pk])
        form = {"name": "X", "event_kind": "deal.won", "points": 1, "scope": "partner"}
        assert manager.post(url, form).status_code == 403
        assert client_as("partner_a_admin").post(url).status_code == 404
    existing.refresh_from_db()
    assert existing.points == 10 and existing.is_active


def test_the_rules_page_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    for i in range(15):
        rule(kind="deal.won", points=i + 1, badge=badge(f"b{i}", f"Badge {i}"), name=f"Rule {i}")
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("incentives:setup_award_rules"))
    assert "Rule 14" in response.content.decode()


# --- MDF allocations ------------------------------------------------------------------------


def test_an_allocation_is_never_lowered_below_what_is_approved(world):
    request = mdf_request(world=world, amount="4000.00", approve=True)
    alloc = request.allocation
    with pytest.raises(ValidationError) as exc:
        setup.allocation_amount_set(
            actor=world.users["vendor_admin"], allocation=alloc, amount=Decimal("3999.99")
        )
    assert "4,000.00 USD" in exc.value.message_dict["amount"][0]
    alloc.refresh_from_db()
    assert alloc.amount == Decimal("10000.00")
    setup.allocation_amount_set(
        actor=world.users["vendor_admin"], allocation=alloc, amount=Decimal("4000.00")
    )
    alloc.refresh_from_db()
    assert alloc.amount == Decimal("4000.00") and alloc.remaining == 0
    changed = _entries(alloc.pk, "mdfallocation").last()
    assert changed.details["before"] == {"amount": "10000"}
    assert changed.details["after"] == {"amount": "4000"}


@pytest.mark.parametrize("amount", [Decimal("-1"), Decimal("1e12"), Decimal("1.001"), None])
def test_bad_amounts_are_refused_on_the_amount_field(world, amount):
    alloc = allocation(partner=world.partner_a, actor=world.users["vendor_admin"])
    with pytest.raises(ValidationError) as exc:
        setup.allocation_amount_set(
            actor=world.users["vendor_admin"], allocation=alloc, amount=amount
        )
    assert "amount" in exc.value.message_dict


def test_creating_an_allocation_is_audited(world):
    alloc = allocation(partner=world.partner_a, actor=world.users["vendor_admin"])
    entry = _entries(alloc.pk, "mdfallocation").get()
    assert entry.details["flag"] == "added"
    assert entry.details["after"]["partner"] == "Alpha Systems"


def test_an_allocation_with_requests_cannot_be_deleted(world):
    request = mdf_request(world=world, title="Spring roadshow")
    with pytest.raises(ValidationError) as exc:
        setup.allocation_delete(actor=world.users["vendor_admin"], allocation=request.allocation)
    assert "1 fund request" in exc.value.messages[0] and "Spring roadshow" in exc.value.messages[0]
    assert MdfAllocation.objects.filter(pk=request.allocation_id).exists()


def test_an_unused_allocation_is_deleted_and_audited(world):
    alloc = allocation(partner=world.partner_a, actor=world.users["vendor_admin"])
    pk = alloc.pk
    setup.allocation_delete(actor=world.users["vendor_admin"], allocation=alloc)
    assert not MdfAllocation.objects.filter(pk=pk).exists()
    assert _entries(pk, "mdfallocation").last().details["flag"] == "deleted"


def test_channel_managers_read_allocations_but_cannot_change_them(client_as, world):
    request = mdf_request(world=world)
    alloc = request.allocation
    assert_role_matrix(client_as, reverse("incentives:setup_allocations"), STAFF_READ)
    manager = client_as("manager_owner")  # even the owner: the setup page is for vendor admins
    edit = reverse("incentives:setup_allocation_edit", args=[alloc.pk])
    assert manager.get(edit).status_code == 403
    assert manager.post(edit, {"amount": "1"}).status_code == 403
    delete = reverse("incentives:setup_allocation_delete", args=[alloc.pk])
    assert manager.post(delete).status_code == 403
    assert client_as("partner_a_admin").post(edit, {"amount": "1"}).status_code == 404
    alloc.refresh_from_db()
    assert alloc.amount == Decimal("10000.00")


def test_the_edit_page_shows_a_refused_lowering_on_the_field(client_as, world):
    request = mdf_request(world=world, amount="2500.00", approve=True)
    client = client_as("vendor_admin")
    url = reverse("incentives:setup_allocation_edit", args=[request.allocation_id])
    response = client.post(url, {"amount": "100.00"})
    assert response.status_code == 400
    assert "already approved" in response.context["form"].errors["amount"][0]
    assert client.post(url, {"amount": "12000.00"}).status_code == 302
    refused = client.post(
        reverse("incentives:setup_allocation_delete", args=[request.allocation_id])
    )
    assert refused.status_code == 302 and refused["Location"] == url


def test_the_allocation_list_shows_spent_and_left_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    mdf_request(world=world, amount="1500.00", approve=True)
    mdf_request(world=world, amount="700.00")
    for i in range(10):
        partner = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier)
        allocation(partner=partner, actor=world.users["vendor_admin"], amount=f"{i + 1}000.00")
    client = client_as("manager_other")
    with django_assert_max_num_queries(10):
        response = client.get(reverse("incentives:setup_allocations"))
    row = next(a for a in response.context["page"] if a.partner_id == world.partner_a.pk)
    assert (row.committed, row.remaining, row.pending, row.request_count) == (
        Decimal("1500.00"), Decimal("8500.00"), Decimal("700.00"), 2,
    )  # fmt: skip
    filtered = client.get(reverse("incentives:setup_allocations"), {"partner": world.partner_a.pk})
    assert [a.partner_id for a in filtered.context["page"]] == [world.partner_a.pk]
