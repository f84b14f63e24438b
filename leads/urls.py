from django.urls import path

from leads import views

app_name = "leads"

urlpatterns = [
    path("manage/leads/", views.LeadListView.as_view(), name="manage_list"),
    path("manage/leads/new/", views.LeadCreateView.as_view(), name="manage_create"),
    path("manage/leads/import/", views.LeadImportView.as_view(), name="manage_import"),
    path("manage/leads/<int:pk>/", views.LeadDetailView.as_view(), name="manage_detail"),
    path("manage/leads/<int:pk>/route/", views.LeadRouteView.as_view(), name="manage_route"),
    path("manage/setup/lead-routing/", views.RuleListView.as_view(), name="setup_rules"),
    path(
        "manage/setup/lead-routing/new/", views.RuleCreateView.as_view(), name="setup_rule_create"
    ),
    path(
        "manage/setup/lead-routing/<int:pk>/edit/",
        views.RuleEditView.as_view(),
        name="setup_rule_edit",
    ),
    path(
        "manage/setup/lead-routing/<int:pk>/delete/",
        views.RuleDeleteView.as_view(),
        name="setup_rule_delete",
    ),
    path("manage/setup/lead-routing/sla/", views.SlaSetView.as_view(), name="setup_sla"),
    path("leads/", views.InboxView.as_view(), name="inbox"),
    path("leads/<int:pk>/", views.InboxDetailView.as_view(), name="inbox_detail"),
    path("leads/<int:pk>/accept/", views.AcceptView.as_view(), name="accept"),
    path("leads/<int:pk>/decline/", views.DeclineView.as_view(), name="decline"),
    path("leads/<int:pk>/status/", views.StatusView.as_view(), name="status"),
    path("leads/<int:pk>/convert/", views.ConvertView.as_view(), name="convert"),
]
