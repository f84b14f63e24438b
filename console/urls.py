"""The console's routes. Its pages keep the URL names they had before the console floor existed
(issue 17), so templates, redirects and emails did not change: the roof (prm/urls.py) mounts
``metric_pages`` as the ``metrics`` namespace and ``partner_pages`` inside the ``partners``
namespace, next to partners' own routes. A new console page may take the ``console`` namespace."""

from django.urls import path

from console import bulk_views, churn_views, review_actions, roi_views, setup, translations, views

metric_pages = [
    path("manage/dashboard/", views.ProgramDashboardView.as_view(), name="dashboard"),
    path(
        "manage/dashboard/<slug:table>.csv",
        views.DashboardExportView.as_view(),
        name="dashboard_export",
    ),
    path("manage/roi/", roi_views.RoiView.as_view(), name="roi"),
    path("manage/roi/<slug:table>.csv", roi_views.RoiExportView.as_view(), name="roi_export"),
    path("portal/adoption/", views.PartnerAdoptionView.as_view(), name="partner_adoption"),
    path(
        "manage/partners/<int:pk>/adoption/",
        views.ManagerPartnerAdoptionView.as_view(),
        name="manager_partner_adoption",
    ),
]

partner_pages = [
    # an offering's edit page holds its adoption rules (metrics), so it is a console page
    path(
        "manage/setup/offerings/<int:pk>/",
        setup.OfferingEditView.as_view(),
        name="setup_offering_edit",
    ),
    path(
        "manage/setup/offerings/<int:pk>/rules/new/",
        setup.AdoptionRuleCreateView.as_view(),
        name="setup_offering_rule_create",
    ),
    path(
        "manage/setup/offering-rules/<int:pk>/",
        setup.AdoptionRuleEditView.as_view(),
        name="setup_offering_rule_edit",
    ),
    path(
        "manage/setup/offering-rules/<int:pk>/delete/",
        setup.AdoptionRuleDeleteView.as_view(),
        name="setup_offering_rule_delete",
    ),
    path("portal/", views.PartnerHomeView.as_view(), name="home"),
    path(
        "manage/partners/<int:pk>/",
        views.ManagerPartnerDetailView.as_view(),
        name="manager_partner",
    ),
]

# New console pages take the ``console`` namespace (prm/urls.py).
console_pages = [
    path("manage/setup/", setup.SetupHubView.as_view(), name="setup"),
    path(
        "manage/setup/translations/",
        translations.MissingTranslationsView.as_view(),
        name="setup_translations",
    ),
    path("manage/partners/bulk/", bulk_views.BulkActionView.as_view(), name="bulk"),
    path("manage/churn-model/", churn_views.ChurnModelView.as_view(), name="churn_model"),
    path("manage/partners/bulk/<int:pk>/", bulk_views.BulkResultView.as_view(), name="bulk_result"),
    path(
        "manage/partners/bulk/<int:pk>/progress/",
        bulk_views.BulkProgressView.as_view(),
        name="bulk_progress",
    ),
    # a business review's action item made a staff task: plans and followup composed
    path(
        "manage/reviews/actions/<int:pk>/task/",
        review_actions.ActionItemTaskView.as_view(),
        name="review_action_task",
    ),
]
