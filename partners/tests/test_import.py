"""Partner import (partners/imports/): the dry run's row errors, the real run, the re-run that
changes nothing, XLSX, the template, the progress JSON and who may use it."""

import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEntry
from events.models import Event
from kernel.models import OutboundEmail
from partners.choices import ImportStage, PartnerStatus
from partners.imports import services
from partners.imports.columns import KEYS
from partners.models import Partner, PartnerImport, PartnerInvitation, PartnerType
from partners.tests.factories import PartnerTypeFactory

HEADER = ",".join(KEYS)


@pytest.fixture
def ref(world):
    PartnerTypeFactory(name="Reseller", slug="reseller")
    PartnerType.objects.create(name="Integrator", slug="integrator")
    world.users["manager_owner"].full_name = "Olga Owner"
    world.users["manager_owner"].save()
    return world


def csv_file(*lines, name="partners.csv", bom=False) -> SimpleUploadedFile:
    text = "\n".join([HEADER, *lines]) + "\n"
    data = ("\ufeff" if bom else "") + text
    return SimpleUploadedFile(name, data.encode(), content_type="text/csv")


def row(company="Acme", domain="acme.example", program="global", kind="reseller", tier="",
        country="DE", region="emea", owner="", status="active", joined="2024-03-01",
        email="", name="", role="") -> str:  # fmt: skip
    return ",".join(
        [company, domain, program, kind, tier, country, region, owner, status, joined, email,
         name, role]
    )  # fmt: skip


def check(world, upload) -> PartnerImport:
    job = services.partner_import_create(actor=world.users["vendor_admin"], file=upload)
    services.run(import_id=job.pk)  # the on-commit enqueue does not fire inside a test
    job.refresh_from_db()
    assert job.stage == ImportStage.CHECKED, job.message
    return job


def apply(world, job) -> PartnerImport:
    services.partner_import_apply(actor=world.users["vendor_admin"], job=job)
    services.run(import_id=job.pk)
    job.refresh_from_db()
    assert job.stage == ImportStage.APPLIED, job.message
    return job


def counts():
    return (
        Partner.objects.count(),
        PartnerInvitation.objects.count(),
        Event.objects.count(),
        OutboundEmail.objects.count(),
        AuditEntry.objects.count(),
        LogEntry.objects.count(),
    )


GOOD = [
    row(company="Acme Networks", domain="https://www.Acme.example/", owner="owner@vendor.example",
        email="ada@acme.example", name="Ada Lovelace", role="admin"),
    row(company="", domain="acme.example", program="", kind="", country="", region="",
        status="", joined="", email="bob@acme.example", name="Bob Byte"),
    row(company="Globex", domain="globex.example", kind="Integrator", tier="Silver",
        region="na", country="US", status="onboarding", joined="", owner="Olga Owner"),
]  # fmt: skip


def test_dry_run_lists_what_it_would_do_and_writes_nothing(ref):
    before = counts()
    job = check(ref, csv_file(*GOOD, bom=True))
    assert (job.total_rows, job.created, job.updated, job.unchanged) == (3, 2, 0, 0)
    assert (job.users_invited, job.error_rows) == (2, 0)
    assert [c["domain"] for c in job.changes] == ["acme.example", "globex.example"]
    # the job row itself aside, nothing was written
    assert counts()[:4] == before[:4]


@pytest.mark.parametrize(
    ("line", "column", "fragment"),
    [
        (row(program="nope"), "program", "No program"),
        (row(domain="not a domain"), "domain", "not a domain name"),
        (row(joined="01/03/2024"), "joined_date", "YYYY-MM-DD"),
        (row(joined="2999-01-01"), "joined_date", "future"),
        (row(joined="1989-12-31"), "joined_date", "before 1990"),
        (row(status="sleeping"), "status", "No status"),
        (row(owner="nobody@vendor.example"), "owner", "No active vendor staff"),
        (row(owner="admin@alpha.example"), "owner", "No active vendor staff"),
        (row(kind="spy"), "type", "No partner type"),
        (row(tier="Platinum"), "tier", "No tier"),
        (row(country="XX"), "country", "country code"),
        (row(region="mars"), "region", "No region"),
        (row(status="applicant"), "joined_date", "applicant"),
        (row(email="not-an-email"), "user_email", "not an email"),
        (row(email="admin@bravo.example"), "user_email", "already has an account"),
        (row(company=""), "company", "required"),
    ],
)
def test_dry_run_reports_each_rule_as_a_row_error(ref, line, column, fragment):
    before = counts()
    job = check(ref, csv_file(line))
    assert job.error_rows == 1 and job.created == 0
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == column
    assert fragment in job.errors[0]["message"]
    assert counts()[:4] == before[:4]


def test_duplicate_domain_with_other_values_is_an_error(ref):
    job = check(ref, csv_file(row(), row(company="Acme Two", domain="www.acme.example")))
    assert (job.created, job.error_rows) == (1, 1)
    assert job.errors[0]["row"] == 3 and "Duplicate domain" in job.errors[0]["message"]


def test_duplicate_user_address_is_an_error(ref):
    job = check(ref, csv_file(row(email="a@acme.example"), row(email="a@acme.example")))
    assert (job.users_invited, job.error_rows) == (1, 1)
    assert "Duplicate address" in job.errors[0]["message"]


def test_rows_of_a_partner_whose_first_row_failed_are_skipped(ref):
    job = check(
        ref, csv_file(row(program="nope"), row(company="", program="", email="b@a.example"))
    )
    assert job.error_rows == 2 and "first row (2)" in job.errors[-1]["message"]


def test_missing_column_or_wrong_type_is_refused_at_upload(ref):
    admin = ref.users["vendor_admin"]
    bad_header = SimpleUploadedFile("p.csv", b"company,domain\nAcme,acme.example\n")
    with pytest.raises(Exception) as exc:
        services.partner_import_create(actor=admin, file=bad_header)
    assert "program" in str(exc.value)
    with pytest.raises(Exception) as exc:
        services.partner_import_create(actor=admin, file=SimpleUploadedFile("p.pdf", b"%PDF-1.4 x"))
    assert "not accepted" in str(exc.value)
    assert not PartnerImport.objects.exists()


def test_real_run_creates_partners_users_events_and_audit(ref):
    from onboarding.tests.factories import standard_template

    standard_template(program=ref.partner_a.program)
    admin = ref.users["vendor_admin"]
    job = apply(ref, check(ref, csv_file(*GOOD)))
    assert (job.created, job.users_invited, job.error_rows) == (2, 2, 0)
    acme = Partner.objects.get(domain="acme.example")
    assert acme.name == "Acme Networks" and acme.owner == ref.users["manager_owner"]
    assert acme.tier.name == "Registered"  # no tier given: the program's entry tier
    # imported active: activated_at = joined_at, so the activation cohort leaves it out
    assert acme.status == PartnerStatus.ACTIVE
    assert acme.joined_at.date().isoformat() == "2024-03-01"
    assert acme.activated_at == acme.joined_at
    globex = Partner.objects.get(domain="globex.example")
    assert globex.tier.name == "Silver" and globex.activated_at is None
    assert globex.checklist is not None  # onboarding started its checklist from the event
    invites = {i.email: i for i in PartnerInvitation.objects.filter(partner=acme)}
    assert invites["ada@acme.example"].full_name == "Ada Lovelace"
    assert (
        invites["ada@acme.example"].role == "admin" and invites["bob@acme.example"].role == "user"
    )
    created = Event.objects.filter(kind="partner.created", partner_id=acme.pk).get()
    assert created.properties == {"status": "active", "import": job.pk}
    assert created.user_id == admin.pk
    assert Event.objects.filter(kind="user.invited", partner_id=acme.pk).count() == 2
    assert OutboundEmail.objects.filter(template="partner_invitation").count() == 2
    entry = AuditEntry.objects.get(action="setup.change", target_id=str(job.pk))
    assert entry.actor == admin
    assert entry.details["after"]["created"] == 2 and entry.details["flag"] == "added"
    assert not job.file  # the stored file (people's addresses) is gone once applied


def test_rerun_of_the_same_file_changes_nothing(ref, django_assert_max_num_queries):
    apply(ref, check(ref, csv_file(*GOOD)))
    before = counts()
    job = check(ref, csv_file(*GOOD))
    assert (job.created, job.updated, job.unchanged, job.users_invited) == (0, 0, 2, 0)
    assert job.users_unchanged == 2
    services.partner_import_apply(actor=ref.users["vendor_admin"], job=job)
    with django_assert_max_num_queries(25):  # bounded: no per-row writes
        services.run(import_id=job.pk)
    job.refresh_from_db()
    assert job.stage == ImportStage.APPLIED and job.created == job.updated == 0
    assert counts() == before  # no partner, invitation, event, email or audit line written


def test_rerun_with_changes_updates_through_the_services_and_audits(ref):
    apply(ref, check(ref, csv_file(*GOOD)))
    job = apply(
        ref,
        check(ref, csv_file(row(company="Acme Networks", domain="acme.example", tier="Silver",
                                status="inactive", owner="other@vendor.example"))),
    )  # fmt: skip
    assert (job.updated, job.created) == (1, 0)
    acme = Partner.objects.get(domain="acme.example")
    assert (acme.tier.name, acme.status) == ("Silver", "inactive")
    assert acme.owner == ref.users["manager_other"]
    kinds = set(Event.objects.filter(partner_id=acme.pk).values_list("kind", flat=True))
    assert {"partner.status_changed", "tier.changed", "partner.owner_changed"} <= kinds
    entry = AuditEntry.objects.get(action="setup.change", target_id=str(acme.pk))
    assert entry.details["before"]["status"] == "Active"
    assert entry.details["after"]["status"] == "Inactive"


def test_a_move_the_lifecycle_refuses_is_a_row_error(ref):
    apply(ref, check(ref, csv_file(GOOD[0])))
    job = check(ref, csv_file(row(company="Acme Networks", status="onboarding")))
    assert job.error_rows == 1 and "cannot go from Active" in job.errors[0]["message"]


def test_xlsx_file_is_imported(ref):
    book = Workbook()
    sheet = book.active
    sheet.title = "Partners"
    sheet.append(["Company", "Domain", "Program", "Type", "Country", "Region", "Status",
                  "Joined date", "User email", "User name"])  # fmt: skip
    import datetime

    sheet.append(["Initech", "initech.example", "Global", "Reseller", "DE", "EMEA",
                  "Onboarding", datetime.datetime(2025, 1, 15), "pete@initech.example",
                  "Peter Gibbons"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("partners.xlsx", out.getvalue())
    job = apply(ref, check(ref, upload))
    partner = Partner.objects.get(domain="initech.example")
    assert job.created == 1 and partner.joined_at.date().isoformat() == "2025-01-15"
    assert PartnerInvitation.objects.get(partner=partner).full_name == "Peter Gibbons"


def test_semicolon_csv_is_read(ref):
    text = HEADER.replace(",", ";") + "\n" + row().replace(",", ";") + "\n"
    job = check(ref, SimpleUploadedFile("p.csv", text.encode()))
    assert job.created == 1


# --- pages ---------------------------------------------------------------------------------------


def test_templates_download_in_both_formats(ref, client_as):
    client = client_as("vendor_admin")
    response = client.get(reverse("partners:import_template", args=["csv"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER
    response = client.get(reverse("partners:import_template", args=["xlsx"]))
    assert response.status_code == 200
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(header) == list(KEYS)
    # the example rows name this portal's program and types: the template checks clean
    csv_body = client.get(reverse("partners:import_template", args=["csv"])).content
    job = check(ref, SimpleUploadedFile("template.csv", csv_body))
    assert (job.created, job.users_invited, job.error_rows) == (2, 2, 0), job.errors
    assert client.get(reverse("partners:import_template", args=["pdf"])).status_code == 404


def test_upload_runs_the_dry_run_and_shows_results(
    ref, client_as, django_capture_on_commit_callbacks
):
    client = client_as("vendor_admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:import"),
            {"file": csv_file(*GOOD, row(program="nope", domain="x.example"))},
        )
    assert response.status_code == 302
    job = PartnerImport.objects.get()
    assert job.stage == ImportStage.CHECKED  # eager Celery in tests: ran at commit
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "No program" in html and "acme.example" in html and "Import now?" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:import_apply", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.stage == ImportStage.APPLIED and job.created == 2
    # applying twice is refused
    assert client.post(reverse("partners:import_apply", args=[job.pk])).status_code == 409


def test_upload_of_a_bad_file_answers_400(ref, client_as):
    client = client_as("vendor_admin")
    response = client.post(reverse("partners:import"), {"file": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 400 and "not accepted" in response.content.decode()
    response = client.post(reverse("partners:import"), {})
    assert response.status_code == 400


def test_progress_json(ref, client_as):
    job = check(ref, csv_file(*GOOD))
    url = reverse("partners:import_progress", args=[job.pk])
    data = client_as("vendor_admin").get(url).json()
    assert data["stage"] == "checked" and data["percent"] == 100 and data["created"] == 2
    assert client_as("manager_owner").get(url).status_code == 403
    assert client_as("manager_owner").get(url)["Content-Type"] == "application/json"
    assert client_as("partner_a_admin").get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code == 401
    missing = reverse("partners:import_progress", args=[job.pk + 99])
    assert client_as("vendor_admin").get(missing).json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("vendor_admin", 200), ("manager_owner", 403), ("partner_a_admin", 404), ("anonymous", 302)],
)
def test_import_page_is_for_vendor_admins(ref, client_as, persona, status):
    assert client_as(persona).get(reverse("partners:import")).status_code == status


def test_import_list_page_holds_its_queries(ref, client_as, django_assert_max_num_queries):
    for _ in range(3):
        check(ref, csv_file(*GOOD))
    client = client_as("vendor_admin")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("partners:import")).status_code == 200


def test_imported_partners_follow_the_cohort_rules_of_docs_metrics(ref):
    """docs/metrics.md, "Imported partners, by status": onboarding joins at its joined date and
    is in the activation cohort; active, inactive and churned-with-a-date are pre-tracked
    (activated_at = joined_at: out of the activation cohort); churned without a date and
    applicants never joined."""
    from metrics.definitions.activation import activation_cohort

    lines = [
        row(company="Alpha", domain="alpha.test", status="onboarding", joined="2026-01-05"),
        row(company="Bravo", domain="bravo.test", status="active", joined="2026-01-20"),
        row(company="Charlie", domain="charlie.test", status="inactive", joined="2026-01-25"),
        row(company="Delta", domain="delta.test", status="churned", joined=""),
        row(company="Echo", domain="echo.test", status="applicant", joined=""),
    ]
    apply(ref, check(ref, csv_file(*lines)))
    partners = {p.domain: p for p in Partner.objects.filter(domain__endswith=".test")}
    alpha = partners["alpha.test"]
    assert alpha.joined_at.date().isoformat() == "2026-01-05" and alpha.activated_at is None
    for domain in ("bravo.test", "charlie.test"):
        assert partners[domain].activated_at == partners[domain].joined_at is not None
    assert partners["delta.test"].joined_at is None and partners["echo.test"].joined_at is None
    cohort = set(
        activation_cohort().filter(domain__endswith=".test").values_list("domain", flat=True)
    )
    assert cohort == {"alpha.test"}


def test_an_invitee_who_signs_up_without_a_name_gets_the_imported_one(ref):
    from accounts.tests.factories import UserFactory
    from partners.services import invitation_accept

    apply(ref, check(ref, csv_file(GOOD[0])))
    invitation = PartnerInvitation.objects.get(email="ada@acme.example")
    user = UserFactory(email="ada@acme.example", full_name="")
    invitation_accept(invitation=invitation, user=user)
    user.refresh_from_db()
    assert user.display_name == "Ada Lovelace" and user.membership.role == "admin"


def test_files_of_imports_never_applied_are_deleted_after_a_week(ref):
    from datetime import timedelta

    from django.utils import timezone

    old = check(ref, csv_file(*GOOD))
    PartnerImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    fresh = check(ref, csv_file(*GOOD))
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert not old.file and fresh.file
    with pytest.raises(Exception, match="upload it again"):
        services.partner_import_apply(actor=ref.users["vendor_admin"], job=old)


def test_the_first_person_of_a_new_partner_without_a_role_is_its_admin(ref):
    header = "company,domain,program,type,country,region,status,user_email,user_name,user_role"
    program, kind = ref.partner_a.program.name, ref.partner_a.partner_type.name
    rows = [
        header,
        f"Initech,initech.example,{program},{kind},US,na,onboarding,pat@initech.example,Pat,",
        "Initech,initech.example,,,,,,sam@initech.example,Sam,",
        f"Hooli,hooli.example,{program},{kind},US,na,onboarding,lee@hooli.example,Lee,user",
    ]
    job = apply(ref, check(ref, SimpleUploadedFile("p.csv", "\n".join(rows).encode())))
    assert job.error_rows == 0, job.errors
    roles = {i.email: i.role for i in PartnerInvitation.objects.all()}
    assert roles["pat@initech.example"] == "admin"  # first person, no role given
    assert roles["sam@initech.example"] == "user"  # a later person of the same partner
    assert roles["lee@hooli.example"] == "user"  # a role written in the file is kept
