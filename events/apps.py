from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events"

    def ready(self):
        from events import receivers  # noqa: F401  (auth events of the accounts floor)
