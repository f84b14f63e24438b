from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("manage/webhooks/", views.EndpointListView.as_view(), name="list"),
    path("manage/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="detail"),
    path(
        "manage/webhooks/<int:pk>/<str:action>/",
        views.EndpointActionView.as_view(),
        name="action",
    ),
]
