import pytest

from enablement.tests.factories import (
    CertificationFactory,
    LessonFactory,
    QuizFactory,
    make_question,
)


@pytest.fixture
def course_setup(db):
    """A published course of two lessons and a one-question quiz (pass mark 100%), leading to a
    certification."""
    from enablement.tests.factories import CourseFactory
    from partners.tests.factories import OfferingFactory

    course = CourseFactory(title="Selling Widgets", slug="selling-widgets")
    course.offerings.add(OfferingFactory(slug="widgets", name="Widgets"))
    lessons = [
        LessonFactory(course=course, position=1, title="Why widgets"),
        LessonFactory(course=course, position=2, title="Pricing widgets"),
    ]
    quiz = QuizFactory(course=course, pass_mark=100, max_attempts=3)
    question, choices = make_question(quiz)
    certification = CertificationFactory(name="Widget Seller", courses=[course])
    return {
        "course": course,
        "lessons": lessons,
        "quiz": quiz,
        "question": question,
        "choices": choices,
        "certification": certification,
    }
