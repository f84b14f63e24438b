from django.utils.translation import gettext_lazy
from rest_framework import serializers

from plans.models import NOTE_MAX, REVIEW_DURATION_MAX, TEXT_MAX
from plans.services.reviews import ATTENDEES_MAX


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id")
    measure = serializers.CharField(
        help_text=gettext_lazy("A tier measure's key; empty for a goal in words.")
    )
    subject_id = serializers.IntegerField(allow_null=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    text = serializers.CharField()
    done = serializers.BooleanField(help_text=gettext_lazy("A goal in words ticked done by hand."))
    actual = serializers.SerializerMethodField(
        help_text=gettext_lazy("The measure for the plan's period.")
    )
    expected = serializers.SerializerMethodField(
        help_text=gettext_lazy("target * share of the period gone.")
    )
    period_share = serializers.SerializerMethodField(
        help_text=gettext_lazy("Share of the period gone, 0..1.")
    )
    percent = serializers.SerializerMethodField(
        help_text=gettext_lazy("actual / target, in percent.")
    )
    on_track = serializers.SerializerMethodField(
        help_text=gettext_lazy("actual ≥ expected; null for words.")
    )
    pace = serializers.SerializerMethodField(
        help_text=gettext_lazy("The pace line as the pages show it.")
    )

    def _progress(self, goal):
        return self.context.get("progress", {}).get(goal.pk)

    def _decimal(self, value) -> str | None:
        return None if value is None else str(value.quantize(value.__class__("0.01")))

    def get_actual(self, goal) -> str | None:
        progress = self._progress(goal)
        return self._decimal(progress.actual) if progress else None

    def get_expected(self, goal) -> str | None:
        progress = self._progress(goal)
        return self._decimal(progress.expected) if progress else None

    def get_period_share(self, goal) -> str | None:
        progress = self._progress(goal)
        return (
            str(progress.share.quantize(progress.share.__class__("0.0001"))) if progress else None
        )

    def get_percent(self, goal) -> int | None:
        progress = self._progress(goal)
        return progress.percent if progress else None

    def get_on_track(self, goal) -> bool | None:
        progress = self._progress(goal)
        return progress.on_track if progress else None

    def get_pace(self, goal) -> str:
        progress = self._progress(goal)
        return progress.pace_text if progress else ""


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    fiscal_year = serializers.IntegerField()
    quarter = serializers.IntegerField(
        help_text=gettext_lazy("1-4, or 0 for the whole fiscal year.")
    )
    period = serializers.CharField(source="period.label")
    status = serializers.CharField()
    version = serializers.IntegerField()
    previous = serializers.IntegerField(source="previous_id", allow_null=True)
    summary = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    goals = GoalSerializer(many=True)


class ActionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    owner_side = serializers.CharField()
    owner = serializers.IntegerField(source="owner_id", allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    converted_to = serializers.CharField(help_text=gettext_lazy('"", "initiative" or "task".'))
    initiative = serializers.IntegerField(source="initiative_id", allow_null=True)
    task = serializers.IntegerField(source="task_id", allow_null=True)


class ReviewAttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    plan = serializers.IntegerField(source="plan_id", allow_null=True)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text=gettext_lazy("UTC."))
    ends_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    location = serializers.CharField()
    meeting_url = serializers.CharField()
    agenda = serializers.CharField()
    status = serializers.CharField()
    attendees = ReviewAttendeeSerializer(many=True)
    notes = serializers.CharField()
    snapshot = serializers.JSONField(
        allow_null=True, help_text=gettext_lazy("The scorecard frozen when the review was held.")
    )
    snapshot_at = serializers.DateTimeField(allow_null=True)
    action_items = ActionItemSerializer(many=True)
    created_at = serializers.DateTimeField()


class ReviewWriteSerializer(serializers.Serializer):
    partner = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("On create only."), required=False
    )
    plan = serializers.IntegerField(min_value=1, allow_null=True, required=False)
    title = serializers.CharField(max_length=TEXT_MAX)
    starts_at = serializers.DateTimeField(
        help_text=gettext_lazy("ISO 8601 with an offset; stored in UTC.")
    )
    duration_minutes = serializers.IntegerField(min_value=15, max_value=REVIEW_DURATION_MAX,
                                                default=60)  # fmt: skip
    location = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True,
                                     default="")  # fmt: skip
    meeting_url = serializers.CharField(max_length=500, required=False, allow_blank=True,
                                        default="")  # fmt: skip
    agenda = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True,
                                   default="")  # fmt: skip
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                      max_length=ATTENDEES_MAX, required=False, default=list)  # fmt: skip
