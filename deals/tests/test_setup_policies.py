"""Registration policies on the setup page: ranges and uniqueness as field messages, whom a policy
reaches, the audit trail, and the pages for every role."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from deals import services as deal_services
from deals.models import RegistrationPolicy
from deals.setup_selectors import Reach, policy_reach
from deals.setup_services import (
    registration_policy_create,
    registration_policy_delete,
    registration_policy_update,
)
from deals.tests.factories import make_deal
from partners.tests.factories import PartnerFactory, ProgramFactory, TierFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db


def _entries(pk):
    return AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE, target_id=str(pk)).order_by(
        "id"
    )


def _create(world, **overrides):
    data = {
        "program": world.partner_a.program,
        "tier": None,
        "protection_days": 60,
        "warning_days": 10,
    } | overrides
    return registration_policy_create(actor=world.users["vendor_admin"], **data)


def test_a_new_policy_sets_the_protection_of_registrations_approved_from_then_on(world):
    policy = _create(world, protection_days=30)
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    deal = deal_services.deal_approve(deal=deal, actor=world.users["manager_owner"])
    assert deal.protected_until == deal.decided_at + timedelta(days=30)
    entry = _entries(policy.pk).get()
    assert entry.details["flag"] == "added"
    assert entry.details["after"] == {
        "program": "Global", "tier": None, "protection_days": 30, "warning_days": 10,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("protection_days", {"protection_days": 0}),
        ("protection_days", {"protection_days": 731}),
        ("warning_days", {"warning_days": 0}),
        ("warning_days", {"warning_days": 91}),
        ("warning_days", {"protection_days": 20, "warning_days": 20}),
        ("program", {"program": None}),
    ],
)
def test_out_of_range_values_are_refused_on_their_field(world, field, overrides):
    with pytest.raises(ValidationError) as exc:
        _create(world, **overrides)
    assert field in exc.value.message_dict
    assert not RegistrationPolicy.objects.exists()


def test_a_tier_of_another_program_is_refused(world):
    other_tier = TierFactory(program=ProgramFactory(), rank=1, name="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        _create(world, tier=other_tier)
    assert "another program" in exc.value.message_dict["tier"][0]


def test_one_default_and_one_policy_per_tier_for_a_program(world):
    tier = world.partner_a.tier
    _create(world)
    _create(world, tier=tier)
    with pytest.raises(ValidationError) as exc:
        _create(world)
    assert "all its tiers" in exc.value.message_dict["tier"][0]
    with pytest.raises(ValidationError) as exc:
        _create(world, tier=tier)
    assert tier.name in exc.value.message_dict["tier"][0]
    assert RegistrationPolicy.objects.count() == 2


def test_editing_keeps_uniqueness_and_is_audited_before_and_after(world):
    tier = world.partner_a.tier
    default = _create(world)
    tiered = _create(world, tier=tier)
    with pytest.raises(ValidationError):
        registration_policy_update(
            actor=world.users["vendor_admin"], policy=tiered, program=tiered.program, tier=None,
            protection_days=60, warning_days=10,
        )  # fmt: skip
    registration_policy_update(
        actor=world.users["vendor_admin"], policy=default, program=default.program, tier=None,
        protection_days=120, warning_days=10,
    )  # fmt: skip
    edited = _entries(default.pk).last()
    assert edited.details["before"] == {"protection_days": 60}
    assert edited.details["after"] == {"protection_days": 120}


def test_deleting_is_audited_and_partners_fall_back_to_the_default(world):
    policy = _create(world, protection_days=30)
    registration_policy_delete(actor=world.users["vendor_admin"], policy=policy)
    assert not RegistrationPolicy.objects.exists()
    assert _entries(policy.pk).last().details["flag"] == "deleted"
    deal = make_deal(user=world.users["partner_a_user"], submit=True)
    deal = deal_services.deal_approve(deal=deal, actor=world.users["manager_owner"])
    assert deal.protected_until == deal.decided_at + timedelta(days=90)


def test_a_policy_reaches_its_tiers_partners_and_the_default_the_rest(world):
    silver = world.partner_a.program.tiers.get(name="Silver")
    default = _create(world)
    for_silver = _create(world, tier=silver)
    PartnerFactory(program=world.partner_a.program, tier=silver)
    PartnerFactory(program=world.partner_a.program, tier=None)
    make_deal(user=world.users["partner_a_user"], submit=True)
    approved = make_deal(
        user=world.users["partner_a_user"], submit=True, customer_name="Initech",
        customer_domain="initech.example",
    )  # fmt: skip
    deal_services.deal_approve(deal=approved, actor=world.users["manager_owner"])
    make_deal(user=world.users["partner_a_user"], customer_name="Draft Co")  # a draft: not counted

    reach = policy_reach([default, for_silver])
    # A and B are Registered (no tier policy), plus one without a tier: the default's
    assert reach[default.pk] == Reach(partners=3, submitted=1, protected=1)
    assert reach[for_silver.pk] == Reach(partners=1, submitted=0, protected=0)


def test_staff_read_the_policies_and_partners_get_404(client_as, world):
    assert_role_matrix(
        client_as,
        reverse("deals:setup_policies"),
        {"anonymous": LOGIN, "partner_a_admin": 404, "partner_a_user": 404}
        | {"partner_b_admin": 404, "manager_owner": 200, "manager_other": 200}
        | {"vendor_admin": 200},
    )


def test_channel_managers_cannot_change_policies(client_as, world):
    policy = _create(world)
    manager = client_as("manager_owner")
    data = {"program": policy.program_id, "protection_days": 5, "warning_days": 1}
    assert manager.get(reverse("deals:setup_policy_create")).status_code == 403
    assert manager.post(reverse("deals:setup_policy_create"), data).status_code == 403
    edit = reverse("deals:setup_policy_edit", args=[policy.pk])
    assert manager.post(edit, data).status_code == 403
    assert manager.post(reverse("deals:setup_policy_delete", args=[policy.pk])).status_code == 403
    assert client_as("partner_a_admin").post(edit, data).status_code == 404
    policy.refresh_from_db()
    assert policy.protection_days == 60


def test_the_form_shows_refusals_on_their_fields_and_saves_good_input(client_as, world):
    _create(world)
    client = client_as("vendor_admin")
    url = reverse("deals:setup_policy_create")
    program = world.partner_a.program
    duplicate = client.post(url, {"program": program.pk, "protection_days": 30, "warning_days": 5})
    assert duplicate.status_code == 400 and duplicate.context["form"].errors["tier"]
    too_long = client.post(url, {"program": program.pk, "protection_days": 9999, "warning_days": 5})
    assert too_long.status_code == 400 and too_long.context["form"].errors["protection_days"]
    saved = client.post(
        url,
        {"program": program.pk, "tier": world.partner_a.tier_id, "protection_days": 45,
         "warning_days": 7},
    )  # fmt: skip
    assert saved.status_code == 302
    assert RegistrationPolicy.objects.get(tier=world.partner_a.tier).protection_days == 45


def test_the_edit_page_says_whom_the_policy_reaches(client_as, world):
    policy = _create(world)
    make_deal(user=world.users["partner_a_user"], submit=True)
    body = (
        client_as("vendor_admin")
        .get(reverse("deals:setup_policy_edit", args=[policy.pk]))
        .content.decode()
    )
    assert "2 partners" in body and "1 registration awaiting review" in body


def test_the_policy_list_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    for i in range(6):
        program = ProgramFactory(name=f"Program {i}", slug=f"program-{i}")
        tier = TierFactory(program=program, rank=1, name="Entry")
        RegistrationPolicy.objects.create(program=program, protection_days=30)
        RegistrationPolicy.objects.create(program=program, tier=tier, protection_days=40)
        PartnerFactory(program=program, tier=tier)
    client = client_as("manager_other")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("deals:setup_policies"))
    assert response.status_code == 200 and "Program 5" in response.content.decode()
