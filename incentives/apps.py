from django.apps import AppConfig


class IncentivesConfig(AppConfig):
    name = "incentives"

    def ready(self):
        from events import consumers
        from incentives import readers
        from incentives.receivers import award_from_events

        readers.register()  # MDF paid and points awarded, for metric definitions (partners.readers)

        # Every kind: award rules name their event kind as data.
        consumers.register("incentives.awards", kinds=consumers.ALL_KINDS, handle=award_from_events)
