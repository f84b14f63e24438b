from django.core.management.base import BaseCommand

from demo.enablement import seed_enablement
from partners.models import Program


class Command(BaseCommand):
    help = "Create the demo enablement catalog (courses, quizzes, certifications, resources)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--program", default="", help="Program slug whose tiers target the Silver/Gold assets."
        )

    def handle(self, *args, **options):
        program = (
            Program.objects.filter(slug=options["program"]).first()
            if options["program"]
            else Program.objects.order_by("pk").first()
        )
        counts = seed_enablement(program=program)
        self.stdout.write(
            self.style.SUCCESS(
                f"Enablement catalog: {counts['courses']} courses, "
                f"{counts['certifications']} certifications, {counts['resources']} resources."
            )
        )
