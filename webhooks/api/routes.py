from webhooks.api import views


def register(router) -> None:
    router.register("webhook-endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint")
    router.register("webhook-deliveries", views.WebhookDeliveryViewSet, basename="webhook-delivery")
