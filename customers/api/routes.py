from django.urls import path

from customers.api import views


def register(router) -> None:
    router.register("customer-accounts", views.CustomerAccountViewSet, basename="customer-account")
    router.register("seat-licenses", views.SeatLicenseViewSet, basename="seat-license")


urlpatterns = [
    path(
        "metrics/user-adoption/", views.UserAdoptionView.as_view(), name="api-metrics-user-adoption"
    ),
]
