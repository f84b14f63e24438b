from django.db import models


class EventKind(models.TextChoices):
    """Every event kind the portal records. Kinds are ``<area>.<verb>``; external systems may send
    other kinds through the ingestion API as long as they follow the same shape."""

    LOGIN = "auth.login", "Logged in"
    USER_INVITED = "user.invited", "Colleague invited"
    USER_JOINED = "user.joined", "Joined the team"
    USER_REMOVED = "user.removed", "Removed from the team"
    USER_ROLE_CHANGED = "user.role_changed", "Team role changed"
    PARTNER_CREATED = "partner.created", "Partner created"
    PARTNER_STATUS_CHANGED = "partner.status_changed", "Partner status changed"
    PARTNER_ACTIVATED = "partner.activated", "Partner activated"
    PARTNER_OWNER_CHANGED = "partner.owner_changed", "Owner changed"
    TIER_CHANGED = "tier.changed", "Tier changed"
    PROFILE_UPDATED = "partner.profile_updated", "Company profile updated"
    STEP_COMPLETED = "onboarding.step_completed", "Checklist step completed"
    AGREEMENT_ACCEPTED = "onboarding.agreement_accepted", "Partner agreement accepted"
    COURSE_STARTED = "course.started", "Course started"
    LESSON_VIEWED = "lesson.viewed", "Lesson viewed"
    COURSE_COMPLETED = "course.completed", "Course completed"
    QUIZ_PASSED = "quiz.passed", "Quiz passed"
    QUIZ_FAILED = "quiz.failed", "Quiz failed"
    CERTIFICATION_EARNED = "certification.earned", "Certification earned"
    RESOURCE_VIEWED = "resource.viewed", "Resource viewed"
    RESOURCE_DOWNLOADED = "resource.downloaded", "Resource downloaded"
    DEAL_SUBMITTED = "deal.submitted", "Deal registered"
    DEAL_APPROVED = "deal.approved", "Deal approved"
    DEAL_REJECTED = "deal.rejected", "Deal rejected"
    DEAL_WON = "deal.won", "Deal won"
    DEAL_LOST = "deal.lost", "Deal lost"
    OFFERING_USED = "offering.used", "Offering used"
