from django.urls import path

from partners import views

# The partner home (``partners:home``) and the partner page (``partners:manager_partner``) are
# console pages in this namespace (console/urls.py, mounted by prm/urls.py).
app_name = "partners"

urlpatterns = [
    path("portal/team/", views.TeamView.as_view(), name="team"),
    path("portal/team/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("portal/team/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path(
        "portal/invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"
    ),
    path("manage/", views.ManagerHomeView.as_view(), name="manager_home"),
]
