"""Uploads are checked by content, not by name (RELIABILITY.md D1): onboarding documents, MDF
proofs and enablement files refuse HTML renamed to an allowed extension, and store nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kernel.uploads import inspect_upload
from onboarding import services as onboarding_services
from onboarding.models import ChecklistDocument
from onboarding.tests.factories import standard_template

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
POLYGLOT = b"\x89PNG\r\n\x1a\n" + HTML  # a PNG header followed by HTML (Django's warning)
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture
def document_step(world):
    standard_template(program=world.partner_a.program)
    checklist = onboarding_services.checklist_start(partner=world.partner_a)
    return checklist.steps.get(key="tax-form")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", HTML),
        ("w9.pdf", EXE),
        ("scan.jpg", POLYGLOT),
        ("notes.txt", HTML),
        ("empty.pdf", b""),
        ("page.html", HTML),
        ("image.svg", b"<svg onload=alert(1)></svg>"),
    ],
)
def test_an_onboarding_document_whose_content_is_not_its_type_is_refused(
    client_as, document_step, name, content
):
    url = reverse("onboarding:document_upload", args=[document_step.pk])
    response = client_as("partner_a_admin").post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code < 500
    assert not ChecklistDocument.objects.exists()
    document_step.refresh_from_db()
    assert not document_step.is_done


def test_a_real_pdf_and_plain_text_are_accepted(world, document_step):
    for name, content in (("w9.pdf", b"%PDF-1.4\n%%EOF\n"), ("note.txt", b"Tax id: 123")):
        onboarding_services.document_upload(
            step=document_step,
            file=SimpleUploadedFile(name, content),
            user=world.users["partner_a_admin"],
        )
    assert ChecklistDocument.objects.count() == 2


@pytest.mark.parametrize(
    ("name", "content"), [("slides.pdf", HTML), ("photo.jpg", POLYGLOT), ("x.txt", HTML)]
)
def test_enablement_and_mdf_uploads_check_the_content_too(name, content):
    """A PNG header followed by HTML *named .png* passes any magic-byte check (Django's docs say
    no framework fix exists): such files are only ever served as attachments with nosniff."""
    with pytest.raises(ValidationError):
        inspect_upload(SimpleUploadedFile(name, content), name=name)


def test_an_accepted_document_is_served_as_a_download_never_inline(client_as, world, document_step):
    document = onboarding_services.document_upload(
        step=document_step,
        file=SimpleUploadedFile("w9.pdf", b"%PDF-1.4\n%%EOF\n"),
        user=world.users["partner_a_admin"],
    )
    response = client_as("partner_a_user").get(
        reverse("onboarding:document_download", args=[document.pk])
    )
    assert response["Content-Disposition"].startswith("attachment")


def test_an_onboarding_document_keeps_a_safe_download_name_like_every_other_upload(
    world, document_step
):
    """The one inspector names every upload: no path, quotes or control characters survive into
    the Content-Disposition of the download (onboarding kept the raw name before)."""
    document = onboarding_services.document_upload(
        step=document_step,
        file=SimpleUploadedFile('w9\x07"form;.pdf', b"%PDF-1.4\n%%EOF\n"),
        user=world.users["partner_a_admin"],
    )
    assert document.original_name == "w9form.pdf"


def test_onboarding_documents_keep_their_own_list_and_limit(world, document_step):
    admin = world.users["partner_a_admin"]
    with pytest.raises(onboarding_services.OnboardingError, match="Upload a PDF"):
        onboarding_services.document_upload(
            step=document_step, file=SimpleUploadedFile("a.mp4", b"x"), user=admin
        )
    big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(onboarding_services.OnboardingError, match="the limit is 10"):
        onboarding_services.document_upload(
            step=document_step, file=SimpleUploadedFile("w9.pdf", big), user=admin
        )
    assert not ChecklistDocument.objects.exists()
