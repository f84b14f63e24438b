"""Activation experiments in a browser (issue 22): at a 390 px phone width the setup pages and
the results of the demo's experiments fit the screen, the Kaplan-Meier chart draws, the running
experiment says why it has no verdict, and stopping asks first on its own page."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from onboarding.experiments.models import Experiment, ExperimentStatus
from tests.e2e.conftest import logged_in_context

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_experiment_pages_fit_a_phone_and_the_results_draw_their_curves(browser, live_server):
    call_command("seed_demo", partners=24, events=2000, verbosity=0)
    admin = User.objects.get(email="admin@prm.example")
    running = Experiment.objects.get(status=ExperimentStatus.RUNNING)
    closed = Experiment.objects.exclude(pk=running.pk).get()
    context = logged_in_context(browser, live_server, admin, PHONE)
    page = context.new_page()
    too_wide = {}
    paths = [
        reverse("onboarding:setup_experiments"),
        reverse("onboarding:setup_experiment_create"),
        reverse("onboarding:setup_experiment", args=[running.pk]),
        reverse("onboarding:setup_experiment_stop", args=[running.pk]),
        reverse("onboarding:experiment_results", args=[closed.pk]),
        reverse("onboarding:experiment_results", args=[running.pk]),
    ]
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}
    # the last page: the running experiment's results
    assert page.get_by_text("No verdict yet.").is_visible()
    drawn = page.evaluate(
        "window.Chart && window.Chart.getChart('experiment-curves').data.datasets.length"
    )
    assert drawn == 2
    context.close()
