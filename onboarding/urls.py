from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("apply/thanks/", views.ApplyThanksView.as_view(), name="apply_thanks"),
    path("portal/onboarding/", views.ChecklistView.as_view(), name="checklist"),
    path("portal/onboarding/agreement/", views.AgreementView.as_view(), name="agreement"),
    path("portal/onboarding/profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "portal/onboarding/steps/<int:pk>/upload/",
        views.DocumentUploadView.as_view(),
        name="document_upload",
    ),
    path(
        "onboarding/documents/<int:pk>/",
        views.DocumentDownloadView.as_view(),
        name="document_download",
    ),
    path("portal/onboarding/survey/", views.SurveyView.as_view(), name="survey"),
    path("manage/applications/", views.ApplicationListView.as_view(), name="applications"),
    path(
        "manage/applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application",
    ),
    path(
        "manage/applications/<int:pk>/approve/",
        views.ApplicationApproveView.as_view(),
        name="application_approve",
    ),
    path(
        "manage/applications/<int:pk>/reject/",
        views.ApplicationRejectView.as_view(),
        name="application_reject",
    ),
    path("manage/steps/<int:pk>/verify/", views.StepVerifyView.as_view(), name="step_verify"),
    path(
        "manage/partners/<int:pk>/checklist/migrate/",
        views.ChecklistMigrateView.as_view(),
        name="checklist_migrate",
    ),
    path(
        "manage/partners/<int:pk>/owner/", views.OwnerReassignView.as_view(), name="owner_reassign"
    ),
    path("manage/onboarding/surveys/", views.SurveyResultsView.as_view(), name="survey_results"),
]
