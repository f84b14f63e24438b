from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """Vendor staff's own follow-up on a partner: notes and tasks (never shown to partners)."""

    name = "followup"
    verbose_name = "Follow-up"
