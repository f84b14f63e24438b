from django.urls import path

from partners import list_views, setup_views, sso_views, views
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
    # The partner list's export (the current view) and saved views (partners.list_views).
    path(
        "manage/partners.csv",
        list_views.ManagerExportView.as_view(),
        {"fmt": "csv"},
        name="manager_export_csv",
    ),
    path(
        "manage/partners.xlsx",
        list_views.ManagerExportView.as_view(),
        {"fmt": "xlsx"},
        name="manager_export_xlsx",
    ),
    path("manage/views/", list_views.SavedViewSaveView.as_view(), name="saved_view_save"),
    path("manage/views/<int:pk>/", list_views.SavedViewOpenView.as_view(), name="saved_view"),
    path(
        "manage/views/<int:pk>/delete/",
        list_views.SavedViewDeleteView.as_view(),
        name="saved_view_delete",
    ),
    # Program setup (vendor admins edit, channel managers read). The offering's edit page, with
    # its adoption rules, is a console page (``setup_offering_edit``, console/urls.py).
    path("manage/setup/programs/", setup_views.ProgramListView.as_view(), name="setup_programs"),
    # Company identity providers (single sign-on; vendor admins only): partners/sso_views.py.
    path("manage/setup/sso/", sso_views.IdentityProviderListView.as_view(), name="setup_sso"),
    path(
        "manage/setup/sso/new/",
        sso_views.IdentityProviderCreateView.as_view(),
        name="setup_sso_create",
    ),
    path(
        "manage/setup/sso/<int:pk>/",
        sso_views.IdentityProviderEditView.as_view(),
        name="setup_sso_edit",
    ),
    path(
        "manage/setup/sso/<int:pk>/delete/",
        sso_views.IdentityProviderDeleteView.as_view(),
        name="setup_sso_delete",
    ),
    path(
        "manage/setup/programs/new/",
        setup_views.ProgramCreateView.as_view(),
        name="setup_program_create",
    ),
    path(
        "manage/setup/programs/<int:pk>/",
        setup_views.ProgramEditView.as_view(),
        name="setup_program_edit",
    ),
    path(
        "manage/setup/programs/<int:pk>/archive/",
        setup_views.ProgramActiveView.as_view(),
        name="setup_program_archive",
    ),
    path(
        "manage/setup/programs/<int:pk>/delete/",
        setup_views.ProgramDeleteView.as_view(),
        name="setup_program_delete",
    ),
    path("manage/setup/types/", setup_views.PartnerTypeListView.as_view(), name="setup_types"),
    path(
        "manage/setup/types/new/",
        setup_views.PartnerTypeCreateView.as_view(),
        name="setup_type_create",
    ),
    path(
        "manage/setup/types/<int:pk>/",
        setup_views.PartnerTypeEditView.as_view(),
        name="setup_type_edit",
    ),
    path(
        "manage/setup/types/<int:pk>/delete/",
        setup_views.PartnerTypeDeleteView.as_view(),
        name="setup_type_delete",
    ),
    path("manage/setup/offerings/", setup_views.OfferingListView.as_view(), name="setup_offerings"),
    path(
        "manage/setup/offerings/new/",
        setup_views.OfferingCreateView.as_view(),
        name="setup_offering_create",
    ),
    path(
        "manage/setup/offerings/<int:pk>/archive/",
        setup_views.OfferingActiveView.as_view(),
        name="setup_offering_archive",
    ),
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
