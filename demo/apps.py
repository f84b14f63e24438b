from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set for ``make run`` (``seed_demo``, ``onboarding_demo``,
    ``seed_enablement``): the top floor below the roof; it may import every app, none imports it."""

    name = "demo"
    label = "demo"
    verbose_name = "Demo data"
