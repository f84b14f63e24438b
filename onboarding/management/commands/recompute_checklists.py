"""``manage.py recompute_checklists``: bring existing checklists up to the truth."""

from django.core.management.base import BaseCommand

from onboarding.services.checklists import colleague_steps_recount


class Command(BaseCommand):
    help = (
        "Recount every pending 'invite colleagues' step from the partner's active team (people "
        "added in the admin, by an import or before the checklist started count too) and "
        "complete those that reached their target, recording onboarding.step_completed as live. "
        "Safe to run any number of times; run once after upgrading."
    )

    def handle(self, *args, **options):
        completed = colleague_steps_recount()
        self.stdout.write(f"Colleagues steps completed: {completed}.")
