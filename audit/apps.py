from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from audit import signals  # receivers for security-relevant actions
        from events import consumers

        consumers.register("audit.events", kinds=signals.EVENT_ACTIONS, handle=signals.on_events)
