from django.urls import path

from metrics.api import views

urlpatterns = [
    path(
        "metrics/activation-cohorts/",
        views.ActivationCohortsView.as_view(),
        name="api-metrics-activation",
    ),
    path("metrics/adoption/", views.AdoptionView.as_view(), name="api-metrics-adoption"),
    path("metrics/at-risk/", views.AtRiskView.as_view(), name="api-metrics-at-risk"),
]
