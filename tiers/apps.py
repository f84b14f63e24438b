from django.apps import AppConfig


class TiersConfig(AppConfig):
    name = "tiers"

    def ready(self):
        from partners.readers import certification_referrers
        from partners.selectors import tier_readers
        from tiers import checks, measures, progress, references  # noqa: F401  (checks registers itself)

        measures.register_measures()  # the activation; the other measures come from their apps
        tier_readers.register("progress", progress.tier_progress)
        certification_referrers.register(
            "tiers.requirements", references.requirements_naming_certification
        )
