from django.urls import path

from accounts import views

urlpatterns = [
    path("settings/profile/", views.ProfileView.as_view(), name="profile"),
    path("settings/api-tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path(
        "settings/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
]
