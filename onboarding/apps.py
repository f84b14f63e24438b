from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from metrics.services import event_recorded
        from onboarding.receivers import complete_steps_from_events

        event_recorded.connect(complete_steps_from_events, dispatch_uid="onboarding.steps")
