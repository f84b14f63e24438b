from leads.api import views


def register(router) -> None:
    router.register("leads", views.LeadViewSet, basename="lead")
