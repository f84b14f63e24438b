from django.apps import AppConfig
from django.db.models.signals import pre_save


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from kernel.text import neutralise_bidi_controls

        # Every model, not only this app's: accounts is the lowest app, so the receiver is
        # connected before any other app can save (kernel/text.py says why and what it cleans).
        pre_save.connect(neutralise_bidi_controls, dispatch_uid="kernel.text.bidi")
