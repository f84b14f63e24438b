from django.core.management.base import BaseCommand

from tiers.evaluation import tiers_evaluate


class Command(BaseCommand):
    help = "Run the nightly tier evaluation now (promotions, warnings, demotions)."

    def handle(self, *args, **options):
        result = tiers_evaluate()
        self.stdout.write(f"Evaluated {result.evaluated} partners: {result.counts or 'no change'}")
