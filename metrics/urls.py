from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("portal/adoption/", views.PartnerAdoptionView.as_view(), name="partner_adoption"),
    path(
        "manage/partners/<int:pk>/adoption/",
        views.ManagerPartnerAdoptionView.as_view(),
        name="manager_partner_adoption",
    ),
]
