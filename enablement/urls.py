from django.urls import path

from enablement import views

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
]
