"""The missing-translations page (issue 23): content by language, exactly what is missing."""

import pytest
from django.urls import reverse

from enablement.tests.factories import CourseFactory, LessonFactory
from onboarding.tests.factories import ChecklistTemplateFactory, TemplateStepFactory
from partners.models import TierBenefit

pytestmark = pytest.mark.django_db

URL = reverse("console:setup_translations")
EVERY = {"de": "x", "fr": "x", "es": "x", "pt-br": "x", "ja": "x"}


def _all(**fields) -> dict:
    """A version of ``fields`` in every content language."""
    return {code: dict(fields) for code in EVERY}


def _rows(page: str) -> set[str]:
    import re

    return set(re.findall(r'data-row="([^"]+)"', page))


def _everything_translated(world):
    for tier in world.partner_a.program.tiers.all():
        tier.translations = _all(name="x", description="x")
        tier.save()


def test_the_page_lists_exactly_the_content_with_a_missing_version(client_as, world):
    _everything_translated(world)
    done = CourseFactory(title="Translated", summary="S", translations=_all(title="x", summary="y"))
    partly = CourseFactory(
        title="Half done",
        summary="",
        translations={"de": {"title": "Halb"}, "ja": {"title": "半分"}},
    )
    LessonFactory(course=done, title="Lesson one", body="", translations=_all(title="x"))
    LessonFactory(course=done, title="Lesson two", body="Text", translations=_all(title="x"))
    template = ChecklistTemplateFactory(name="Resellers")
    TemplateStepFactory(template=template, key="kickoff", title="Kick-off", why="")
    TierBenefit.objects.create(
        tier=world.partner_a.tier, name="Portal", translations=_all(name="x")
    )
    page = client_as("vendor_admin").get(URL).content.decode()
    assert _rows(page) == {
        "course:Half done",  # French, Spanish, Portuguese missing
        "lesson:Lesson two",  # its body has no version anywhere
        "step:Kick-off",
    }
    edit = reverse("enablement:setup_course_edit", args=[partly.pk])
    assert f'href="{edit}"' in page
    assert reverse("onboarding:setup_checklist_step_edit", args=[template.pk, "kickoff"]) in page
    # per language: de misses the lesson and the step; fr the course, lesson and step
    assert 'data-missing-count="de">2<' in page
    assert 'data-missing-count="fr">3<' in page


def test_the_page_filters_by_kind_and_by_language(client_as, world):
    _everything_translated(world)
    CourseFactory(title="Half done", summary="", translations={"de": {"title": "Halb"}})
    CourseFactory(title="Untouched", summary="")
    TemplateStepFactory(title="Kick-off", why="")
    admin = client_as("vendor_admin")
    assert _rows(admin.get(URL, {"kind": "course"}).content.decode()) == {
        "course:Half done",
        "course:Untouched",
    }
    assert _rows(admin.get(URL, {"kind": "course", "language": "de"}).content.decode()) == {
        "course:Untouched"
    }
    assert _rows(admin.get(URL, {"language": "de"}).content.decode()) == {
        "course:Untouched",
        "step:Kick-off",
    }
    # unknown filters are ignored, not an error
    assert admin.get(URL, {"kind": "nope", "language": "xx"}).status_code == 200


def test_the_page_reads_a_fixed_number_of_queries(client_as, world, django_assert_max_num_queries):
    admin = client_as("vendor_admin")
    admin.get(URL)  # session and user warm
    for n in range(15):
        course = CourseFactory(title=f"Course {n}")
        LessonFactory(course=course, title=f"Lesson {n}")
        TemplateStepFactory(title=f"Step {n}")
    # session, user, then one query per kind of content (8)
    with django_assert_max_num_queries(11):
        response = admin.get(URL)
    assert response.status_code == 200


def test_the_hub_links_the_page_and_only_admins_get_the_edit_links(client_as, world):
    course = CourseFactory(title="Untranslated")
    edit = reverse("enablement:setup_course_edit", args=[course.pk])
    assert URL in client_as("vendor_admin").get(reverse("console:setup")).content.decode()
    assert edit in client_as("vendor_admin").get(URL).content.decode()
    manager = client_as("manager_owner").get(URL).content.decode()
    assert "course:Untranslated" in manager and edit not in manager
    assert client_as("partner_a_admin").get(URL).status_code == 404
