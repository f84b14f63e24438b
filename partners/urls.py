from django.urls import path

from partners import views
from partners.imports import views as import_views

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
    # Partner import (vendor admins): the setup hub links here as ``partners:import``.
    path("manage/partners/import/", import_views.ImportView.as_view(), name="import"),
    path(
        "manage/partners/import/template.<slug:fmt>",
        import_views.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path(
        "manage/partners/import/<int:pk>/", import_views.ImportJobView.as_view(), name="import_job"
    ),
    path(
        "manage/partners/import/<int:pk>/apply/",
        import_views.ImportApplyView.as_view(),
        name="import_apply",
    ),
    path(
        "manage/partners/import/<int:pk>/progress/",
        import_views.ImportProgressView.as_view(),
        name="import_progress",
    ),
]
