from deals.api import views


def register(router) -> None:
    router.register("deals", views.DealViewSet, basename="deal")
