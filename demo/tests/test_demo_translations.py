"""The demo seeds German and Japanese versions of a few courses, steps and tiers (issue 23)."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from demo.translations import seed_content_translations
from enablement.models import Course, Lesson
from kernel.translations import translated
from onboarding.models import ChecklistStep, TemplateStep
from partners.models import Tier, TierBenefit

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_demo_has_german_and_japanese_versions_next_to_english_only_content():
    call_command(
        "seed_demo", "--partners", "12", "--events", "500", "--seed", "3",
        "--now", NOW.isoformat(), stdout=StringIO(),
    )  # fmt: skip
    course = Course.objects.get(slug="platform-fundamentals")
    with translation.override("de"):
        assert translated(course, "title") == "Plattform-Grundlagen"
        # a course without versions shows its English title
        other = Course.objects.get(slug="managed-services-delivery")
        assert translated(other, "title") == other.title
        lessons = [translated(lesson, "title") for lesson in course.lessons.order_by("position")]
        assert lessons[0] == "Die Plattform in zehn Minuten"
        assert lessons[2] == "Editions and licensing"  # no German version
    with translation.override("ja"):
        assert translated(course, "title") == "プラットフォームの基礎"
        assert translated(Tier.objects.get(name="Gold"), "name") == "ゴールド"
    assert TemplateStep.objects.filter(key="agreement", translations__has_key="de").exists()
    # partners' checklists started from those templates carry the versions
    snapshot = ChecklistStep.objects.filter(key="agreement").first()
    assert (
        snapshot is not None and snapshot.translations["ja"]["title"] == "パートナー契約に同意する"
    )
    assert TierBenefit.objects.filter(name="Discount", translations__has_key="ja").count() == 3

    # running it again changes nothing, and never overwrites an admin's own version
    assert seed_content_translations() == 0
    lesson = Lesson.objects.get(course=course, position=1)
    lesson.translations["de"]["title"] = "Eigene Übersetzung"
    lesson.save()
    seed_content_translations()
    lesson.refresh_from_db()
    assert lesson.translations["de"]["title"] == "Eigene Übersetzung"
