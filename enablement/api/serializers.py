"""Output serializers of the enablement catalog (read-only in the API)."""

from rest_framework import serializers

from enablement.models import Certificate, Certification, Course, Resource


class CourseSerializer(serializers.ModelSerializer):
    offerings = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    lesson_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "estimated_minutes",
            "required_for_onboarding",
            "lesson_count",
            "offerings",
        ]


class CertificationSerializer(serializers.ModelSerializer):
    courses = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "slug", "name", "validity_days", "renewal_window_days", "courses"]


class CertificateSerializer(serializers.ModelSerializer):
    certification = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "code", "certification", "holder_name", "earned_at", "renewed_at"]


class ResourceSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "title",
            "summary",
            "kind",
            "category",
            "tags",
            "language",
            "url",
            "marketing_asset",
            "published_at",
            "updated_at",
        ]
