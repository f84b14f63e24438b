from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from metrics.services import event_recorded
        from webhooks import receivers

        event_recorded.connect(receivers.on_events_recorded, dispatch_uid="webhooks-deliveries")
