"""Read endpoints of onboarding: partner applications (vendor staff, as in the review queue) and
checklist progress (staff: every partner; a partner member: their own)."""

from kernel.api.permissions import TokenScopePermission
from kernel.api.viewsets import ScopedReadOnlyViewSet
from onboarding import selectors
from onboarding.api import serializers
from partners.api.permissions import VendorStaffOnly


class ApplicationViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.application_list_for_user)
    serializer_class = serializers.ApplicationSerializer
    permission_classes = [TokenScopePermission, VendorStaffOnly]
    filterset_fields = ["status", "partner_type"]
    ordering_fields = ["submitted_at", "company_name"]
    ordering = ["-submitted_at", "-pk"]


class ChecklistViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.checklist_list_for_user)
    serializer_class = serializers.ChecklistSerializer
    filterset_fields = ["partner"]
    ordering_fields = ["started_at", "last_progress_at"]
    ordering = ["partner", "pk"]
