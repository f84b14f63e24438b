"""The embedded default for a newcomer's machine: DEBUG on, a throwaway key, console email."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS", "true")  # a local test receiver
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")

from prm.settings.base import *  # noqa: F403
