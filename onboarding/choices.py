from django.db import models

from events.choices import EventKind


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class HeardFrom(models.TextChoices):
    SEARCH = "search", "Web search"
    EVENT = "event", "Event or webinar"
    PARTNER = "partner", "Another partner"
    VENDOR = "vendor", "Someone at the vendor"
    SOCIAL = "social", "Social media"
    PRESS = "press", "Press or analyst report"
    OTHER = "other", "Other"


class StepKind(models.TextChoices):
    """What a checklist step asks for. Most kinds complete themselves from a recorded event."""

    COURSE = "course", "Complete a course"
    CERTIFICATION = "certification", "Earn a certification"
    AGREEMENT = "agreement", "Accept the partner agreement"
    PROFILE = "profile", "Complete the company profile"
    FIRST_DEAL = "first_deal", "Register a first deal"
    DOCUMENT = "document", "Upload a document"
    INVITE = "invite", "Invite colleagues"
    CUSTOM = "custom", "Custom (verified by the channel manager)"
    EVENT = "event", "Any recorded event (advanced)"


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
    PENDING = "pending", "To do"
    DONE = "done", "Done"


class CompletedVia(models.TextChoices):
    EVENT = "event", "Completed automatically"
    VERIFIED = "verified", "Verified by the channel manager"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Step due soon"
    OVERDUE = "overdue", "Step overdue"
    CHECKIN_30 = "checkin_30", "30-day check-in"
    CHECKIN_60 = "checkin_60", "60-day check-in"
    CHECKIN_90 = "checkin_90", "90-day check-in"
    STALLED = "stalled", "Stalled partner alert"
    SURVEY = "survey", "Onboarding survey"


CHECKIN_DAYS = {
    30: ReminderKind.CHECKIN_30,
    60: ReminderKind.CHECKIN_60,
    90: ReminderKind.CHECKIN_90,
}
