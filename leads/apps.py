from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self):
        from events import consumers
        from leads import conversions, measures, readers

        # a partner's deal registration of a lead it accepted links the lead to the deal
        consumers.register(
            "leads.conversions", kinds=conversions.KINDS, handle=conversions.on_deal_events
        )
        # a deal made of a lead was won or lost: kept on the lead (lead metrics: won, revenue)
        consumers.register(
            "leads.outcomes",
            kinds=conversions.OUTCOME_KINDS,
            handle=conversions.on_deal_outcomes,
        )
        readers.register()  # the lead facts metric definitions read (partners.readers)
        measures.register_measures()  # tier measures: acceptance rate, conversions
