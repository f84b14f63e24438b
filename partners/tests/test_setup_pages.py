"""Program setup pages: programs, partner types and offerings. Vendor admins edit (audited, with
each field before and after), channel managers read, partner users get 404; bad input is a 400
with the message on its field; deleting something in use is refused with the references."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AuditEntry
from onboarding.tests.factories import ChecklistTemplateFactory
from partners import setup
from partners.models import Offering, PartnerType, Program
from partners.tests.factories import (
    OfferingFactory,
    PartnerFactory,
    PartnerTypeFactory,
    ProgramFactory,
    TierFactory,
)

pytestmark = pytest.mark.django_db


def _setup_entries():
    return list(AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("id"))


# --- Roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["partners:setup_programs", "partners:setup_types", "partners:setup_offerings"]
)
def test_channel_managers_read_the_setup_lists_and_partner_users_get_404(client_as, name):
    assert client_as("manager_other").get(reverse(name)).status_code == 200
    assert client_as("vendor_admin").get(reverse(name)).status_code == 200
    assert client_as("partner_a_admin").get(reverse(name)).status_code == 404


def test_a_channel_manager_gets_403_on_the_forms_and_changes_nothing(client_as, world):
    manager = client_as("manager_owner")
    program = world.partner_a.program
    assert manager.get(reverse("partners:setup_program_create")).status_code == 403
    response = manager.post(
        reverse("partners:setup_program_edit", args=[program.pk]),
        {"name": "Renamed", "slug": "renamed", "is_active": "on"},
    )
    assert response.status_code == 403
    program.refresh_from_db()
    assert program.name == "Global"
    assert not _setup_entries()


def test_the_read_only_list_shows_no_edit_controls_to_a_channel_manager(client_as):
    page = client_as("manager_owner").get(reverse("partners:setup_programs")).content.decode()
    assert "Global" in page
    assert reverse("partners:setup_program_create") not in page
    assert "Only vendor admins can change them" in page


# --- Programs ------------------------------------------------------------------------------------


def test_a_vendor_admin_adds_a_program_and_the_audit_log_has_it(client_as, world):
    response = client_as("vendor_admin").post(
        reverse("partners:setup_program_create"),
        {"name": "Cloud Partners", "slug": "cloud", "description": "For clouds", "is_active": "on"},
    )
    assert response.status_code == 302
    program = Program.objects.get(slug="cloud")
    (entry,) = _setup_entries()
    assert entry.actor == world.users["vendor_admin"]
    assert entry.target_id == str(program.pk)
    assert entry.details["after"] == {
        "name": "Cloud Partners", "slug": "cloud", "description": "For clouds", "is_active": True,
        "default_language": "",
    }  # fmt: skip


def test_editing_a_program_logs_only_what_changed(client_as, world):
    program = world.partner_a.program
    response = client_as("vendor_admin").post(
        reverse("partners:setup_program_edit", args=[program.pk]),
        {"name": "Global Partner Program", "slug": "global", "is_active": "on"},
    )
    assert response.status_code == 302
    (entry,) = _setup_entries()
    assert entry.details["before"] == {"name": "Global"}
    assert entry.details["after"] == {"name": "Global Partner Program"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Global", "slug": "other"}, "name", "already exists"),
        ({"name": "Other", "slug": "global"}, "slug", "already exists"),
        ({"name": "Other", "slug": "Not a slug!"}, "slug", "valid"),
        ({"name": "", "slug": "other"}, "name", "required"),
    ],
)
def test_a_program_with_a_taken_or_malformed_name_or_slug_is_refused_on_its_field(
    client_as, world, data, field, message
):
    response = client_as("vendor_admin").post(reverse("partners:setup_program_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert Program.objects.count() == 1
    assert not _setup_entries()


def test_archiving_the_only_active_program_is_refused(world, client_as):
    program = world.partner_a.program
    response = client_as("vendor_admin").post(
        reverse("partners:setup_program_archive", args=[program.pk]), {"active": "0"}, follow=True
    )
    program.refresh_from_db()
    assert program.is_active
    assert "only active program" in response.content.decode()


def test_unticking_active_on_the_only_active_program_is_refused_on_its_field(world, client_as):
    program = world.partner_a.program
    response = client_as("vendor_admin").post(
        reverse("partners:setup_program_edit", args=[program.pk]),
        {"name": "Global", "slug": "global"},
    )
    assert response.status_code == 400
    assert "only active program" in " ".join(response.context["form"].errors["is_active"])
    program.refresh_from_db()
    assert program.is_active


def test_a_program_is_archived_and_brought_back_with_its_partners_kept(world, client_as):
    ProgramFactory(name="Services", slug="services")
    program = world.partner_a.program
    admin = client_as("vendor_admin")
    url = reverse("partners:setup_program_archive", args=[program.pk])
    assert admin.post(url, {"active": "0"}).status_code == 302
    program.refresh_from_db()
    assert not program.is_active and program.partners.count() == 2
    admin.post(url, {"active": "1"})
    program.refresh_from_db()
    assert program.is_active
    archived, back = _setup_entries()
    assert archived.details["after"] == {"is_active": False}
    assert back.details["after"] == {"is_active": True}


def test_deleting_a_program_in_use_is_refused_and_lists_what_uses_it(world, client_as):
    program = world.partner_a.program
    ChecklistTemplateFactory(name="Global onboarding", program=program)
    admin = client_as("vendor_admin")
    url = reverse("partners:setup_program_delete", args=[program.pk])
    page = admin.get(url).content.decode()
    for text in ("Alpha Systems", "Bravo Consulting", "Registered", "Global onboarding"):
        assert text in page
    response = admin.post(url)
    assert response.status_code == 409
    assert "still in use" in response.content.decode()
    assert Program.objects.filter(pk=program.pk).exists()
    assert not _setup_entries()


def test_an_unused_program_is_deleted_after_a_confirmation_and_audited(world, client_as):
    program = ProgramFactory(name="Unused", slug="unused")
    admin = client_as("vendor_admin")
    url = reverse("partners:setup_program_delete", args=[program.pk])
    assert "cannot be undone" in admin.get(url).content.decode()
    assert admin.post(url).status_code == 302
    assert not Program.objects.filter(pk=program.pk).exists()
    (entry,) = _setup_entries()
    assert entry.details["flag"] == "deleted"
    assert entry.details["before"]["name"] == "Unused"


def test_a_program_narrowing_a_course_counts_as_a_reference():
    from enablement.tests.factories import CourseFactory

    program = ProgramFactory(name="Narrow", slug="narrow")
    CourseFactory(title="Narrow course").programs.add(program)
    (reference,) = setup.references(program)
    assert reference.count == 1 and reference.names == ["Narrow course"]


def test_the_program_list_shows_tier_and_partner_counts_in_bounded_queries(
    world, client_as, django_assert_max_num_queries
):
    for n in range(15):
        program = ProgramFactory(name=f"P{n}", slug=f"p{n}")
        TierFactory(program=program, rank=1)
        PartnerFactory(program=program, tier=None)
    admin = client_as("vendor_admin")
    with django_assert_max_num_queries(8):
        response = admin.get(reverse("partners:setup_programs"))
    rows = {p.name: (p.tier_count, p.partner_count) for p in response.context["programs"]}
    assert rows["Global"] == (2, 2) and rows["P3"] == (1, 1)


# --- Partner types -------------------------------------------------------------------------------


def test_a_vendor_admin_adds_and_edits_a_partner_type(client_as):
    admin = client_as("vendor_admin")
    assert admin.post(
        reverse("partners:setup_type_create"), {"name": "Distributor", "slug": "distributor"}
    ).status_code == 302  # fmt: skip
    partner_type = PartnerType.objects.get(slug="distributor")
    admin.post(
        reverse("partners:setup_type_edit", args=[partner_type.pk]),
        {"name": "Distributor", "slug": "distributor", "description": "Two-tier"},
    )
    added, changed = _setup_entries()
    assert added.details["after"]["name"] == "Distributor"
    assert changed.details["before"] == {"description": ""}
    assert changed.details["after"] == {"description": "Two-tier"}


def test_a_partner_type_slug_must_be_unique(world, client_as):
    response = client_as("vendor_admin").post(
        reverse("partners:setup_type_create"), {"name": "Resellers", "slug": "reseller"}
    )
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors


def test_deleting_a_partner_type_in_use_lists_ten_partners_and_counts_the_rest(client_as, world):
    partner_type = PartnerTypeFactory(name="Referral", slug="referral")
    for n in range(13):
        PartnerFactory(name=f"Referrer {n:02d}", partner_type=partner_type)
    admin = client_as("vendor_admin")
    url = reverse("partners:setup_type_delete", args=[partner_type.pk])
    page = admin.get(url).content.decode()
    assert page.count("Referrer ") == 10
    assert "and 3 more" in page
    assert admin.post(url).status_code == 409
    assert PartnerType.objects.filter(pk=partner_type.pk).exists()


def test_an_unused_partner_type_is_deleted(client_as, world):
    partner_type = PartnerTypeFactory(name="Unused", slug="unused")
    assert client_as("vendor_admin").post(
        reverse("partners:setup_type_delete", args=[partner_type.pk])
    ).status_code == 302  # fmt: skip
    assert not PartnerType.objects.filter(pk=partner_type.pk).exists()


# --- Offerings -----------------------------------------------------------------------------------


def _offering_data(**extra):
    return {
        "name": "Widgets Cloud", "slug": "widgets-cloud", "kind": "product",
        "launched_on": "2026-01-15", "is_active": "on", **extra,
    }  # fmt: skip


def test_a_vendor_admin_adds_an_offering_for_one_program_and_lands_on_its_rules(client_as, world):
    program = world.partner_a.program
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_create"), _offering_data(programs=[program.pk])
    )
    offering = Offering.objects.get(slug="widgets-cloud")
    assert response["Location"] == reverse("partners:setup_offering_edit", args=[offering.pk])
    assert list(offering.programs.all()) == [program]
    assert not offering.partner_types.exists()  # none ticked: every type
    (entry,) = _setup_entries()
    assert entry.details["after"]["programs"] == ["Global"]
    assert entry.details["after"]["launched_on"] == "2026-01-15"


@pytest.mark.parametrize("launched_on", ["1970-01-01", "2199-01-01"])
def test_a_launch_date_outside_the_sane_range_is_refused(client_as, world, launched_on):
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_create"), _offering_data(launched_on=launched_on)
    )
    assert response.status_code == 400
    assert "launched_on" in response.context["form"].errors
    assert not Offering.objects.exists()


def test_an_offering_keeps_its_slug(world):
    from accounts.tests.factories import VendorAdminFactory

    offering = OfferingFactory(slug="kept")
    with pytest.raises(Exception, match="slug cannot change"):
        setup.offering_update(
            actor=VendorAdminFactory(), offering=offering, data={"slug": "changed"}
        )


def test_archiving_an_offering_takes_it_out_of_active_lists_and_is_audited(client_as, world):
    offering = OfferingFactory(name="Old box", slug="old-box")
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_archive", args=[offering.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    assert not Offering.objects.filter(is_active=True, pk=offering.pk).exists()
    (entry,) = _setup_entries()
    assert entry.details["before"] == {"is_active": True}


def test_the_offering_list_reads_its_audience_in_bounded_queries(
    client_as, world, django_assert_max_num_queries
):
    program = world.partner_a.program
    for n in range(20):
        OfferingFactory(launched_on=timezone.localdate() - datetime.timedelta(days=n)).programs.add(
            program
        )
    admin = client_as("vendor_admin")
    with django_assert_max_num_queries(9):
        page = admin.get(reverse("partners:setup_offerings"))
    assert page.content.decode().count("Global") >= 20
