from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from events import catalogue, consumers
        from webhooks import receivers
        from webhooks.catalogue import webhooks_table
        from webhooks.choices import KIND_TO_TYPE

        consumers.register(
            "webhooks.deliveries", kinds=KIND_TO_TYPE, handle=receivers.on_events_recorded
        )
        catalogue.register_docs("docs/webhooks.md", "webhooks", webhooks_table)
