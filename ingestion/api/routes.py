from django.urls import path

from ingestion.api import views

urlpatterns = [
    path("events/", views.EventIngestView.as_view(), name="api-events"),
]
