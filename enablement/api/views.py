"""Read endpoints of courses, certifications, the user's certificates and resources. What a
partner user sees follows their program, type and tier (enablement.selectors.visible_to)."""

from enablement import selectors
from enablement.api import serializers
from kernel.api.viewsets import ScopedReadOnlyViewSet


class CourseViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.course_list_for_user)
    serializer_class = serializers.CourseSerializer
    filterset_fields = ["required_for_onboarding", "slug"]
    ordering_fields = ["title", "estimated_minutes"]
    ordering = ["title"]


class CertificationViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.certification_list_for_user)
    serializer_class = serializers.CertificationSerializer
    filterset_fields = ["slug"]
    ordering_fields = ["name"]
    ordering = ["name"]


class CertificateViewSet(ScopedReadOnlyViewSet):
    """The requesting user's own certificates."""

    selector = staticmethod(selectors.certificate_list_for_user)
    serializer_class = serializers.CertificateSerializer
    ordering_fields = ["earned_at"]
    ordering = ["-earned_at", "-pk"]


def _every_resource_for_user(*, user):
    """The API lists every language variant (clients filter by ``language``)."""
    return selectors.resource_list_for_user(user=user, every_language=True)


class ResourceViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(_every_resource_for_user)
    serializer_class = serializers.ResourceSerializer
    filterset_fields = ["kind", "language", "marketing_asset"]
    ordering_fields = ["title", "published_at"]
    ordering = ["-published_at", "-pk"]
