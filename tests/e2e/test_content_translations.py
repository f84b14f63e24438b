"""A vendor admin adds a German version of a course at phone width (the section per language
opens and saves), then finds on the missing-translations page what is still missing; neither
page is wider than a 390 px phone (issue 23)."""

import pytest
from django.urls import reverse

from enablement.models import Course
from enablement.tests.factories import CourseFactory, LessonFactory
from tests.e2e.conftest import PHONE, logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_admin_adds_a_german_title_on_a_phone_and_sees_what_is_missing(
    browser, live_server, world
):
    course = CourseFactory(
        title="Widget Fundamentals with a rather long title for phones",
        slug="widget-fundamentals",
        summary="",
    )
    LessonFactory(course=course, title="What a widget is")
    for tier in world.partner_a.program.tiers.all():  # the world's tiers: translated already
        tier.translations = {c: {"name": "x"} for c in ("de", "fr", "es", "pt-br", "ja")}
        tier.save()
    context = logged_in_context(browser, live_server, world.users["vendor_admin"], PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("enablement:setup_course_edit", args=[course.pk]))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Opens the German section (the user menu's language switcher also says "German").
        page.locator("main details summary", has_text="German").click()
        page.get_by_label("Title (German)").fill("Widget-Grundlagen")
        page.get_by_role("button", name="Save").first.click()
        page.wait_for_load_state()
        course.refresh_from_db()
        assert course.translations == {"de": {"title": "Widget-Grundlagen"}}
        assert course.title == "Widget Fundamentals with a rather long title for phones"

        page.goto(live_server.url + reverse("console:setup_translations"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        table = page.locator("[data-missing-translations]")
        assert table.get_by_text("What a widget is").is_visible()
        assert page.locator('[data-missing-count="de"]').inner_text() == "1"  # the lesson only
        assert page.locator('[data-missing-count="fr"]').inner_text() == "2"
        page.select_option("#language", "de")
        page.get_by_role("button", name="Show").click()
        page.wait_for_load_state()
        assert page.locator("[data-missing-translations] tbody tr").count() == 1
        assert Course.objects.get(pk=course.pk).translations["de"]["title"]
    finally:
        context.close()
