"""The API's personal tokens at work: Bearer authentication and rate limits per token (the DRF
settings name these classes; the scoped bases are ``kernel.api``)."""
