"""Read endpoints of programs, tiers, partners and partner teams. Scoping is the selectors'."""

from kernel.api.viewsets import ScopedReadOnlyViewSet
from partners import selectors
from partners.api import serializers


class ProgramViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.program_list_for_user)
    serializer_class = serializers.ProgramSerializer
    filterset_fields = ["is_active", "slug"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]


class TierViewSet(ScopedReadOnlyViewSet):
    selector = staticmethod(selectors.tier_list_for_user)
    serializer_class = serializers.TierSerializer
    filterset_fields = ["program"]
    ordering_fields = ["rank", "name"]
    ordering = ["program", "rank"]


class PartnerViewSet(ScopedReadOnlyViewSet):
    """Vendor staff see every partner; a partner user only their own."""

    selector = staticmethod(selectors.partner_list_for_user)
    serializer_class = serializers.PartnerSerializer
    filterset_fields = ["status", "program", "tier", "region", "owner"]
    ordering_fields = ["name", "joined_at", "activated_at"]
    ordering = ["name"]


class MembershipViewSet(ScopedReadOnlyViewSet):
    """Partner teams: vendor staff see every team, a partner admin their own."""

    selector = staticmethod(selectors.membership_list_for_user)
    serializer_class = serializers.MembershipSerializer
    filterset_fields = ["partner", "role"]
    ordering_fields = ["created_at"]
    ordering = ["partner", "pk"]
