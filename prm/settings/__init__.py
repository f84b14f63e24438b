"""Settings: ``base`` reads every value from the environment; ``dev`` (the embedded default),
``test`` and ``production`` are small overrides on top of it."""
