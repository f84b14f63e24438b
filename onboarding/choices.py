from django.db import models
from django.utils.translation import gettext_lazy

from events.choices import EventKind


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting for review")
    APPROVED = "approved", gettext_lazy("Approved")
    REJECTED = "rejected", gettext_lazy("Rejected")


class HeardFrom(models.TextChoices):
    SEARCH = "search", gettext_lazy("Web search")
    EVENT = "event", gettext_lazy("Event or webinar")
    PARTNER = "partner", gettext_lazy("Another partner")
    VENDOR = "vendor", gettext_lazy("Someone at the vendor")
    SOCIAL = "social", gettext_lazy("Social media")
    PRESS = "press", gettext_lazy("Press or analyst report")
    OTHER = "other", gettext_lazy("Other")


class StepKind(models.TextChoices):
    """What a checklist step asks for. Most kinds complete themselves from a recorded event."""

    COURSE = "course", gettext_lazy("Complete a course")
    CERTIFICATION = "certification", gettext_lazy("Earn a certification")
    AGREEMENT = "agreement", gettext_lazy("Accept the partner agreement")
    PROFILE = "profile", gettext_lazy("Complete the company profile")
    FIRST_DEAL = "first_deal", gettext_lazy("Register a first deal")
    DOCUMENT = "document", gettext_lazy("Upload a document")
    INVITE = "invite", gettext_lazy("Invite colleagues")
    CUSTOM = "custom", gettext_lazy("Custom (verified by the channel manager)")
    EVENT = "event", gettext_lazy("Any recorded event (advanced)")


# The event each event-backed kind waits for, and the event property that names its subject
# (e.g. a COURSE step with subject "12" waits for course.completed with properties["course"] == 12).
STEP_KIND_EVENTS: dict[str, tuple[str, str]] = {
    StepKind.COURSE: (EventKind.COURSE_COMPLETED, "course"),
    StepKind.CERTIFICATION: (EventKind.CERTIFICATION_EARNED, "certification"),
    StepKind.AGREEMENT: (EventKind.AGREEMENT_ACCEPTED, "agreement"),
    StepKind.PROFILE: (EventKind.PROFILE_UPDATED, ""),
    StepKind.FIRST_DEAL: (EventKind.DEAL_SUBMITTED, "deal"),
    StepKind.INVITE: (EventKind.USER_JOINED, ""),
    StepKind.DOCUMENT: (EventKind.DOCUMENT_UPLOADED, "step"),
}


class StepStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("To do")
    DONE = "done", gettext_lazy("Done")


class CompletedVia(models.TextChoices):
    EVENT = "event", gettext_lazy("Completed automatically")
    VERIFIED = "verified", gettext_lazy("Verified by the channel manager")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", gettext_lazy("Step due soon")
    OVERDUE = "overdue", gettext_lazy("Step overdue")
    CHECKIN_30 = "checkin_30", gettext_lazy("30-day check-in")
    CHECKIN_60 = "checkin_60", gettext_lazy("60-day check-in")
    CHECKIN_90 = "checkin_90", gettext_lazy("90-day check-in")
    STALLED = "stalled", gettext_lazy("Stalled partner alert")
    SURVEY = "survey", gettext_lazy("Onboarding survey")


CHECKIN_DAYS = {
    30: ReminderKind.CHECKIN_30,
    60: ReminderKind.CHECKIN_60,
    90: ReminderKind.CHECKIN_90,
}
