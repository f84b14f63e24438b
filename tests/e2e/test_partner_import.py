"""A vendor admin imports partners: the job page's progress bar follows the running import (it
polls the JSON progress) and the page shows the results once it ends; the import pages fit a
390 px phone."""

import time

import pytest
from django.urls import reverse

from partners.choices import ImportStage
from partners.models import PartnerImport
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _page(browser, live_server, user):
    context = logged_in_context(browser, live_server, user, PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _wait_for_text(page, selector: str, text: str, seconds: float = 10) -> None:
    # Python-side polling: the pages' CSP forbids the string evaluation wait_for_function uses.
    deadline = time.monotonic() + seconds
    while page.inner_text(selector).strip() != text:
        assert time.monotonic() < deadline, page.inner_text(selector)
        time.sleep(0.2)


def test_the_progress_bar_follows_the_import_and_the_results_appear(browser, live_server, world):
    admin = world.users["vendor_admin"]
    job = PartnerImport.objects.create(
        created_by=admin, file_name="big.csv", file_format="csv", stage=ImportStage.CHECKING,
        total_rows=1000, processed_rows=250,
    )  # fmt: skip
    context, page, errors = _page(browser, live_server, admin)
    page.goto(live_server.url + reverse("partners:import_job", args=[job.pk]))
    assert page.inner_text(".progress-bar").strip() == "25%"
    PartnerImport.objects.filter(pk=job.pk).update(processed_rows=750)
    _wait_for_text(page, ".progress-bar", "75%")
    assert page.inner_text("[data-field=processed_rows]") == "750"
    PartnerImport.objects.filter(pk=job.pk).update(
        processed_rows=1000, stage=ImportStage.CHECKED, created=3
    )
    page.wait_for_selector("text=Would create", timeout=10_000)  # reloaded with the results
    assert page.inner_text(".progress-bar").strip() == "100%"
    for url in (reverse("partners:import"), reverse("partners:import_job", args=[job.pk])):
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    assert not errors, errors
