from django.apps import AppConfig


class IngestionConfig(AppConfig):
    """Events sent by other systems (``POST /api/v1/events/``, docs/ingestion.md): a feature, so
    it reads customer accounts through the resolver customers registers (``partners.readers``)."""

    name = "ingestion"
    verbose_name = "Event ingestion"
