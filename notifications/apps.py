from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self):
        from events import consumers
        from events.choices import EventKind
        from kernel import outbox
        from notifications import hooks
        from notifications.consumers import on_events

        # Every email the outbox queues also lands in-app; preferences may leave a person off it.
        outbox.hooks.register("notifications", hooks.HOOK)
        consumers.register(
            "notifications.staff",
            kinds={
                EventKind.APPLICATION_SUBMITTED,
                EventKind.PARTNER_STALLED,
                EventKind.PARTNER_AT_RISK,
            },
            handle=on_events,
        )
