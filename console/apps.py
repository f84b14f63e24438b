from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """Pages that compose several apps: the program dashboard, the partner 360, the partner home
    and the adoption pages (docs/architecture.md, the console floor)."""

    name = "console"

    def ready(self):
        from console import dashboard_cache
        from metrics import after_rollup

        # After a rollup that changed summaries: a new data version, then the pre-build.
        after_rollup.register("dashboard_rebuilds", dashboard_cache.after_rollup)
