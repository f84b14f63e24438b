from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from events import consumers
        from onboarding import readers
        from onboarding.receivers import complete_steps_from_events

        readers.register()  # the checklist facts metric definitions read (partners.readers)

        # Every kind: a checklist step may wait for any event kind (``ChecklistStep.event_kind``).
        consumers.register(
            "onboarding.steps", kinds=consumers.ALL_KINDS, handle=complete_steps_from_events
        )
