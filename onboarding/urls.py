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

# --- Checklist builder (program setup; onboarding.builder_views) ----------------------------------
from onboarding import builder_views  # noqa: E402

_SETUP = "manage/setup/checklists/"
urlpatterns += [
    path(_SETUP, builder_views.ChecklistListView.as_view(), name="setup_checklists"),
    path(
        f"{_SETUP}new/", builder_views.TemplateCreateView.as_view(), name="setup_checklist_create"
    ),
    path(f"{_SETUP}preview/", builder_views.PreviewView.as_view(), name="setup_checklist_preview"),
    path(f"{_SETUP}<int:pk>/", builder_views.TemplateDetailView.as_view(), name="setup_checklist"),
    path(
        f"{_SETUP}<int:pk>/edit/",
        builder_views.TemplateEditView.as_view(),
        name="setup_checklist_edit",
    ),
    path(
        f"{_SETUP}<int:pk>/steps/new/",
        builder_views.StepAddView.as_view(),
        name="setup_checklist_step_add",
    ),
    path(
        f"{_SETUP}<int:pk>/steps/<slug:key>/edit/",
        builder_views.StepEditView.as_view(),
        name="setup_checklist_step_edit",
    ),
    path(
        f"{_SETUP}<int:pk>/steps/<slug:key>/remove/",
        builder_views.StepRemoveView.as_view(),
        name="setup_checklist_step_remove",
    ),
    path(
        f"{_SETUP}<int:pk>/steps/<slug:key>/up/",
        builder_views.StepUpView.as_view(),
        name="setup_checklist_step_up",
    ),
    path(
        f"{_SETUP}<int:pk>/steps/<slug:key>/down/",
        builder_views.StepDownView.as_view(),
        name="setup_checklist_step_down",
    ),
    path(
        f"{_SETUP}<int:pk>/reorder/",
        builder_views.ReorderView.as_view(),
        name="setup_checklist_reorder",
    ),
    path(
        f"{_SETUP}<int:pk>/discard/",
        builder_views.DraftDiscardView.as_view(),
        name="setup_checklist_discard",
    ),
    path(
        f"{_SETUP}<int:pk>/publish/",
        builder_views.PublishView.as_view(),
        name="setup_checklist_publish",
    ),
    path(
        f"{_SETUP}<int:pk>/migrate/",
        builder_views.MigrateView.as_view(),
        name="setup_checklist_migrate",
    ),
]

# Setup pages (issue 18): agreement versions per program, owner rules.
from onboarding import setup_views  # noqa: E402

urlpatterns += [
    path(
        "manage/setup/agreements/", setup_views.AgreementListView.as_view(), name="setup_agreements"
    ),
    path(
        "manage/setup/agreements/new/",
        setup_views.AgreementCreateView.as_view(),
        name="setup_agreement_create",
    ),
    path(
        "manage/setup/agreements/preview/",
        setup_views.AgreementPreviewView.as_view(),
        name="setup_agreement_preview",
    ),
    path(
        "manage/setup/agreements/<int:pk>/",
        setup_views.AgreementDetailView.as_view(),
        name="setup_agreement",
    ),
    path(
        "manage/setup/agreements/<int:pk>/edit/",
        setup_views.AgreementEditView.as_view(),
        name="setup_agreement_edit",
    ),
    path(
        "manage/setup/agreements/<int:pk>/publish/",
        setup_views.AgreementPublishView.as_view(),
        name="setup_agreement_publish",
    ),
    path(
        "manage/setup/agreements/<int:pk>/delete/",
        setup_views.AgreementDeleteView.as_view(),
        name="setup_agreement_delete",
    ),
    path(
        "manage/setup/owner-rules/",
        setup_views.OwnerRuleListView.as_view(),
        name="setup_owner_rules",
    ),
    path(
        "manage/setup/owner-rules/new/",
        setup_views.OwnerRuleCreateView.as_view(),
        name="setup_owner_rule_create",
    ),
    path(
        "manage/setup/owner-rules/<int:pk>/delete/",
        setup_views.OwnerRuleDeleteView.as_view(),
        name="setup_owner_rule_delete",
    ),
]

# --- Activation experiments (issue 22; onboarding.experiments.views) -----------------------------
from onboarding.experiments import views as experiment_views  # noqa: E402

_EXPERIMENTS = "manage/setup/experiments/"
urlpatterns += [
    path(_EXPERIMENTS, experiment_views.ExperimentListView.as_view(), name="setup_experiments"),
    path(
        f"{_EXPERIMENTS}new/",
        experiment_views.ExperimentCreateView.as_view(),
        name="setup_experiment_create",
    ),
    path(
        f"{_EXPERIMENTS}<int:pk>/",
        experiment_views.ExperimentDetailView.as_view(),
        name="setup_experiment",
    ),
    path(
        f"{_EXPERIMENTS}<int:pk>/start/",
        experiment_views.ExperimentStartView.as_view(),
        name="setup_experiment_start",
    ),
    path(
        f"{_EXPERIMENTS}<int:pk>/stop/",
        experiment_views.ExperimentStopView.as_view(),
        name="setup_experiment_stop",
    ),
    path(
        f"{_EXPERIMENTS}<int:pk>/roll-out/",
        experiment_views.ExperimentRollOutView.as_view(),
        name="setup_experiment_roll_out",
    ),
    path(
        f"{_EXPERIMENTS}<int:pk>/roll-out/end/",
        experiment_views.ExperimentRollOutEndView.as_view(),
        name="setup_experiment_roll_out_end",
    ),
    path(
        "manage/experiments/<int:pk>/results/",
        experiment_views.ExperimentResultsView.as_view(),
        name="experiment_results",
    ),
]
