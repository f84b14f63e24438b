from django.apps import AppConfig


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"
    verbose_name = "Customer accounts and user adoption"

    def ready(self):
        from customers import readers

        readers.register()  # how ingested usage names an account (partners.readers)
