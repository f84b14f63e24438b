from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = "Leads"

    def ready(self):
        from events import consumers
        from leads import conversions

        # a partner's deal registration of a lead it accepted links the lead to the deal
        consumers.register(
            "leads.conversions", kinds=conversions.KINDS, handle=conversions.on_deal_events
        )
