"""The partner list's bulk actions in a browser on a 390 px phone: tick rows (and "select all on
this page"), choose an action, confirm the count, read the result; no page wider than the screen
and no JavaScript error (static/js/bulk.js)."""

import pytest
from django.urls import reverse

from partners.models import Partner
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _phone_page(browser, live_server, user):
    context = logged_in_context(browser, live_server, user, PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_channel_manager_reassigns_partners_on_a_phone_and_sees_what_was_skipped(
    browser, live_server, world
):
    owner, other = world.users["manager_owner"], world.users["manager_other"]
    other.full_name = "Ann Lee"
    other.save()
    context, page, errors = _phone_page(browser, live_server, owner)
    page.goto(live_server.url + reverse("partners:manager_home") + "?scope=all")
    assert _fits(page)
    submit = page.locator("[data-bulk-submit]")
    assert submit.is_disabled()  # nothing selected yet
    page.locator("[data-bulk-page]").check()  # every partner on the page
    assert page.locator("[data-bulk-count]").inner_text() == "2 partners selected"
    page.select_option("#bulk-action", "owner")
    submit.click()
    page.wait_for_load_state()
    assert _fits(page)
    page.select_option("#id_owner", label="Ann Lee")
    page.get_by_role("button", name="Review").click()
    page.wait_for_load_state()
    assert _fits(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Reassign 1 partner to Ann Lee?"
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert _fits(page)
    body = page.content()
    assert "1 partner changed." in body and "Bravo Consulting" in body
    assert Partner.objects.get(pk=world.partner_a.pk).owner == other
    context.close()
    assert not errors


def test_select_all_matching_sends_the_filter_not_the_rows(browser, live_server, world):
    context, page, errors = _phone_page(browser, live_server, world.users["vendor_admin"])
    page.goto(live_server.url + reverse("partners:manager_home") + "?scope=all")
    page.locator("[data-bulk-all-matching]").check()
    assert page.locator("[data-bulk-row]").first.is_disabled()
    page.select_option("#bulk-action", "export")
    page.locator("[data-bulk-submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Export 2 partners as CSV?"
    assert _fits(page)
    context.close()
    assert not errors


def test_the_result_page_follows_a_running_action_until_it_is_done(browser, live_server, world):
    from console import bulk, bulk_run
    from partners.choices import PartnerStatus

    action = bulk_run.bulk_action_create(
        actor=world.users["vendor_admin"],
        plan=bulk.Plan(kind="status", status=PartnerStatus.ACTIVE),
        partner_ids=[world.partner_a.pk, world.partner_b.pk],
    )  # pending: as queued for a worker
    context, page, errors = _phone_page(browser, live_server, world.users["vendor_admin"])
    page.goto(live_server.url + reverse("console:bulk_result", args=[action.pk]))
    assert page.locator("[data-bulk-bar]").inner_text() == "0%"
    assert _fits(page)
    bulk_run.bulk_action_run(action_id=action.pk)  # the worker
    page.get_by_text("2 partners changed.").wait_for(timeout=10_000)  # reloaded by bulk.js
    assert page.locator("[data-bulk-progress]").count() == 0
    context.close()
    assert not errors
