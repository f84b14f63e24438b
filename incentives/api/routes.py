from incentives.api import views


def register(router) -> None:
    router.register("mdf-allocations", views.MdfAllocationViewSet, basename="mdf-allocation")
    router.register("mdf-requests", views.MdfRequestViewSet, basename="mdf-request")
    router.register("awards", views.AwardViewSet, basename="award")
    router.register("badges", views.BadgeViewSet, basename="badge")
