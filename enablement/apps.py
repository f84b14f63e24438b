from django.apps import AppConfig


class EnablementConfig(AppConfig):
    name = "enablement"

    def ready(self):
        from enablement import readers

        readers.register()  # the step subjects onboarding's checklist steps name (partners.readers)

        from enablement import measures

        measures.register_measures()  # the tier measures it knows (partners.measures)
