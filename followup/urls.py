from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("manage/tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path("manage/partners/<int:pk>/notes/new/", views.NoteCreateView.as_view(), name="note_create"),
    path("manage/notes/<int:pk>/edit/", views.NoteEditView.as_view(), name="note_edit"),
    path("manage/notes/<int:pk>/delete/", views.NoteDeleteView.as_view(), name="note_delete"),
    path("manage/partners/<int:pk>/tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path("manage/tasks/<int:pk>/edit/", views.TaskEditView.as_view(), name="task_edit"),
    path("manage/tasks/<int:pk>/complete/", views.TaskCompleteView.as_view(), name="task_complete"),
    path("manage/tasks/<int:pk>/reopen/", views.TaskReopenView.as_view(), name="task_reopen"),
    path("manage/tasks/<int:pk>/delete/", views.TaskDeleteView.as_view(), name="task_delete"),
]
