"""Owner rules on the setup page: which channel managers get a region's new partners."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import ChannelManagerFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from onboarding.models import OwnerRule
from onboarding.services import owner_pick, setup
from partners.choices import Region
from partners.tests.factories import PartnerFactory
from tests.roles import LOGIN, assert_role_matrix

pytestmark = pytest.mark.django_db


def _entries(pk):
    return AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE, target_id=str(pk)).order_by(
        "id"
    )


def test_adding_a_rule_sends_the_regions_new_partners_to_that_manager(world):
    emea = ChannelManagerFactory(full_name="Erika Emea")
    rule = setup.owner_rule_create(
        actor=world.users["vendor_admin"], region=Region.EMEA, manager=emea
    )
    assert owner_pick(region=Region.EMEA) == emea
    entry = _entries(rule.pk).get()
    assert entry.details["flag"] == "added"
    assert entry.details["after"] == {
        "region": "Europe, Middle East & Africa",
        "manager": "Erika Emea",
    }


def test_the_same_rule_twice_is_refused_on_the_manager_field(world):
    manager = world.users["manager_owner"]
    setup.owner_rule_create(actor=world.users["vendor_admin"], region=Region.APAC, manager=manager)
    with pytest.raises(ValidationError) as exc:
        setup.owner_rule_create(
            actor=world.users["vendor_admin"], region=Region.APAC, manager=manager
        )
    assert "already gets new partners" in exc.value.message_dict["manager"][0]
    assert OwnerRule.objects.count() == 1


def test_a_deactivated_manager_cannot_be_named(world):
    gone = ChannelManagerFactory(full_name="Gone Person", is_active=False)
    with pytest.raises(ValidationError) as exc:
        setup.owner_rule_create(actor=world.users["vendor_admin"], region=Region.EMEA, manager=gone)
    assert "deactivated" in exc.value.message_dict["manager"][0]


def test_only_a_channel_manager_can_be_named(world):
    for person in (world.users["vendor_admin"], world.users["partner_a_admin"]):
        with pytest.raises(ValidationError) as exc:
            setup.owner_rule_create(
                actor=world.users["vendor_admin"], region=Region.EMEA, manager=person
            )
        assert "not a channel manager" in exc.value.message_dict["manager"][0]
    assert not OwnerRule.objects.exists()


def test_an_unknown_region_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        setup.owner_rule_create(
            actor=world.users["vendor_admin"], region="mars", manager=world.users["manager_owner"]
        )
    assert "region" in exc.value.message_dict


def test_removing_a_rule_is_audited_and_keeps_the_managers_partners(world):
    manager = world.users["manager_owner"]
    rule = OwnerRule.objects.create(region=Region.EMEA, manager=manager)
    setup.owner_rule_delete(actor=world.users["vendor_admin"], rule=rule)
    assert not OwnerRule.objects.exists()
    world.partner_a.refresh_from_db()
    assert world.partner_a.owner == manager
    deleted = _entries(rule.pk).last()
    assert deleted.details["flag"] == "deleted" and deleted.details["before"]["region"]


def test_staff_read_the_rules_and_partners_get_404(client_as, world):
    assert_role_matrix(
        client_as,
        reverse("onboarding:setup_owner_rules"),
        {"anonymous": LOGIN, "partner_a_admin": 404, "partner_a_user": 404}
        | {"partner_b_admin": 404, "manager_owner": 200, "manager_other": 200}
        | {"vendor_admin": 200},
    )


def test_channel_managers_cannot_add_or_remove_rules(client_as, world):
    rule = OwnerRule.objects.create(region=Region.EMEA, manager=world.users["manager_owner"])
    manager = client_as("manager_other")
    page = manager.get(reverse("onboarding:setup_owner_rules")).content.decode()
    assert reverse("onboarding:setup_owner_rule_create") not in page  # read only: no form
    data = {"region": Region.APAC, "manager": world.users["manager_other"].pk}
    assert manager.post(reverse("onboarding:setup_owner_rule_create"), data).status_code == 403
    delete = reverse("onboarding:setup_owner_rule_delete", args=[rule.pk])
    assert manager.post(delete).status_code == 403
    assert client_as("partner_a_admin").post(delete).status_code == 404
    assert list(OwnerRule.objects.all()) == [rule]


def test_a_vendor_admin_adds_a_rule_and_a_refusal_shows_on_the_field(client_as, world):
    client = client_as("vendor_admin")
    url = reverse("onboarding:setup_owner_rule_create")
    manager = world.users["manager_other"]
    response = client.post(url, {"region": Region.LATIN_AMERICA, "manager": manager.pk})
    assert response.status_code == 302
    assert OwnerRule.objects.filter(region=Region.LATIN_AMERICA, manager=manager).exists()
    again = client.post(url, {"region": Region.LATIN_AMERICA, "manager": manager.pk})
    assert again.status_code == 400 and again.context["form"].errors["manager"]
    inactive = ChannelManagerFactory(is_active=False)
    refused = client.post(url, {"region": Region.EMEA, "manager": inactive.pk})
    assert refused.status_code == 400 and refused.context["form"].errors["manager"]
    assert OwnerRule.objects.count() == 1


def test_the_rules_page_names_managers_with_their_partner_counts_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    named = []
    for i in range(8):
        manager = ChannelManagerFactory(full_name=f"Manager {i}", email=f"m{i}@vendor.example")
        OwnerRule.objects.create(region=Region.EMEA if i % 2 else Region.APAC, manager=manager)
        named.append(manager)
    PartnerFactory.create_batch(3, owner=named[1], region=Region.EMEA)
    PartnerFactory(owner=named[1], region=Region.APAC)
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("onboarding:setup_owner_rules"))
    body = response.content.decode()
    assert "Manager 1" in body and "m1@vendor.example" not in body
    rule = next(r for g in response.context["regions"] for r in g["rules"] if r.manager == named[1])
    assert (rule.partners_in_region, rule.partners_owned) == (3, 4)
    # the form offers active channel managers only, by name
    choices = [label for _value, label in response.context["form"].fields["manager"].choices]
    assert "Manager 1" in choices and world.users["vendor_admin"].display_name not in choices
