from plans.api import views


def register(router) -> None:
    router.register("plans", views.PlanViewSet, basename="plan")
    router.register("plan-goals", views.GoalViewSet, basename="plan-goal")
    router.register("business-reviews", views.ReviewViewSet, basename="business-review")
