"""Test settings: the embedded default unless DATABASE_URL / REDIS_URL say otherwise (CI sets both)."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from prm.settings.base import *  # noqa: F403
from prm.settings.base import REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never in production
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if not REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fallback": CACHES["fallback"],  # noqa: F405
    }
else:
    # Each pytest-xdist worker gets its own Redis database: a test that clears the cache (which
    # is FLUSHDB on Redis) must not wipe rate-limit counters another worker's test relies on.
    from urllib.parse import urlsplit, urlunsplit

    _worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    _index = int(_worker[2:]) if _worker[2:].isdigit() else 0
    _parts = urlsplit(REDIS_URL)
    _base_db = int(_parts.path.strip("/") or 0)
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{(_base_db - _index) % 16}"))
    CACHES["default"]["LOCATION"] = REDIS_URL  # kernel.cache.FailoverRedisCache, from base
    CELERY_BROKER_URL = REDIS_URL
# The primary as its own replica (TEST MIRROR), off unless a test turns PRM_REPLICA_READS on and
# asks for both aliases (tests/test_replica_router.py); other tests touch only ``default``.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
PRM_REPLICA_READS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Cached dashboards would outlive a test's data (ids and frozen clocks repeat across tests);
# console/tests/test_dashboard.py turns the cache on where it tests it.
PRM_DASHBOARD_CACHE_SECONDS = 0
# Likewise the partner list's filter choices (partners/tests/test_partner_list.py turns it on).
PRM_LIST_CHOICES_CACHE_SECONDS = 0
WHITENOISE_AUTOREFRESH = True  # serve from the finders; tests never run collectstatic

# A recorded event whose payload does not match its declaration fails the test (docs/events.md).
PRM_EVENTS_STRICT = True

# The in-process OpenID Connect identity provider of the single sign-on tests (tests/sso/):
# django-oauth-toolkit, a dev dependency; only tests/sso/urls.py mounts it, the product never does.
INSTALLED_APPS = [*INSTALLED_APPS, "oauth2_provider"]  # noqa: F405
