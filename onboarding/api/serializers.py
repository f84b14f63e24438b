"""Output serializers of onboarding: applications (vendor staff) and checklist progress."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onboarding.models import ChecklistStep, PartnerApplication, PartnerChecklist
from onboarding.selectors import checklist_summary


class ApplicationSerializer(serializers.ModelSerializer):
    partner_type = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PartnerApplication
        fields = [
            "id",
            "company_name",
            "website",
            "domain",
            "partner_type",
            "contact_name",
            "contact_email",
            "status",
            "submitted_at",
            "reviewed_at",
            "rejection_reason",
            "duplicate_partner",
            "duplicate_application",
            "partner",
        ]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistStep
        fields = [
            "id",
            "key",
            "position",
            "title",
            "kind",
            "required",
            "status",
            "due_at",
            "completed_at",
            "progress",
            "target_count",
        ]


class ProgressSerializer(serializers.Serializer):
    percent = serializers.IntegerField(help_text=gettext_lazy("Required steps done, in percent."))
    required_done = serializers.IntegerField()
    required_total = serializers.IntegerField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ChecklistSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = PartnerChecklist
        fields = [
            "id",
            "partner",
            "template_name",
            "version",
            "started_at",
            "last_progress_at",
            "completed_at",
            "stalled_since",
            "stalled_reason",
            "progress",
            "steps",
        ]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, checklist) -> dict:
        summary = checklist_summary(checklist)
        return {
            "percent": summary["percent"],
            "required_done": summary["required_done"],
            "required_total": summary["required_total"],
            "done": summary["done"],
            "total": summary["total"],
            "overdue": len(summary["overdue"]),
        }
