"""Setup pages write their changes through kernel.setup_log; the audit log shows who changed what,
each field before and after."""

import pytest
from django.urls import reverse

from accounts.choices import VendorRole
from accounts.tests.factories import UserFactory
from audit.choices import AuditAction
from audit.models import AuditEntry
from kernel import setup_log
from partners.models import Program

pytestmark = pytest.mark.django_db


def test_a_setup_change_keeps_only_the_changed_fields_before_and_after(client):
    admin = UserFactory(vendor_role=VendorRole.ADMIN, full_name="Ada Admin")
    program = Program.objects.create(name="Gold path", slug="gold-path")
    setup_log.log_setup_change(
        actor=admin, obj=program, action=setup_log.ADDED,
        after=setup_log.snapshot(program, ["name", "slug", "is_active"]), summary="Program added",
    )  # fmt: skip
    before = setup_log.snapshot(program, ["name", "slug", "is_active"])
    program.name = "Platinum path"
    program.save()
    setup_log.log_setup_change(
        actor=admin, obj=program, action=setup_log.CHANGED, before=before,
        after=setup_log.snapshot(program, ["name", "slug", "is_active"]), summary="Program edited",
    )  # fmt: skip

    added, changed = AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("id")
    assert added.actor == admin and added.details["flag"] == "added"
    assert added.details["after"] == {"name": "Gold path", "slug": "gold-path", "is_active": True}
    assert changed.target_repr == "Platinum path" and changed.target_id == str(program.pk)
    assert changed.details["before"] == {"name": "Gold path"}
    assert changed.details["after"] == {"name": "Platinum path"}

    client.force_login(admin)
    page = client.get(reverse("audit:log")).content.decode()
    assert "Changed in setup" in page and "Program edited" in page
    assert "<del>Gold path</del>" in page and "<ins>Platinum path</ins>" in page


def test_a_change_that_changes_nothing_is_not_logged():
    admin = UserFactory(vendor_role=VendorRole.ADMIN)
    program = Program.objects.create(name="Silver path", slug="silver-path")
    same = setup_log.snapshot(program, ["name"])
    assert setup_log.log_setup_change(
        actor=admin, obj=program, action=setup_log.CHANGED, before=same, after=same
    ) is None  # fmt: skip
    assert not AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).exists()


def test_an_admin_change_log_line_is_not_mistaken_for_a_setup_change():
    assert setup_log.parse('[{"changed": {"fields": ["name"]}}]') is None
    assert setup_log.parse("Setup pages: course edited") is None
    assert setup_log.parse('{"before": {}}') is None
    assert setup_log.parse('{"setup": "x", "before": {}, "after": {}}')["setup"] == "x"
