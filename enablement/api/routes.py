from enablement.api import views


def register(router) -> None:
    router.register("courses", views.CourseViewSet, basename="course")
    router.register("certifications", views.CertificationViewSet, basename="certification")
    router.register("certificates", views.CertificateViewSet, basename="certificate")
    router.register("resources", views.ResourceViewSet, basename="resource")
