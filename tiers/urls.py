from django.urls import path

from tiers import setup_views, views

app_name = "tiers"

urlpatterns = [
    path("manage/tiers/", views.TierReviewView.as_view(), name="tier_review"),
    path(
        "manage/partners/<int:pk>/tier/",
        views.TierOverrideView.as_view(),
        name="tier_override",
    ),
    # Tier setup (vendor admins edit, channel managers read the ladder)
    path("manage/setup/tiers/", setup_views.TierSetupView.as_view(), name="setup_tiers"),
    path("manage/setup/tiers/new/", setup_views.TierCreateView.as_view(), name="setup_tier_create"),
    path(
        "manage/setup/tiers/<int:pk>/edit/",
        setup_views.TierEditView.as_view(),
        name="setup_tier_edit",
    ),
    path(
        "manage/setup/tiers/<int:pk>/move/",
        setup_views.TierMoveView.as_view(),
        name="setup_tier_move",
    ),
    path(
        "manage/setup/tiers/<int:pk>/delete/",
        setup_views.TierDeleteView.as_view(),
        name="setup_tier_delete",
    ),
    path(
        "manage/setup/tiers/<int:pk>/requirements/new/",
        setup_views.RequirementCreateView.as_view(),
        name="setup_requirement_create",
    ),
    path(
        "manage/setup/tiers/<int:pk>/requirements/count/",
        setup_views.RequirementCountView.as_view(),
        name="setup_requirement_count",
    ),
    path(
        "manage/setup/tiers/requirements/<int:pk>/edit/",
        setup_views.RequirementEditView.as_view(),
        name="setup_requirement_edit",
    ),
    path(
        "manage/setup/tiers/requirements/<int:pk>/delete/",
        setup_views.RequirementDeleteView.as_view(),
        name="setup_requirement_delete",
    ),
    path(
        "manage/setup/tiers/<int:pk>/benefits/new/",
        setup_views.BenefitCreateView.as_view(),
        name="setup_benefit_create",
    ),
    path(
        "manage/setup/tiers/benefits/<int:pk>/edit/",
        setup_views.BenefitEditView.as_view(),
        name="setup_benefit_edit",
    ),
    path(
        "manage/setup/tiers/benefits/<int:pk>/delete/",
        setup_views.BenefitDeleteView.as_view(),
        name="setup_benefit_delete",
    ),
]
