from django.urls import path

from enablement import views
from enablement.views import setup

app_name = "enablement"

urlpatterns = [
    path("learn/", views.CatalogView.as_view(), name="catalog"),
    path("learn/courses/<slug:slug>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("learn/courses/<slug:slug>/start/", views.CourseStartView.as_view(), name="course_start"),
    path(
        "learn/courses/<slug:slug>/restart/",
        views.CourseRestartView.as_view(),
        name="course_restart",
    ),
    path("learn/courses/<slug:slug>/lessons/<int:pk>/", views.LessonView.as_view(), name="lesson"),
    path("learn/courses/<slug:slug>/quiz/", views.QuizView.as_view(), name="quiz"),
    path("learn/attempts/<int:pk>/", views.AttemptView.as_view(), name="attempt"),
    path("learn/files/lessons/<int:pk>/", views.LessonFileView.as_view(), name="lesson_file"),
    path(
        "learn/certificates/<str:code>/",
        views.CertificateView.as_view(),
        name="certificate_detail",
    ),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("verify/<str:code>/", views.VerifyView.as_view(), name="verify_code"),
    path("library/", views.LibraryView.as_view(), name="library"),
    path("library/<int:pk>/", views.ResourceDetailView.as_view(), name="resource_detail"),
    path(
        "library/<int:pk>/download/",
        views.ResourceDownloadView.as_view(),
        name="resource_download",
    ),
    # Setup (authoring): vendor admins write, channel managers read, partner users get 404.
    path("learn/setup/", setup.CourseListView.as_view(), name="setup_courses"),
    path("learn/setup/courses/new/", setup.CourseCreateView.as_view(), name="setup_course_create"),
    path("learn/setup/courses/<int:pk>/", setup.CourseDetailView.as_view(), name="setup_course"),
    path(
        "learn/setup/courses/<int:pk>/edit/",
        setup.CourseEditView.as_view(),
        name="setup_course_edit",
    ),
    *[
        path(
            f"learn/setup/courses/<int:pk>/{action}/",
            setup.CourseActionView.as_view(),
            {"action": action},
            name=f"setup_course_{action}",
        )
        for action in ("publish", "archive", "delete")
    ],
    path(
        "learn/setup/courses/<int:pk>/lessons/new/",
        setup.LessonCreateView.as_view(),
        name="setup_lesson_create",
    ),
    path(
        "learn/setup/lessons/<int:pk>/edit/",
        setup.LessonEditView.as_view(),
        name="setup_lesson_edit",
    ),
    *[
        path(
            f"learn/setup/lessons/<int:pk>/{action}/",
            setup.LessonActionView.as_view(),
            {"action": action},
            name=f"setup_lesson_{action}",
        )
        for action in ("up", "down", "delete")
    ],
    path("learn/setup/courses/<int:pk>/quiz/", setup.QuizEditView.as_view(), name="setup_quiz"),
    path(
        "learn/setup/courses/<int:pk>/quiz/delete/",
        setup.QuizDeleteView.as_view(),
        name="setup_quiz_delete",
    ),
    path(
        "learn/setup/courses/<int:pk>/questions/new/",
        setup.QuestionCreateView.as_view(),
        name="setup_question_create",
    ),
    path(
        "learn/setup/questions/<int:pk>/edit/",
        setup.QuestionEditView.as_view(),
        name="setup_question_edit",
    ),
    path(
        "learn/setup/questions/<int:pk>/delete/",
        setup.QuestionDeleteView.as_view(),
        name="setup_question_delete",
    ),
    path(
        "learn/setup/certifications/",
        setup.CertificationListView.as_view(),
        name="setup_certifications",
    ),
    path(
        "learn/setup/certifications/new/",
        setup.CertificationCreateView.as_view(),
        name="setup_certification_create",
    ),
    path(
        "learn/setup/certifications/<int:pk>/edit/",
        setup.CertificationEditView.as_view(),
        name="setup_certification_edit",
    ),
    path(
        "learn/setup/certifications/<int:pk>/delete/",
        setup.CertificationDeleteView.as_view(),
        name="setup_certification_delete",
    ),
    path("learn/setup/resources/", setup.ResourceListView.as_view(), name="setup_resources"),
    path(
        "learn/setup/resources/new/",
        setup.ResourceCreateView.as_view(),
        name="setup_resource_create",
    ),
    path(
        "learn/setup/resources/<int:pk>/edit/",
        setup.ResourceEditView.as_view(),
        name="setup_resource_edit",
    ),
    path(
        "learn/setup/resources/<int:pk>/delete/",
        setup.ResourceDeleteView.as_view(),
        name="setup_resource_delete",
    ),
    path("learn/setup/preview/", setup.MarkdownPreviewView.as_view(), name="setup_preview"),
]
