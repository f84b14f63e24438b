"""The setup hub (every setup area with a live count) and an offering's adoption rules, built from
a form: kinds picked from the events registry, audited, and followed by the adoption figures."""

import pytest
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from console import setup
from metrics.adoption_rules import current_rules, trusted_offerings
from metrics.models import OfferingAdoptionRule, OfferingSpanRules
from metrics.summaries import refresh
from partners.tests.factories import OfferingFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def _setup_entries():
    return list(AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("id"))


# --- The hub -------------------------------------------------------------------------------------


def test_the_hub_lists_the_setup_areas_with_live_counts(client_as, world):
    ProgramFactory(name="Services", slug="services")
    response = client_as("vendor_admin").get(reverse("console:setup"))
    assert response.status_code == 200
    areas = {item["area"].url_name: item for g in response.context["groups"] for item in g["areas"]}
    assert areas["partners:setup_programs"]["count"] == 2
    assert areas["partners:setup_programs"]["url"] == reverse("partners:setup_programs")
    for name in ("enablement:setup_courses", "webhooks:list", "staff", "audit:log"):
        assert name in areas
    assert areas["staff"]["count"] == 3  # two channel managers and the vendor admin
    assert areas["audit:log"]["count"] is None  # the log is too big to count on every visit


def test_the_hub_leaves_out_areas_a_channel_manager_cannot_open(client_as, world):
    response = client_as("manager_owner").get(reverse("console:setup"))
    names = {item["area"].url_name for g in response.context["groups"] for item in g["areas"]}
    assert "partners:setup_programs" in names and "staff" in names
    assert "webhooks:list" not in names and "audit:log" not in names
    assert "Only vendor admins can change it" in response.content.decode()


def test_the_hub_leaves_out_areas_whose_pages_are_not_installed(client_as, world, monkeypatch):
    missing = setup.Area("nowhere:setup_things", "Things", "Not built yet", "partners.Program")
    unknown_model = setup.Area("partners:setup_types", "Types", "x", "nowhere.Thing")
    monkeypatch.setattr(setup, "GROUPS", [("Group", [missing, unknown_model])])
    response = client_as("vendor_admin").get(reverse("console:setup"))
    (group,) = response.context["groups"]
    (item,) = group["areas"]
    assert item["area"] is unknown_model and item["count"] is None
    assert "Things" not in response.content.decode()


def test_partner_users_get_404_for_the_hub(client_as):
    assert client_as("partner_a_admin").get(reverse("console:setup")).status_code == 404
    assert client_as("partner_a_user").get(reverse("console:setup")).status_code == 404


def test_the_hub_counts_every_area_in_one_query(client_as, world, django_assert_max_num_queries):
    admin = client_as("vendor_admin")
    admin.get(reverse("console:setup"))  # warm the session
    with django_assert_max_num_queries(6):
        response = admin.get(reverse("console:setup"))
    assert response.status_code == 200


# --- An offering's adoption rules ----------------------------------------------------------------


def _rule(**extra):
    return {"description": "A deal won with it lately", "kinds": ["deal.won"], "window_days": "60",
            "min_events": "2", **extra}  # fmt: skip


def test_an_offering_without_rules_shows_the_default_rules(client_as, world):
    offering = OfferingFactory(name="Widgets Pro")
    page = client_as("vendor_admin").get(
        reverse("partners:setup_offering_edit", args=[offering.pk])
    )
    assert page.status_code == 200
    assert "the default rules apply" in page.content.decode()
    assert "Product usage reported in the last 30 days" in page.content.decode()


def test_the_rule_form_offers_only_event_kinds_that_name_offerings(client_as, world):
    offering = OfferingFactory()
    page = client_as("vendor_admin").get(
        reverse("partners:setup_offering_rule_create", args=[offering.pk])
    )
    values = {value for value, _label in page.context["form"].fields["kinds"].choices}
    assert {"deal.won", "offering.used", "certification.earned"} <= values
    assert "auth.login" not in values and "partner.created" not in values


def test_a_vendor_admin_adds_a_rule_from_the_form_and_the_audit_log_has_it(client_as, world):
    offering = OfferingFactory(name="Widgets Pro")
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_rule_create", args=[offering.pk]),
        _rule(kinds=["deal.won", "deal.submitted"]),
    )
    assert response["Location"] == reverse("partners:setup_offering_edit", args=[offering.pk])
    rule = OfferingAdoptionRule.objects.get(offering=offering)
    assert rule.kinds == ["deal.won", "deal.submitted"]
    assert (rule.window_days, rule.min_events) == (60, 2)
    (entry,) = _setup_entries()
    assert entry.details["after"]["kinds"] == '["deal.won", "deal.submitted"]'
    assert "Widgets Pro" in entry.details["summary"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_rule(kinds=[]), "kinds"),
        (_rule(kinds=["auth.login"]), "kinds"),
        (_rule(window_days="0"), "window_days"),
        (_rule(window_days="99999"), "window_days"),
        (_rule(min_events="0"), "min_events"),
        (_rule(description=""), "description"),
    ],
)
def test_a_bad_rule_is_refused_on_its_field_and_nothing_is_saved(client_as, world, data, field):
    offering = OfferingFactory()
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_rule_create", args=[offering.pk]), data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not OfferingAdoptionRule.objects.exists()
    assert not _setup_entries()


def test_editing_a_rule_logs_before_and_after_and_the_stored_spans_are_no_longer_trusted(
    client_as, world
):
    offering = OfferingFactory(slug="widgets-pro")
    rule = OfferingAdoptionRule.objects.create(
        offering=offering, description="A deal won", kinds=["deal.won"], window_days=90
    )
    refresh(partner_ids=None)  # spans computed with the current rules
    assert OfferingSpanRules.objects.filter(offering="widgets-pro").exists()
    assert "widgets-pro" in trusted_offerings(current_rules())

    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_rule_edit", args=[rule.pk]),
        _rule(description="A deal won", kinds=["deal.won"], window_days="30", min_events="1"),
    )
    assert response.status_code == 302
    (entry,) = _setup_entries()
    assert entry.details["before"] == {"window_days": 90}
    assert entry.details["after"] == {"window_days": 30}
    # readers compute from the usage rows until the next refresh rebuilds the spans
    assert "widgets-pro" not in trusted_offerings(current_rules())
    refresh(partner_ids=[])
    assert "widgets-pro" in trusted_offerings(current_rules())


def test_removing_the_last_rule_brings_back_the_defaults(client_as, world):
    offering = OfferingFactory()
    rule = OfferingAdoptionRule.objects.create(
        offering=offering, description="Used", kinds=["offering.used"], window_days=None
    )
    admin = client_as("vendor_admin")
    assert admin.post(
        reverse("partners:setup_offering_rule_delete", args=[rule.pk])
    ).status_code == 302  # fmt: skip
    assert not OfferingAdoptionRule.objects.exists()
    (entry,) = _setup_entries()
    assert entry.details["flag"] == "deleted" and entry.details["before"]["description"] == "Used"
    page = admin.get(reverse("partners:setup_offering_edit", args=[offering.pk]))
    assert "the default rules apply" in page.content.decode()


def test_a_channel_manager_cannot_change_rules(client_as, world):
    offering = OfferingFactory()
    manager = client_as("manager_owner")
    url = reverse("partners:setup_offering_rule_create", args=[offering.pk])
    assert manager.get(url).status_code == 403
    assert manager.post(url, _rule()).status_code == 403
    assert client_as("partner_a_admin").post(url, _rule()).status_code == 404
    assert not OfferingAdoptionRule.objects.exists()


def test_editing_an_offering_on_its_page_keeps_the_slug_and_is_audited(client_as, world):
    offering = OfferingFactory(name="Widgets", slug="widgets")
    response = client_as("vendor_admin").post(
        reverse("partners:setup_offering_edit", args=[offering.pk]),
        {"name": "Widgets 2", "slug": "hijacked", "kind": "service",
         "launched_on": offering.launched_on.isoformat(), "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    offering.refresh_from_db()
    assert (offering.name, offering.slug, offering.kind) == ("Widgets 2", "widgets", "service")
    (entry,) = _setup_entries()
    assert entry.details["before"] == {"name": "Widgets", "kind": "Product"}
    assert entry.details["after"] == {"name": "Widgets 2", "kind": "Service"}


def test_no_page_links_into_the_django_admin():
    from pathlib import Path

    from django.conf import settings

    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if "{% url 'admin:" in path.read_text() or '{% url "admin:' in path.read_text()
    ]
    assert offenders == []
