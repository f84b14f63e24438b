from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("portal/deals/", views.DealListView.as_view(), name="list"),
    path("portal/deals/export.csv", views.DealExportView.as_view(), name="export"),
    path("portal/deals/new/", views.DealCreateView.as_view(), name="create"),
    path("portal/deals/<int:pk>/", views.DealDetailView.as_view(), name="detail"),
    path("portal/deals/<int:pk>/edit/", views.DealEditView.as_view(), name="edit"),
    path("portal/deals/<int:pk>/submit/", views.DealSubmitView.as_view(), name="submit"),
    path("portal/deals/<int:pk>/delete/", views.DealDeleteView.as_view(), name="delete"),
    path("portal/deals/<int:pk>/won/", views.DealWonView.as_view(), name="won"),
    path("portal/deals/<int:pk>/lost/", views.DealLostView.as_view(), name="lost"),
    path(
        "portal/deals/<int:pk>/extension/",
        views.DealExtensionRequestView.as_view(),
        name="extension",
    ),
    path("portal/deals/<int:pk>/help/", views.DealHelpRequestView.as_view(), name="help_request"),
    path(
        "portal/deals/<int:pk>/help/<int:help_pk>/notes/",
        views.DealHelpNoteView.as_view(),
        name="help_note",
    ),
    path("manage/deals/", views.ManagerDealListView.as_view(), name="manager_list"),
    path("manage/deals/export.csv", views.ManagerDealExportView.as_view(), name="manager_export"),
    path("manage/deals/<int:pk>/", views.ManagerDealDetailView.as_view(), name="manager_detail"),
    path("manage/deals/<int:pk>/approve/", views.DealApproveView.as_view(), name="approve"),
    path("manage/deals/<int:pk>/reject/", views.DealRejectView.as_view(), name="reject"),
    path(
        "manage/deals/<int:pk>/extensions/<int:extension_pk>/",
        views.ExtensionDecideView.as_view(),
        name="extension_decide",
    ),
    path(
        "manage/deals/<int:pk>/help/<int:help_pk>/assign/",
        views.ManagerHelpAssignView.as_view(),
        name="manager_help_assign",
    ),
    path(
        "manage/deals/<int:pk>/help/<int:help_pk>/notes/",
        views.ManagerHelpNoteView.as_view(),
        name="manager_help_note",
    ),
]

# Setup pages (issue 18): registration policies.
from deals import setup_views  # noqa: E402

urlpatterns += [
    path(
        "manage/setup/registration-policies/",
        setup_views.PolicyListView.as_view(),
        name="setup_policies",
    ),
    path(
        "manage/setup/registration-policies/new/",
        setup_views.PolicyCreateView.as_view(),
        name="setup_policy_create",
    ),
    path(
        "manage/setup/registration-policies/<int:pk>/edit/",
        setup_views.PolicyEditView.as_view(),
        name="setup_policy_edit",
    ),
    path(
        "manage/setup/registration-policies/<int:pk>/delete/",
        setup_views.PolicyDeleteView.as_view(),
        name="setup_policy_delete",
    ),
]
