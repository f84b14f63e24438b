from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"

    def ready(self):
        from deals import readers

        readers.register()  # the deal facts metric definitions read (partners.readers)

        from deals import measures

        measures.register_measures()  # the tier measures it knows (partners.measures)
