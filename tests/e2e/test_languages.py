"""A partner user reading Japanese and one reading German walk the partner home, a course and the
deal registration form on a phone (390 px): each page is in their language (``html[lang]``, and
strings Django ships translated: the language names of the switcher, the form's "required"
error), nothing overflows sideways, and a screenshot of each page is kept in test-results/.

The expected words are the active catalogues' (``gettext`` in the reader's language: Django's
own before our catalogues are compiled, ours after, since LOCALE_PATHS come first), and each must
differ from the English; the screenshots show the whole page translated once ours are compiled."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from enablement.tests.factories import CourseFactory, LessonFactory
from tests.e2e.conftest import PHONE, logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "languages"

# What each language shows: another language's name in the reader's language (the switcher shows
# it beside the native one) and the form's "required" error.
ENGLISH = {"ja": {"language": "German"}, "de": {"language": "Japanese"}}
REQUIRED = "This field is required."


def _expected(language: str) -> dict[str, str]:
    from django.utils import translation

    with translation.override(language):
        expected = {
            "language": translation.gettext(ENGLISH[language]["language"]),
            "required": translation.gettext(REQUIRED),
        }
    # translated at all (Django ships both words in German and Japanese)
    assert expected["language"] != ENGLISH[language]["language"]
    assert expected["required"] != REQUIRED
    return expected


def _no_overflow(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} is {width[0]} px wide on a {width[1]} px screen"


def _walk(browser, live_server, user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
    course = CourseFactory(title="Widget Fundamentals", slug=f"widget-fundamentals-{language}")
    LessonFactory(course=course, position=1, title="What a widget is", body="Widgets matter.")
    context = logged_in_context(browser, live_server, user, viewport=PHONE)
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)
    expected = _expected(language)
    try:
        for name, path in (
            ("home", reverse("partners:home")),
            ("course", course.get_absolute_url()),
            ("deal-form", reverse("deals:create")),
        ):
            page.goto(live_server.url + path)
            assert page.get_attribute("html", "lang") == language
            # the switcher in the user menu names the languages in the reader's own
            menu = page.locator(".language-switcher").first.text_content()
            assert expected["language"] in menu
            _no_overflow(page)
            page.screenshot(path=str(SHOTS / f"{language}-{name}.png"), full_page=True)

        # the deal form refused empty: Django's own message, in the reader's language
        form = page.locator("form:has([name=customer_name])")
        form.evaluate("f => { f.noValidate = true; }")
        form.locator("[type=submit]").first.click()
        page.wait_for_load_state()
        assert expected["required"] in page.content()
        _no_overflow(page)
        page.screenshot(path=str(SHOTS / f"{language}-deal-form-errors.png"), full_page=True)

        # the menu opens on a phone and the switcher is in it
        _open_user_menu(page)
        # waits for the dropdown to open (is_visible() does not wait, and the menu animates)
        expect(page.locator(".language-switcher button[value=en]")).to_be_visible()
        _no_overflow(page)
        page.screenshot(path=str(SHOTS / f"{language}-menu.png"), full_page=True)
    finally:
        context.close()


def _open_user_menu(page):
    """On a phone: open the collapsed navbar, wait until its animation has ended (a click on
    the user menu while the navbar still collapses can be lost), then open the user menu."""
    page.locator(".navbar-toggler").click()
    expect(page.locator(".navbar-collapse.collapsing")).to_have_count(0)
    expect(page.locator("#user-menu")).to_be_visible()
    page.locator("#user-menu").click()
    expect(page.locator("#user-menu")).to_have_attribute("aria-expanded", "true")


def test_a_japanese_partner_user_walks_the_portal_on_a_phone(browser, live_server, world):
    _walk(browser, live_server, world.users["partner_a_user"], "ja")


def test_a_german_partner_user_walks_the_portal_on_a_phone(browser, live_server, world):
    _walk(browser, live_server, world.users["partner_a_admin"], "de")


def test_switching_the_language_from_the_menu_takes_effect_at_once(browser, live_server, world):
    user = world.users["partner_a_user"]
    context = logged_in_context(browser, live_server, user, viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + reverse("partners:home"))
        assert page.get_attribute("html", "lang") == "en"
        _open_user_menu(page)
        page.locator(".language-switcher button[value=de]").click()
        page.wait_for_load_state()
        assert page.url.endswith(reverse("partners:home"))
        assert page.get_attribute("html", "lang") == "de"
        user.refresh_from_db()
        assert user.language == "de"
    finally:
        context.close()
