"""Two quiz submissions of one person at the same moment (two tabs) with one attempt left: the
enrollment row lock lets exactly one through. Needs Postgres (real row locks): skipped on SQLite on
a laptop, a failure under CI=true."""

import threading

import pytest
from django.db import close_old_connections, connection, connections

from conftest import require_service
from enablement import services
from enablement.models import QuizAttempt
from events.models import Event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_submissions_cannot_exceed_the_attempt_limit(world, course_setup):
    require_service(
        "Postgres", connection.vendor == "postgresql", "set DATABASE_URL=postgres://... to run"
    )
    user = world.users["partner_a_user"]
    quiz = course_setup["quiz"]
    quiz.max_attempts = 2
    quiz.save()
    for lesson in course_setup["lessons"]:
        services.lesson_complete(user=user, lesson=lesson)
    wrong = {course_setup["question"].pk: [course_setup["choices"]["3"].pk]}
    services.quiz_submit(user=user, quiz=quiz, answers=wrong)  # one attempt left

    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[object] = []

    def submit():
        try:
            barrier.wait()
            services.quiz_submit(user=user, quiz=quiz, answers=wrong)
            outcomes.append("graded")
        except services.EnablementError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # anything else is a bug: show it in the assertion
            outcomes.append(repr(exc))
        finally:
            close_old_connections()
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=str) == sorted(
        ["graded", "You have used all 2 attempts. Contact your channel manager."], key=str
    ), outcomes
    assert QuizAttempt.objects.filter(user=user, quiz=quiz).count() == 2
    assert Event.objects.filter(kind="quiz.failed", user=user).count() == 2
