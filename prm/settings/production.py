"""Production: everything from the environment, no defaults for secrets, HTTPS everywhere.

``manage.py check --deploy --fail-level WARNING`` passes with these settings (tested).
"""

from prm.settings.base import *  # noqa: F403
from prm.settings.base import DEFAULT_STORAGE, env

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool(
    "SECURE_HSTS_PRELOAD", default=True
)  # set false before going live if the domain must not be preloaded
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Two-factor authentication is required for vendor staff in production unless turned off.
PRM_MFA_REQUIRED_FOR_STAFF = env.bool("PRM_MFA_REQUIRED_FOR_STAFF", default=True)
# __Host- cookies: Secure, path /, no Domain attribute, so a sibling subdomain cannot set them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
