from django.urls import path

from tiers import views
from tiers.views import setup as setup_views
from tiers.views import setup_items

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
        setup_items.RequirementCreateView.as_view(),
        name="setup_requirement_create",
    ),
    path(
        "manage/setup/tiers/<int:pk>/requirements/count/",
        setup_items.RequirementCountView.as_view(),
        name="setup_requirement_count",
    ),
    path(
        "manage/setup/tiers/requirements/<int:pk>/edit/",
        setup_items.RequirementEditView.as_view(),
        name="setup_requirement_edit",
    ),
    path(
        "manage/setup/tiers/requirements/<int:pk>/delete/",
        setup_items.RequirementDeleteView.as_view(),
        name="setup_requirement_delete",
    ),
    path(
        "manage/setup/tiers/<int:pk>/benefits/new/",
        setup_items.BenefitCreateView.as_view(),
        name="setup_benefit_create",
    ),
    path(
        "manage/setup/tiers/benefits/<int:pk>/edit/",
        setup_items.BenefitEditView.as_view(),
        name="setup_benefit_edit",
    ),
    path(
        "manage/setup/tiers/benefits/<int:pk>/delete/",
        setup_items.BenefitDeleteView.as_view(),
        name="setup_benefit_delete",
    ),
]
