from django.db.models import Prefetch, QuerySet
from django.http import Http404

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.permissions import can_manage_webhooks


def endpoint_list_for_user(*, user) -> QuerySet[WebhookEndpoint]:
    qs = WebhookEndpoint.objects.select_related("created_by")
    return qs if can_manage_webhooks(user) else qs.none()


def endpoint_get_for_user(*, user, pk: int) -> WebhookEndpoint:
    endpoint = endpoint_list_for_user(user=user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def delivery_list_for_user(*, user) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.select_related("endpoint").prefetch_related(
        Prefetch("log", queryset=WebhookAttempt.objects.order_by("number"))
    )
    return qs if can_manage_webhooks(user) else qs.none()
