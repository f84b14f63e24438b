from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("manage/dashboard/", views.ProgramDashboardView.as_view(), name="dashboard"),
    path(
        "manage/dashboard/<slug:table>.csv",
        views.DashboardExportView.as_view(),
        name="dashboard_export",
    ),
    path("portal/adoption/", views.PartnerAdoptionView.as_view(), name="partner_adoption"),
    path(
        "manage/partners/<int:pk>/adoption/",
        views.ManagerPartnerAdoptionView.as_view(),
        name="manager_partner_adoption",
    ),
]
