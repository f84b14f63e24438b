"""``manage.py onboarding_demo``: onboarding configuration and progress on top of the demo data."""

from django.core.management.base import BaseCommand

from demo.onboarding import seed_onboarding_demo


class Command(BaseCommand):
    help = (
        "Add the partner agreement, activation paths, owner rules, checklists for onboarding "
        "partners (progress replayed from their events), applications and survey answers. "
        "Does nothing if a checklist template exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **options):
        result = seed_onboarding_demo(seed=options["seed"])
        if not result["created"]:
            self.stdout.write("Onboarding demo data is already there.")
            return
        self.stdout.write(
            "Onboarding: {checklists} checklists ({stalled} stalled), {applications} applications "
            "waiting, {surveys} survey answers, {owner_rules} owner rules.".format(**result)
        )
