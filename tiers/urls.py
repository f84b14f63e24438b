from django.urls import path

from tiers import views

app_name = "tiers"

urlpatterns = [
    path("manage/tiers/", views.TierReviewView.as_view(), name="tier_review"),
    path(
        "manage/partners/<int:pk>/tier/",
        views.TierOverrideView.as_view(),
        name="tier_override",
    ),
]
