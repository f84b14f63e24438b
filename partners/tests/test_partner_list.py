"""The vendor staff's partner list (/manage/): filters, search, sort, bad parameters, saved
views, exports, and the bulk actions' "all matching" following the same filters."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.choices import AuditAction
from audit.models import AuditEntry
from console import bulk
from enablement.tests.factories import CertificateFactory, CertificationFactory
from metrics.models import AdoptionScore, OfferingAdoptionSpan
from onboarding.choices import StepStatus
from onboarding.models import ChecklistStep
from onboarding.services.checklists import checklist_start
from onboarding.tests.factories import standard_template
from partners.choices import PartnerStatus, Region
from partners.list_query import parse_partner_list_query
from partners.models import SavedPartnerView
from partners.selectors import partner_list_for_manager_home
from partners.tests.factories import (
    MembershipFactory,
    OfferingFactory,
    PartnerFactory,
    PartnerTypeFactory,
)

URL = reverse("partners:manager_home")


def score_row(*, partner, day, score):
    return AdoptionScore.objects.create(
        partner=partner,
        day=day,
        score=score,
        areas=1,
        active_days=1,
        active_users=1,
        seats=1,
        events=3,
    )


def names(user, **params):
    query = parse_partner_list_query(params, user=user)
    assert not query.errors, query.errors
    return [
        p.name for p in partner_list_for_manager_home(user=user, mine=False, params=query.params)
    ]


@pytest.fixture
def admin(world):
    return world.users["vendor_admin"]


def test_core_filters_and_search(world, admin):
    reseller = PartnerTypeFactory(name="Distributor", slug="distributor")
    program = world.partner_a.program
    now = timezone.now()
    PartnerFactory(
        name="Gamma GmbH",
        domain="gamma.example",
        program=program,
        tier=world.partner_a.tier,
        partner_type=reseller,
        country="FR",
        region=Region.EMEA,
        status=PartnerStatus.ACTIVE,
        activated_at=now,
        joined_at=now - timedelta(days=40),
        owner=None,
    )
    assert names(admin, type=reseller.pk) == ["Gamma GmbH"]
    assert names(admin, country="FR") == ["Gamma GmbH"]
    assert names(admin, status="active") == ["Gamma GmbH"]
    assert names(admin, owner="none") == ["Gamma GmbH"]
    assert names(admin, owner=world.users["manager_owner"].pk) == ["Alpha Systems"]
    assert names(admin, q="gamma.EXAMPLE") == ["Gamma GmbH"]
    assert names(admin, q="bravo") == ["Bravo Consulting"]
    from_day = (now - timedelta(days=41)).date().isoformat()
    to_day = (now - timedelta(days=39)).date().isoformat()
    assert names(admin, joined_from=from_day, joined_to=to_day) == ["Gamma GmbH"]
    assert names(admin, tier=world.partner_a.tier_id, sort="name") == [
        "Alpha Systems",
        "Bravo Consulting",
        "Gamma GmbH",
    ]
    assert names(admin, program=program.pk, sort="-name")[0] == "Gamma GmbH"


def test_sort_by_every_column_is_whitelisted(world, admin):
    for key in ("name", "program", "type", "tier", "status", "region", "country", "joined",
                "activated", "owner"):  # fmt: skip
        assert len(names(admin, sort=key)) == 2
        assert len(names(admin, sort=f"-{key}")) == 2
    query = parse_partner_list_query({"sort": "password"}, user=admin)
    assert "sort" not in query.params and query.errors


def test_feature_filters(world, admin):
    a, b = world.partner_a, world.partner_b
    # certification held: a certified active person at the partner
    certification = CertificationFactory(name="Cloud Expert")
    CertificateFactory(certification=certification, user=world.users["partner_a_user"])
    assert names(admin, certification=certification.pk) == ["Alpha Systems"]
    # an expired certificate does not count
    other = CertificationFactory(name="Old")
    CertificateFactory(
        certification=other,
        user=world.users["partner_b_admin"],
        expires_at=timezone.now() - timedelta(days=1),
    )
    assert names(admin, certification=other.pk) == []
    # activation step done or not
    standard_template(program=a.program)
    for partner in (a, b):
        checklist_start(partner=partner)
    ChecklistStep.objects.filter(checklist__partner=a, key="kickoff").update(
        status=StepStatus.DONE, completed_at=timezone.now()
    )
    assert names(admin, step="kickoff", step_state="done") == ["Alpha Systems"]
    assert names(admin, step="kickoff", step_state="not") == ["Bravo Consulting"]
    # adoption score range (no row: 0)
    today = timezone.now().date()
    score_row(partner=a, day=today, score=72.5)
    assert names(admin, score_min=50) == ["Alpha Systems"]
    assert names(admin, score_max=10) == ["Bravo Consulting"]
    assert names(admin, score_min=0, score_max=100, sort="name") == [
        "Alpha Systems",
        "Bravo Consulting",
    ]
    # offering adopted or not
    offering = OfferingFactory(slug="cloud", name="Cloud")
    OfferingAdoptionSpan.objects.create(
        offering="cloud", partner=b, start=today - timedelta(days=3), end=today.replace(year=9999)
    )
    assert names(admin, offering=offering.slug) == ["Bravo Consulting"]
    assert names(admin, offering=offering.slug, offering_state="not") == ["Alpha Systems"]
    assert AdoptionScore.objects.count() == 1


def test_at_risk_filter_uses_the_at_risk_rules(world, admin):
    # Bravo joined long ago and has no activity at all: dormant, at risk.
    world.partner_b.joined_at = timezone.now() - timedelta(days=400)
    world.partner_b.save(update_fields=["joined_at"])
    assert "Bravo Consulting" in names(admin, at_risk="1")
    assert "Bravo Consulting" not in names(admin, at_risk="0")


def test_bad_parameters_are_reported_and_ignored(client_as, world):
    client = client_as("manager_owner")
    response = client.get(
        URL,
        {
            "scope": "all",
            "program": "abc",
            "tier": "99999999999",
            "country": "XX",
            "joined_from": "0001-01-01",
            "joined_to": "not-a-date",
            "score_min": "500",
            "score_max": "nan",
            "at_risk": "maybe",
            "sort": "';drop table",
            "status": "nope",
            "q": "x" * 500,
            "page": "-3",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Some filters were ignored" in body
    for name in ("program", "tier", "country", "joined_from", "joined_to", "score_min", "sort"):
        assert f"({name}=" in body
    # nothing was filtered: both partners show
    assert "Alpha Systems" in body and "Bravo Consulting" in body


def test_dates_in_reverse_order_are_refused(world, admin):
    query = parse_partner_list_query(
        {"joined_from": "2026-05-01", "joined_to": "2026-01-01"}, user=admin
    )
    assert query.params.get("joined_from") == "2026-05-01"
    assert "joined_to" not in query.params
    assert query.errors


def test_list_queries_are_bounded_with_every_filter(
    client_as, world, django_assert_max_num_queries
):
    standard_template(program=world.partner_a.program)
    certification = CertificationFactory()
    offering = OfferingFactory(slug="cloud")
    for _ in range(60):
        partner = PartnerFactory(program=world.partner_a.program, tier=world.partner_a.tier)
        membership = MembershipFactory(partner=partner)
        CertificateFactory(certification=certification, user=membership.user)
    client = client_as("manager_owner")
    client.get(URL)  # warm the session
    params = {
        "scope": "all",
        "program": world.partner_a.program_id,
        "tier": world.partner_a.tier_id,
        "region": "emea",
        "country": "DE",
        "status": "onboarding",
        "owner": "none",
        "joined_from": "2020-01-01",
        "joined_to": "2099-01-01",
        "certification": certification.pk,
        "step": "kickoff",
        "step_state": "not",
        "score_min": "0",
        "score_max": "100",
        "at_risk": "0",
        "offering": offering.slug,
        "offering_state": "not",
        "q": "Ltd",
        "sort": "-owner",
        "page": "2",
    }
    with django_assert_max_num_queries(45):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert "Some filters were ignored" not in response.content.decode()
    assert "(60)" in response.content.decode()


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_user", "partner_b_admin"])
def test_partners_get_404_on_the_list_its_exports_and_views(client_as, world, persona):
    view = SavedPartnerView.objects.create(
        owner=world.users["manager_owner"], name="Mine", query="scope=all", shared=True
    )
    client = client_as(persona)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("partners:manager_export_csv")).status_code == 404
    assert client.get(reverse("partners:manager_export_xlsx")).status_code == 404
    assert client.get(reverse("partners:saved_view", args=[view.pk])).status_code == 404
    response = client.post(reverse("partners:saved_view_save"), {"name": "x"})
    assert response.status_code == 404
    assert SavedPartnerView.objects.count() == 1


def test_saved_view_shared_with_another_manager_shows_what_they_may_see(client_as, world):
    owner = client_as("manager_owner")
    response = owner.post(
        reverse("partners:saved_view_save"),
        {"name": "Alpha only", "shared": "1", "scope": "all", "q": "alpha", "sort": "name"},
    )
    assert response.status_code == 302
    view = SavedPartnerView.objects.get()
    assert view.owner == world.users["manager_owner"] and view.shared
    assert view.query == "scope=all&q=alpha&sort=name"

    other = client_as("manager_other")
    page = other.get(URL, {"scope": "all"})
    assert "Alpha only" in page.content.decode()
    opened = other.get(reverse("partners:saved_view", args=[view.pk]))
    assert opened.status_code == 302
    body = other.get(opened["Location"]).content.decode()
    assert "Alpha Systems" in body and "Bravo Consulting" not in body
    # another manager may not delete it
    response = other.post(reverse("partners:saved_view_delete", args=[view.pk]), {"confirm": "1"})
    assert response.status_code == 403
    # a view with "mine" shows each viewer their own partners
    view.query = "scope=mine"
    view.save()
    body = other.get(other.get(reverse("partners:saved_view", args=[view.pk]))["Location"])
    assert "Bravo Consulting" in body.content.decode()
    assert "Alpha Systems" not in body.content.decode()


def test_a_private_view_is_404_to_others_and_deleting_needs_confirmation(client_as, world):
    view = SavedPartnerView.objects.create(
        owner=world.users["manager_owner"], name="Private", query="scope=all"
    )
    assert (
        client_as("manager_other").get(reverse("partners:saved_view", args=[view.pk])).status_code
        == 404
    )
    owner = client_as("manager_owner")
    url = reverse("partners:saved_view_delete", args=[view.pk])
    assert owner.post(url).status_code == 400
    assert SavedPartnerView.objects.filter(pk=view.pk).exists()
    assert owner.post(url, {"confirm": "1"}).status_code == 302
    assert not SavedPartnerView.objects.filter(pk=view.pk).exists()


def test_saving_without_a_name_is_a_400_with_the_list(client_as, world):
    response = client_as("manager_owner").post(
        reverse("partners:saved_view_save"), {"name": "  ", "q": "alpha", "scope": "all"}
    )
    assert response.status_code == 400
    assert "Give the view a name." in response.content.decode()
    assert 'value="alpha"' in response.content.decode()
    assert not SavedPartnerView.objects.exists()


def test_csv_and_xlsx_export_the_current_view_formula_safe_and_audited(client_as, world):
    PartnerFactory(
        name='=HYPERLINK("http://evil")', program=world.partner_a.program, tier=world.partner_a.tier
    )
    client = client_as("vendor_admin")
    response = client.get(reverse("partners:manager_export_csv"), {"scope": "all", "sort": "name"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Partner"
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("http://evil")',
        "Alpha Systems",
        "Bravo Consulting",
    ]
    response = client.get(reverse("partners:manager_export_xlsx"), {"scope": "all", "q": "evil"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert len(values) == 2
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_bulk_all_matching_follows_the_lists_filters(world):
    manager = world.users["vendor_admin"]
    query = parse_partner_list_query({"scope": "all", "q": "bravo"}, user=manager)
    ids = bulk.selection_all_matching(user=manager, mine=False, params=query.params)
    assert ids == [world.partner_b.pk]


def test_bulk_form_carries_the_list_query(client_as, world):
    client = client_as("vendor_admin")
    page = client.get(URL, {"scope": "all", "q": "bravo"}).content.decode()
    assert 'name="list_query" value="scope=all&amp;q=bravo"' in page
    response = client.post(
        reverse("console:bulk"),
        {"action": "status", "all_matching": "1", "list_query": "scope=all&q=bravo"},
    )
    assert response.status_code == 200
    assert f'value="{world.partner_b.pk}"' in response.content.decode()


def test_filter_choices_are_cached_and_forgotten_when_setup_changes(
    client_as, world, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The list's select options come from the cache; a change to what they list shows at once."""
    from accounts.choices import VendorRole
    from accounts.tests.factories import ChannelManagerFactory
    from partners.tests.factories import ProgramFactory

    settings.PRM_LIST_CHOICES_CACHE_SECONDS = 60
    client = client_as("vendor_admin")
    client.get(URL)  # fills the cache
    with django_assert_max_num_queries(18):  # the choices' seven queries are gone
        page = client.get(URL, {"scope": "all"}).content.decode()
    assert ">Global</option>" in page
    # a new program, a renamed one, a new manager, a manager's role taken: each shows at once
    with django_capture_on_commit_callbacks(execute=True):
        ProgramFactory(name="Zeta Program", slug="zeta")
    assert ">Zeta Program</option>" in client.get(URL, {"scope": "all"}).content.decode()
    program = world.partner_a.program
    program.name = "Worldwide"
    program.save()
    page = client.get(URL, {"scope": "all"}).content.decode()
    assert ">Worldwide</option>" in page and ">Global</option>" not in page
    manager = ChannelManagerFactory(full_name="Newly Hired")
    assert ">Newly Hired</option>" in client.get(URL, {"scope": "all"}).content.decode()
    manager.vendor_role = VendorRole.NONE
    manager.save(update_fields=["vendor_role"])
    assert ">Newly Hired</option>" not in client.get(URL, {"scope": "all"}).content.decode()
    # a login (last_login) changes nothing the list shows: the cache stays
    from django.core.cache import cache

    from partners import list_choices

    key = list_choices.KEY.format(language=settings.LANGUAGE_CODE.lower())
    assert cache.get(key) is not None
    world.users["manager_owner"].save(update_fields=["last_login"])
    assert cache.get(key) is not None
    world.users["manager_owner"].save(update_fields=["full_name"])
    assert cache.get(key) is None
    # an audited setup change saved without post_save (a tier reorder's update()) forgets them
    from kernel.setup_log import CHANGED, log_setup_change

    client.get(URL)
    assert cache.get(key) is not None
    log_setup_change(
        actor=world.users["vendor_admin"], obj=world.partner_a.tier, action=CHANGED,
        before={"rank": 1}, after={"rank": 2}, summary="Tier rank moved by a reorder",
    )  # fmt: skip
    assert cache.get(key) is None


def test_the_page_shows_the_current_filters_selected_and_escapes_names(client_as, world):
    from partners.tests.factories import ProgramFactory

    odd = ProgramFactory(name='<b>"Odd" & Co</b>', slug="odd")
    PartnerFactory(name="<i>Tricky</i>", program=odd, tier=None, owner=None)
    page = client_as("vendor_admin").get(URL, {"scope": "all", "program": odd.pk}).content.decode()
    assert (
        f'<option value="{odd.pk}" selected>&lt;b&gt;&quot;Odd&quot; &amp; Co&lt;/b&gt;</option>'
        in page
    )
    assert "<b>" not in page and "<i>Tricky</i>" not in page
    assert "&lt;i&gt;Tricky&lt;/i&gt;" in page
    assert 'aria-label="Select &lt;i&gt;Tricky&lt;/i&gt;"' in page
    assert '<option value="DE">Germany</option>' in page  # not selected: no country filter
    assert page.count(" selected>") == 1


def test_row_dates_read_as_the_date_filter_shows_them(world):
    from datetime import UTC, datetime

    from django.template.defaultfilters import date as date_filter
    from django.utils import translation

    from partners.list_rows import list_rows

    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # another day in some time zones
    world.partner_a.joined_at = moment
    for zone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        for language in ("en", "de"):
            with timezone.override(zone), translation.override(language):
                local = timezone.localtime(moment)
                (row,) = list_rows([world.partner_a])
                assert row["joined"] == (date_filter(local, "c"), date_filter(local, "j M Y"))
