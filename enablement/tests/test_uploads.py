"""Malicious and malformed uploads are refused; whatever is stored is served inert."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from enablement.models import Resource
from enablement.tests.factories import PDF_BYTES, PNG_BYTES, CategoryFactory, ResourceFactory
from kernel.uploads import inspect_upload, safe_display_name

HTML_WITH_SCRIPT = (
    b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
)
SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64
# Django's docs: "an HTML file can be uploaded as an image if it has a valid PNG header".
PNG_HTML_POLYGLOT = PNG_BYTES + b"<html><script>alert(1)</script></html>"


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("page.html", HTML_WITH_SCRIPT, "not accepted"),
        ("logo.svg", SVG_WITH_SCRIPT, "not accepted"),
        ("logo.png", SVG_WITH_SCRIPT, "does not match"),
        ("guide.pdf", EXE, "does not match"),
        ("setup.exe", EXE, "not accepted"),
        ("script.js", b"alert(1)", "not accepted"),
        ("notes.txt", HTML_WITH_SCRIPT, "markup"),
        ("data.csv", SVG_WITH_SCRIPT, "markup"),
        ("noextension", PDF_BYTES, "not accepted"),
        ("empty.pdf", b"", "empty"),
        ("binary.txt", b"\xff\xfe\x00bin", "UTF-8"),
    ],
)
def test_malicious_or_malformed_files_are_rejected_with_a_reason(name, content, reason):
    with pytest.raises(ValidationError, match=reason):
        inspect_upload(upload(name, content))


@override_settings(PRM_ENABLEMENT_MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_rejected():
    big = PDF_BYTES + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError, match="limit is 1"):
        inspect_upload(upload("big.pdf", big))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Guide.PDF", PDF_BYTES, "application/pdf"),
        ("logo.png", PNG_BYTES, "image/png"),
        ("price list.csv", b"sku,price\nW-1,10\n", "text/csv"),
    ],
)
def test_allowed_files_pass_with_the_type_chosen_by_the_server(name, content, content_type):
    info = inspect_upload(upload(name, content))
    assert info.content_type == content_type
    assert info.name == name
    assert info.size == len(content)


def test_a_polyglot_png_is_still_only_accepted_as_a_png():
    # It passes as an image (its bytes are a PNG) but is then only ever served as image/png
    # download with nosniff and a sandbox CSP: see the serving tests below.
    assert inspect_upload(upload("x.png", PNG_HTML_POLYGLOT)).content_type == "image/png"
    with pytest.raises(ValidationError):
        inspect_upload(upload("x.html", PNG_HTML_POLYGLOT))


def test_display_names_lose_paths_and_header_breaking_characters():
    assert safe_display_name('../../etc/pa"ss\r\nwd;.pdf') == "passwd.pdf"
    assert safe_display_name("C:\\Users\\me\\deck.pptx") == "deck.pptx"


@pytest.mark.django_db
def test_admin_upload_of_an_svg_with_script_is_refused_and_stores_nothing(client, world):
    category = CategoryFactory()
    client.force_login(world.users["vendor_admin"])
    response = client.post(
        reverse("admin:enablement_resource_add"),
        {
            "title": "Logo",
            "kind": "image",
            "category": category.pk,
            "language": "en",
            "file": upload("logo.svg", SVG_WITH_SCRIPT),
            "is_published": "on",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "not accepted" in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.django_db
def test_admin_upload_of_a_pdf_stores_it_under_a_generated_name(client, world):
    category = CategoryFactory()
    client.force_login(world.users["vendor_admin"])
    response = client.post(
        reverse("admin:enablement_resource_add"),
        {
            "title": "Playbook",
            "kind": "document",
            "category": category.pk,
            "language": "en",
            "file": SimpleUploadedFile("Q3 playbook.pdf", PDF_BYTES, content_type="text/html"),
            "is_published": "on",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    resource = Resource.objects.get()
    assert resource.file_name == "Q3 playbook.pdf"
    assert resource.file_type == "application/pdf"  # not the client's text/html
    assert resource.file_size == len(PDF_BYTES)
    assert resource.file.name.startswith("enablement/resources/")
    assert "playbook" not in resource.file.name.lower()


@pytest.mark.django_db
def test_downloads_are_attachments_with_nosniff_and_a_sandbox_csp(client_as, world):
    from django.core.files.base import ContentFile

    resource = ResourceFactory(
        file=ContentFile(PNG_HTML_POLYGLOT, name="x.png"),
        file_name='évil "name".png',
        file_type="image/png",
    )
    response = client_as("partner_a_user").get(
        reverse("enablement:resource_download", args=[resource.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert b"".join(response.streaming_content) == PNG_HTML_POLYGLOT


def test_the_size_limit_follows_the_setting(settings):
    from kernel.uploads import max_upload_bytes

    settings.PRM_ENABLEMENT_MAX_UPLOAD_MB = 2
    assert max_upload_bytes() == 2 * 1024 * 1024
    with pytest.raises(ValidationError, match="limit"):
        inspect_upload(SimpleUploadedFile("big.txt", b"a" * (2 * 1024 * 1024 + 1)))
