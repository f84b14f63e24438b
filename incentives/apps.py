from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"

    def ready(self):
        from incentives.receivers import award_from_events
        from metrics.services import event_recorded

        event_recorded.connect(award_from_events, dispatch_uid="incentives.awards")
