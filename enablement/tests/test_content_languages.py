"""Courses, lessons and quizzes in several languages (issue 23, kernel.translations): the reader's
language where a version exists, else the default text; the setup pages store the versions."""

import pytest
from django.urls import reverse
from django.utils import translation

from enablement.models import Course
from enablement.tests.factories import (
    CourseFactory,
    LessonFactory,
    QuizFactory,
    ResourceFactory,
    make_question,
)
from kernel.translations import missing_languages, translated

pytestmark = pytest.mark.django_db


def _german(client_as, world, persona="partner_a_user"):
    """A client for a partner user whose profile says German. The request also asks for German
    and runs with German active, so the page is German whichever way the language is chosen."""
    user = world.users[persona]
    user.language = "de"
    user.save(update_fields=["language"])
    return client_as(persona)


def _get(client, url, language="de", **params):
    with translation.override(language):
        return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_readers_language_is_shown_when_present_else_the_default():
    course = CourseFactory(
        title="Selling widgets",
        summary="The basics.",
        translations={"de": {"title": "Widgets verkaufen"}, "pt": {"title": "Vender widgets"}},
    )
    with translation.override("de"):
        assert translated(course, "title") == "Widgets verkaufen"
        assert translated(course, "summary") == "The basics."  # no German summary
    with translation.override("ja"):
        assert translated(course, "title") == "Selling widgets"
    with translation.override("pt-br"):  # a regional language falls back to its base version
        assert translated(course, "title") == "Vender widgets"
    with translation.override("en"):
        assert translated(course, "title") == "Selling widgets"
    assert translated(course, "title", "de") == "Widgets verkaufen"


def test_a_blank_version_falls_back_and_counts_as_missing():
    course = CourseFactory(
        title="Selling widgets",
        summary="",
        description="",
        translations={"de": {"title": "  "}, "fr": {"title": "Vendre des widgets"}},
    )
    assert translated(course, "title", "de") == "Selling widgets"
    # the summary and description are blank in English: nothing to translate there
    assert missing_languages(course, Course.TRANSLATED_FIELDS) == ["de", "es", "pt-br", "ja"]


def test_the_plain_field_keeps_the_default_text_for_search_and_payloads():
    course = CourseFactory(title="Selling widgets", translations={"de": {"title": "Verkaufen"}})
    with translation.override("de"):
        course.refresh_from_db()
        assert course.title == "Selling widgets"
        assert Course.objects.filter(title="Selling widgets").exists()
        assert list(Course.objects.values_list("title", flat=True)) == ["Selling widgets"]


def test_a_german_partner_sees_german_titles_where_present_and_english_where_not(client_as, world):
    course = CourseFactory(
        title="Selling widgets",
        summary="The basics.",
        translations={"de": {"title": "Widgets verkaufen", "summary": "Die Grundlagen."}},
    )
    german_lesson = LessonFactory(
        course=course,
        position=1,
        title="Why widgets",
        body="English body",
        translations={"de": {"title": "Warum Widgets", "body": "Deutscher Text"}},
    )
    english_lesson = LessonFactory(course=course, position=2, title="Pricing widgets")
    client = _german(client_as, world)

    catalog = _get(client, reverse("enablement:catalog"))
    assert "Widgets verkaufen" in catalog and "Die Grundlagen." in catalog
    assert "Selling widgets" not in catalog

    detail = _get(client, reverse("enablement:course_detail", args=[course.slug]))
    assert "Warum Widgets" in detail and "Pricing widgets" in detail
    assert "Why widgets" not in detail

    lesson = _get(client, reverse("enablement:lesson", args=[course.slug, german_lesson.pk]))
    assert "Deutscher Text" in lesson and "English body" not in lesson
    other = _get(client, reverse("enablement:lesson", args=[course.slug, english_lesson.pk]))
    assert "Pricing widgets" in other

    english = _get(client_as("partner_a_admin"), reverse("enablement:catalog"), language="en")
    assert "Selling widgets" in english and "Widgets verkaufen" not in english


def test_quiz_questions_and_choices_show_in_the_readers_language(client_as, world):
    course = CourseFactory(title="Selling widgets")
    quiz = QuizFactory(course=course, translations={"de": {"title": "Abschlusstest"}})
    question, choices = make_question(quiz)
    question.translations = {"de": {"text": "Was ist 2 + 2?"}}
    question.save()
    choices["4"].translations = {"de": {"text": "vier"}}
    choices["4"].save()
    from enablement.selectors import quiz_questions_public

    with translation.override("de"):
        shown = quiz_questions_public(quiz=quiz)
    assert shown[0]["text"] == "Was ist 2 + 2?"
    texts = [c["text"] for c in shown[0]["choices"]]
    assert texts == ["vier", "3", "5"]


def test_the_course_setup_page_stores_the_versions_entered_and_drops_blank_ones(client_as):
    course = CourseFactory(title="Selling widgets", slug="selling-widgets")
    url = reverse("enablement:setup_course_edit", args=[course.pk])
    page = client_as("vendor_admin").get(url).content.decode()
    assert 'name="tr_de_title"' in page and 'name="tr_ja_description"' in page
    response = client_as("vendor_admin").post(
        url,
        {
            "title": "Selling widgets",
            "slug": "selling-widgets",
            "summary": "The basics.",
            "estimated_minutes": 30,
            "tr_de_title": "Widgets verkaufen",
            "tr_de_summary": "",
            "tr_ja_title": "ウィジェットの販売",
        },
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Selling widgets"
    assert course.translations == {
        "de": {"title": "Widgets verkaufen"},
        "ja": {"title": "ウィジェットの販売"},
    }


def test_the_course_setup_page_still_requires_the_default_title(client_as):
    course = CourseFactory(title="Selling widgets", slug="selling-widgets")
    response = client_as("vendor_admin").post(
        reverse("enablement:setup_course_edit", args=[course.pk]),
        {"title": "", "slug": "selling-widgets", "estimated_minutes": 30, "tr_de_title": "X"},
    )
    assert response.status_code == 400
    course.refresh_from_db()
    assert course.title == "Selling widgets" and course.translations == {}


def test_the_library_shows_a_resource_in_the_readers_language_when_a_variant_exists(
    client_as, world
):
    original = ResourceFactory(title="Partner pricing guide", language="en")
    german = ResourceFactory(title="Preisleitfaden", language="de", variant_of=original)
    alone = ResourceFactory(title="Only in English", language="en")
    client = _german(client_as, world)
    listed = _get(client, reverse("enablement:library"))
    assert german.title in listed and alone.title in listed
    assert original.title not in listed
    english = _get(client_as("partner_a_admin"), reverse("enablement:library"), language="en")
    assert original.title in english and german.title not in english
    # the detail page still links every language, and the filter still finds each
    detail = _get(client, reverse("enablement:resource_detail", args=[german.pk]))
    assert original.title in detail
