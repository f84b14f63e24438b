from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"

    def ready(self):
        from incentives.receivers import award_from_events
        from metrics import consumers

        # Every kind: award rules name their event kind as data.
        consumers.register("incentives.awards", kinds=consumers.ALL_KINDS, handle=award_from_events)
