from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        from metrics import measures

        measures.register_measures()  # the tier measures it knows (partners.measures)
