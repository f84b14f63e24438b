"""Business plans and reviews through the API (issue 21). Plans and goals are read-only (with each
measured goal's actual, expected and pace for its period); reviews are read by everybody who may
see the partner and created or changed by the partner's owning manager and vendor admins (write
scope). Partner tokens see their own partner's only: another partner's plan or review is a 404."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from kernel.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSet, validated_input
from partners.selectors import partner_list_for_user
from plans import review_selectors, selectors, services
from plans.api import serializers
from plans.models import ActionItem, Goal
from plans.permissions import can_manage_review
from plans.progress import progress_for_plans

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the reason per field (nothing saved)."),
    403: OpenApiResponse(description="Your role may not do this."),
    404: OpenApiResponse(description="No such object (for you)."),
}


def _plans_with_goals(user):
    return selectors.plan_list_for_user(user=user).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("position", "pk"))
    )


@extend_schema_view(
    list=extend_schema(responses={200: serializers.PlanSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.PlanSerializer, **ERRORS}),
)
class PlanViewSet(ScopedReadOnlyViewSet):
    """Business plans (every version) with their goals and each goal's progress."""

    selector = staticmethod(_plans_with_goals)
    serializer_class = serializers.PlanSerializer
    filterset_fields = ["partner", "status", "fiscal_year", "quarter"]
    ordering_fields = ["fiscal_year", "created_at"]
    ordering = ["-fiscal_year", "-quarter", "partner_id", "-version"]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["progress"] = getattr(self, "_progress", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._progress = progress_for_plans(page if page is not None else list(queryset))
        return page

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        self._progress = progress_for_plans([plan])
        return Response(self.get_serializer(plan).data)


@extend_schema_view(
    list=extend_schema(responses={200: serializers.GoalSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.GoalSerializer, **ERRORS}),
)
class GoalViewSet(ScopedReadOnlyViewSet):
    """Goals of the plans you may read, with their progress for the plan's period."""

    selector = staticmethod(selectors.goal_list_for_user)
    serializer_class = serializers.GoalSerializer
    filterset_fields = ["plan", "measure"]
    ordering = ["plan_id", "position", "pk"]

    def _with_progress(self, goals):
        plans = {g.plan_id: g.plan for g in goals}
        for plan in plans.values():
            plan._prefetched_objects_cache = {"goals": [g for g in goals if g.plan_id == plan.pk]}
        self._progress = progress_for_plans(list(plans.values()))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["progress"] = getattr(self, "_progress", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._with_progress(list(page if page is not None else queryset))
        return page

    def retrieve(self, request, *args, **kwargs):
        goal = self.get_object()
        self._with_progress([goal])
        return Response(self.get_serializer(goal).data)


def _reviews(user):
    return review_selectors.review_list_for_user(user=user).prefetch_related(
        "attendees", Prefetch("action_items", queryset=ActionItem.objects.order_by("due_on", "pk"))
    )


def _detail(exc) -> dict:
    if hasattr(exc, "error_dict"):
        return dict(exc.message_dict)
    return {"detail": " ".join(exc.messages)}


@extend_schema_view(
    list=extend_schema(responses={200: serializers.ReviewSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: serializers.ReviewSerializer, **ERRORS}),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Quarterly business reviews: when, where, who, the frozen scorecard, action items."""

    selector = staticmethod(_reviews)
    serializer_class = serializers.ReviewSerializer
    filterset_fields = ["partner", "status", "plan"]
    ordering_fields = ["starts_at"]
    ordering = ["-starts_at", "-pk"]

    def _fields(self, request, data) -> dict:
        user = request.user
        plan = None
        if data.get("plan"):
            plan = selectors.plan_list_for_user(user=user).filter(pk=data["plan"]).first()
            if plan is None:
                raise ValidationError({"plan": [_("No such plan.")]})
        ids = sorted(set(data.get("attendees") or []))
        people = list(get_user_model().objects.filter(pk__in=ids))
        if len(people) != len(ids):
            raise ValidationError({"attendees": [_("Unknown person id(s).")]})
        return {
            "title": data["title"], "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"], "location": data["location"],
            "meeting_url": data["meeting_url"], "agenda": data["agenda"], "attendees": people,
            "plan": plan,
        }  # fmt: skip

    def _out(self, request, review, code):
        review = _reviews(request.user).get(pk=review.pk)
        return Response(serializers.ReviewSerializer(review).data, status=code)

    @extend_schema(
        request=serializers.ReviewWriteSerializer,
        responses={201: serializers.ReviewSerializer, **ERRORS},
    )
    def create(self, request):
        """Schedule a review (the partner's owning manager or a vendor admin)."""
        if not request.user.is_channel_manager:
            raise PermissionDenied(_("The partner's channel manager or a vendor admin schedules."))
        data = validated_input(serializers.ReviewWriteSerializer, request.data)
        if not data.get("partner"):
            raise ValidationError({"partner": [_("This field is required.")]})
        partner = partner_list_for_user(user=request.user).filter(pk=data["partner"]).first()
        if partner is None:
            raise ValidationError({"partner": [_("No such partner.")]})
        fields = self._fields(request, data)
        try:
            review = services.review_schedule(actor=request.user, partner=partner, **fields)
        except DjangoValidationError as exc:
            raise ValidationError(_detail(exc)) from exc
        return self._out(request, review, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ReviewWriteSerializer,
        responses={200: serializers.ReviewSerializer, **ERRORS},
    )
    def update(self, request, pk=None):
        """Change a scheduled review (every field given again; attendees are told)."""
        review = self.get_object()
        if not can_manage_review(request.user, review.partner):
            raise PermissionDenied(_("The partner's channel manager or a vendor admin changes it."))
        data = validated_input(serializers.ReviewWriteSerializer, request.data)
        if data.get("partner") not in (None, review.partner_id):
            raise ValidationError({"partner": [_("A review cannot move to another partner.")]})
        fields = self._fields(request, data)
        try:
            review = services.review_update(actor=request.user, review=review, **fields)
        except DjangoValidationError as exc:
            raise ValidationError(_detail(exc)) from exc
        except services.PlanError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return self._out(request, review, status.HTTP_200_OK)
