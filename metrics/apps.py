from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"

    def ready(self):
        from events.partitions import retention_readers
        from metrics.rollups import rollup_watermark

        # Raw events of a month are dropped only once the rollup has folded them in.
        retention_readers.register("metrics.rollup", rollup_watermark)

        from metrics import measures

        measures.register_measures()  # the tier measures it knows (partners.measures)

        from metrics import list_filters

        list_filters.register_list_filters()  # the partner list's metric filters (partners.readers)

        from metrics import readers

        readers.register()  # the latest adoption score, for leads' routing (partners.readers)

        from metrics import drilldown

        drilldown.register_list_filters()  # "the partners behind" a dashboard figure (``figure``)

        from metrics import after_rollup, at_risk_store

        # First of the after-rollup hooks: the at-risk set of the day, and who turned at risk.
        after_rollup.register("partners_turned_at_risk", at_risk_store.after_rollup)

        from metrics import churn_model

        # The day's churn forecasts, once per scores day, with the newest trained version.
        after_rollup.register("churn_forecasts", churn_model.after_rollup)
