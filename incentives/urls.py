from django.urls import path

from incentives import views

app_name = "incentives"

urlpatterns = [
    path("portal/mdf/", views.MdfListView.as_view(), name="mdf_list"),
    path("portal/mdf/new/", views.MdfRequestCreateView.as_view(), name="mdf_create"),
    path("portal/mdf/<int:pk>/", views.MdfDetailView.as_view(), name="mdf_detail"),
    path("portal/mdf/<int:pk>/claim/", views.MdfClaimView.as_view(), name="mdf_claim"),
    path("portal/mdf/<int:pk>/edit/", views.MdfEditView.as_view(), name="mdf_edit"),
    path("portal/mdf/<int:pk>/withdraw/", views.MdfWithdrawView.as_view(), name="mdf_withdraw"),
    path("mdf/<int:pk>/proof/", views.MdfProofView.as_view(), name="mdf_proof"),
    path("portal/points/", views.PointsView.as_view(), name="points"),
    path(
        "portal/points/leaderboard/",
        views.LeaderboardOptOutView.as_view(),
        name="leaderboard_opt_out",
    ),
    path("manage/mdf/", views.ManagerMdfQueueView.as_view(), name="manager_mdf"),
    path(
        "manage/mdf/allocations/new/",
        views.AllocationCreateView.as_view(),
        name="allocation_create",
    ),
    path("manage/mdf/<int:pk>/", views.ManagerMdfDetailView.as_view(), name="manager_mdf_detail"),
    path("manage/mdf/<int:pk>/approve/", views.MdfApproveView.as_view(), name="mdf_approve"),
    path("manage/mdf/<int:pk>/reject/", views.MdfRejectView.as_view(), name="mdf_reject"),
    path(
        "manage/mdf/<int:pk>/claim/approve/",
        views.MdfClaimApproveView.as_view(),
        name="mdf_claim_approve",
    ),
    path(
        "manage/mdf/<int:pk>/claim/reject/",
        views.MdfClaimRejectView.as_view(),
        name="mdf_claim_reject",
    ),
    path("manage/leaderboard/", views.ManagerLeaderboardView.as_view(), name="manager_leaderboard"),
]

# Setup pages (issue 18): award rules and MDF allocations. The award rules page is the setup
# page; ``rules`` is its older name (same address).
from incentives import setup_views  # noqa: E402

urlpatterns += [
    path(
        "manage/incentives/rules/",
        setup_views.RuleListView.as_view(),
        name="setup_award_rules",
    ),
    path("manage/incentives/rules/", setup_views.RuleListView.as_view(), name="rules"),
    path(
        "manage/incentives/rules/new/",
        setup_views.RuleCreateView.as_view(),
        name="setup_award_rule_create",
    ),
    path(
        "manage/incentives/rules/<int:pk>/edit/",
        setup_views.RuleEditView.as_view(),
        name="setup_award_rule_edit",
    ),
    path(
        "manage/incentives/rules/<int:pk>/deactivate/",
        setup_views.RuleActiveView.as_view(active=False),
        name="setup_award_rule_deactivate",
    ),
    path(
        "manage/incentives/rules/<int:pk>/activate/",
        setup_views.RuleActiveView.as_view(active=True),
        name="setup_award_rule_activate",
    ),
    path(
        "manage/mdf/allocations/",
        setup_views.AllocationListView.as_view(),
        name="setup_allocations",
    ),
    path(
        "manage/mdf/allocations/<int:pk>/edit/",
        setup_views.AllocationEditView.as_view(),
        name="setup_allocation_edit",
    ),
    path(
        "manage/mdf/allocations/<int:pk>/delete/",
        setup_views.AllocationDeleteView.as_view(),
        name="setup_allocation_delete",
    ),
]
