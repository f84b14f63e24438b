"""Settings for the whole-worker kill drill only (``bench/drills/run.py --kill worker``).

The development settings with a short Redis visibility timeout and a fast restore sweep, so a
message whose worker died comes back in seconds instead of the production hour (RELIABILITY.md H3).
"""

from prm.settings.dev import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 15,
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
