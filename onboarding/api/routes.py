from onboarding.api import views


def register(router) -> None:
    router.register("applications", views.ApplicationViewSet, basename="application")
    router.register("checklists", views.ChecklistViewSet, basename="checklist")
