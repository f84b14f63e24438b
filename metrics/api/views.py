"""Program-wide metrics for vendor staff (partner users get 404, as on the dashboards). The
numbers come from metrics.definitions: the API computes nothing itself."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.api.permissions import TokenScopePermission
from metrics import definitions
from metrics.api import serializers
from partners.api.permissions import VendorStaffOnly

ERRORS = {
    400: OpenApiResponse(description="Invalid query parameters (the reason per parameter)."),
    404: OpenApiResponse(description="Not vendor staff."),
}


class _MetricView(APIView):
    permission_classes = [TokenScopePermission, VendorStaffOnly]
    query_serializer = None

    def query(self) -> dict:
        serializer = self.query_serializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ActivationCohortsView(_MetricView):
    query_serializer = serializers.CohortQuerySerializer

    @extend_schema(
        parameters=[serializers.CohortQuerySerializer],
        responses={200: serializers.CohortSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Activation rate per monthly signup cohort."""
        rows = definitions.activation_cohorts(**self.query())
        return Response(serializers.CohortSerializer(rows, many=True).data)


class AdoptionView(_MetricView):
    query_serializer = serializers.AdoptionQuerySerializer

    @extend_schema(
        parameters=[serializers.AdoptionQuerySerializer],
        responses={200: serializers.AdoptionSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Adoption score per partner on a day (default today), highest first, with active
        users and seats."""
        rows = definitions.adoption_ranking(**self.query())
        return Response(serializers.AdoptionSerializer(rows, many=True).data)


class AtRiskView(_MetricView):
    query_serializer = serializers.AtRiskQuerySerializer

    @extend_schema(
        parameters=[serializers.AtRiskQuerySerializer],
        responses={200: serializers.AtRiskSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        """Partners whose engagement dropped or whose onboarding stalled, with the reasons."""
        rows = definitions.at_risk_partners(**self.query())
        return Response(serializers.AtRiskSerializer(rows, many=True).data)
