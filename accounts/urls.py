from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/company/", views.CompanySignInView.as_view(), name="sso_login"),
    path("settings/profile/", views.ProfileView.as_view(), name="profile"),
    path("settings/language/", views.LanguageView.as_view(), name="set_language"),
    path("settings/api-tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path(
        "settings/api-tokens/<int:pk>/revoke/",
        views.ApiTokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
    path("manage/staff/", views.StaffListView.as_view(), name="staff"),
    path("manage/staff/<int:pk>/role/", views.StaffRoleView.as_view(), name="staff_role"),
    path(
        "manage/staff/<int:pk>/deactivate/",
        views.StaffDeactivateView.as_view(),
        name="staff_deactivate",
    ),
    path(
        "manage/staff/<int:pk>/reactivate/",
        views.StaffReactivateView.as_view(),
        name="staff_reactivate",
    ),
    path(
        "manage/staff/<int:pk>/resend-invitation/",
        views.StaffResendInvitationView.as_view(),
        name="staff_resend_invitation",
    ),
]
