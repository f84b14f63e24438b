from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Joint business plans (issue 21): a partner's goals for a fiscal period, agreed with its
    channel manager, measured with the tier measures (``partners.measures``)."""

    name = "plans"
    verbose_name = "Business plans"
