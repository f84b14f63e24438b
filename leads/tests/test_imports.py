"""Lead import: the dry run reports each row and writes nothing; the import creates the valid
rows (routed), reports the others, and importing again adds nothing twice (external id)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from events.models import Event
from leads import imports
from leads.models import Lead
from leads.tests.factories import activate, catch_all_rule
from partners.tests.factories import OfferingFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "external_id,company,domain,country,region,contact_name,contact_email,offerings,size,source"
)
GOOD = [
    "crm-1,Initech,initech.example,DE,emea,Bill Lumbergh,bill@initech.example,cloud,large,event",
    "crm-2,Hooli,hooli.example,US,North America,Gavin Belson,,,,",
]
BAD = [
    "crm-3,,bad.example,DE,emea,,,,,",  # no company
    "crm-4,Globex,globex.example,XX,mars,,not-an-email,nope,huge,psychic",
    "crm-1,Initech again,,DE,emea,,,,,",  # the same external id twice in the file
]


def csv_file(*lines, sep=",") -> SimpleUploadedFile:
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    return SimpleUploadedFile("leads.csv", text.encode(), content_type="text/csv")


@pytest.fixture
def ready(world):
    activate(world.partner_a)
    catch_all_rule(world.partner_a.program)
    OfferingFactory(slug="cloud", name="Cloud")
    return world


def test_dry_run_reports_every_row_and_writes_nothing(ready):
    world = ready
    report = imports.run(
        actor=world.users["manager_owner"], file=csv_file(HEADER, *GOOD, *BAD),
        program=world.partner_a.program, dry_run=True,
    )  # fmt: skip
    assert report.counts == {"create": 2, "exists": 0, "error": 3}
    by_row = {r.number: r for r in report.rows}
    assert by_row[4].errors == ["company: Name the company."]
    globex = " ".join(by_row[5].errors)
    for column in ("region", "size", "source", "offerings", "contact_email", "country"):
        assert column in globex
    assert "appears twice" in " ".join(by_row[6].errors)
    assert not Lead.objects.exists() and not Event.objects.filter(kind="lead.created").exists()


def test_import_creates_the_valid_rows_routed_and_is_idempotent(ready):
    world = ready
    actor, program = world.users["manager_owner"], world.partner_a.program
    report = imports.run(
        actor=actor, file=csv_file(HEADER, *GOOD, *BAD), program=program, dry_run=False
    )
    assert report.created == 2
    initech = Lead.objects.get(external_id="crm-1")
    assert (initech.status, initech.offers.get().partner) == ("offered", world.partner_a)
    assert [o.slug for o in initech.offerings.all()] == ["cloud"]
    assert Lead.objects.get(external_id="crm-2").region == "na"  # by its label
    assert Event.objects.filter(kind="lead.created", properties__via="import").count() == 2
    again = imports.run(actor=actor, file=csv_file(HEADER, *GOOD), program=program, dry_run=False)
    assert (again.created, again.counts["exists"]) == (0, 2)
    assert Lead.objects.count() == 2


def test_xlsx_and_semicolon_csv_are_read(ready):
    world = ready
    book = Workbook()
    sheet = book.active
    for line in (HEADER, *GOOD):
        sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    xlsx = SimpleUploadedFile("leads.xlsx", data.getvalue())
    report = imports.run(
        actor=world.users["manager_owner"], file=xlsx, program=world.partner_a.program,
        dry_run=True,
    )  # fmt: skip
    assert report.counts["create"] == 2
    report = imports.run(
        actor=world.users["manager_owner"], file=csv_file(HEADER, *GOOD, sep=";"),
        program=world.partner_a.program, dry_run=True,
    )  # fmt: skip
    assert report.counts["create"] == 2


def test_the_page_checks_imports_and_refuses_bad_files(
    ready, client_as, django_assert_max_num_queries
):
    world = ready
    c = client_as("manager_other")
    url = reverse("leads:manage_import")
    program = world.partner_a.program.pk
    many = [f"x-{i},Company {i},,DE,emea,,,,," for i in range(40)]
    with django_assert_max_num_queries(12):
        response = c.post(
            url, {"program": program, "dry_run": "on", "file": csv_file(HEADER, *many)}
        )
    assert (
        response.status_code == 200 and 'data-testid="import-report"' in response.content.decode()
    )
    assert not Lead.objects.exists()
    missing = csv_file("company,region", "Acme,emea")
    assert c.post(url, {"program": program, "file": missing}).status_code == 400
    pdf = SimpleUploadedFile("leads.pdf", b"%PDF-1.4 x")
    assert c.post(url, {"program": program, "file": pdf}).status_code == 400
    response = c.post(url, {"program": program, "file": csv_file(HEADER, *GOOD)})
    assert response.status_code == 200 and Lead.objects.count() == 2
