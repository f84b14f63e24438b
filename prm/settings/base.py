"""Settings shared by every mode. Each value comes from the environment (see .env.example).

With nothing set this is the *embedded default*: a SQLite file, a database cache shared between
processes, and Celery on a filesystem broker, so no server other than Python is needed. With
``DATABASE_URL`` and ``REDIS_URL`` set, the same code runs on Postgres and Redis.
"""

from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.contrib.messages import constants as messages
from django.utils.translation import gettext_lazy

from kernel.env import BASE_DIR, env
from prm.schedule import BEAT_SCHEDULE

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = env("SITE_NAME", default="PRM")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",  # company sign-in (issue 23): OpenID Connect, accounts/sso.py
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",  # SAML 2.0 (issue 23): accounts/saml/provider.py
    "kernel",
    "accounts",
    "events",
    "partners",
    "onboarding",
    "enablement",
    "deals",
    "metrics",
    "incentives",
    "customers",
    "ingestion",
    "webhooks",
    "audit",
    "demo",
    "console",  # pages that compose the apps above (program dashboard, partner 360)
    "tiers",
    "followup",
    "notifications",
    "leads",
    "plans",  # joint business plans (issue 21)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's documented order): activates the cookie's
    # or Accept-Language's language for everyone and sets Content-Language / Vary on the response.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Needs request.user: the profile's language, else the program's default (docs/translations.md).
    "partners.middleware.UserLanguageMiddleware",
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # A company IdP's maximum session, before anything else reads the user (issue 23).
    "accounts.middleware.SsoSessionLifetimeMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
    "accounts.middleware.UserTimeZoneMiddleware",
    # A page (not an empty body) when an action address that only takes POST is opened.
    "kernel.method_not_allowed.MethodNotAllowedPageMiddleware",
    # Every 404 is the product's page (JSON under /api/), DEBUG's technical page never is.
    "kernel.middleware.NotFoundMiddleware",
    # Last, so its process_exception sees a view's database error first: 503 + Retry-After.
    "kernel.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "prm.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
(BASE_DIR / "var").mkdir(exist_ok=True)  # SQLite file, beat schedule, broker folders, media
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker share the file: WAL lets readers run beside a writer,
    # and IMMEDIATE transactions take the write lock up front instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Fail fast (then 503) rather than hang when the server does not answer a connection.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# Optional streaming replica for dashboard reads (kernel/routers.py; docs/scaling.md).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the primary is its own replica
PRM_REPLICA_READS = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["kernel.routers.ReplicaRouter"]
# Seconds a client is told to wait (Retry-After of the 503) when the database is unavailable.
PRM_DATABASE_RETRY_AFTER_SECONDS = env.int("PRM_DATABASE_RETRY_AFTER_SECONDS", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker --------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Shared between the web process and the worker (allauth's rate limits count in the cache;
# a per-process LocMemCache would silently stop limiting). The table is created by a migration
# (accounts 0003) and is the default cache's fallback while Redis is down (kernel/cache.py).
_DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "prm_cache",
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kernel.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            # A hung Redis must not hang requests: fail within a second, then use the fallback.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "fallback": _DATABASE_CACHE,
    }
else:
    CACHES = {"default": _DATABASE_CACHE, "fallback": _DATABASE_CACHE}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_FILESYSTEM_BROKER_DIR = Path(
    env("CELERY_FILESYSTEM_BROKER_DIR", default=str(BASE_DIR / "var" / "celery"))
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_processed": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # The folders must exist before the first message is written (web) or read (worker).
    for _folder in ("queue", "processed", "control"):
        (CELERY_FILESYSTEM_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Redelivery of an unacknowledged task happens after the visibility timeout; it must exceed the
    # longest task (time limits below), or a running task is delivered a second time.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE  # every periodic task of every app: prm/schedule.py

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The sign-up form (reached through an invitation) also asks for the person's name.
ACCOUNT_FORMS = {
    "signup": "accounts.forms.SignupForm",
    "login": "accounts.forms.LoginForm",  # refuses a password where SSO is required
    "reset_password": "accounts.forms.ResetPasswordForm",  # nosec B105: a form path; likewise
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# allauth reads ALLAUTH_TRUSTED_PROXY_COUNT (not ACCOUNT_...: under that name it was ignored, so
# behind a proxy every person shared the proxy's address and its login rate limits; found by the
# load test, bench/load/). The audit log's client IP uses the same count (audit/context.py).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Single sign-on (issue 23, docs/sso.md): identity providers are SocialApp records the setup pages
# write (partners.sso); the provider class checks every id token's signature and nonce.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "accounts.oidc.provider.CompanyOIDCProvider",
        "OAUTH_PKCE_ENABLED": True,
    },
    # python3-saml in strict mode, signed assertions required (partners/sso_saml.py SECURITY);
    # the class adds the replayed-assertion check.
    "saml": {"provider_class": "accounts.saml.provider.CompanySAMLProvider"},
}
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the IdP vouches for its own domains only
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # an invited or existing account signs in by SSO
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
USERSESSIONS_TRACK_ACTIVITY = (
    False  # True writes a row on every request; the list still shows logins
)

# --- Email --------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PRM <prm@localhost>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- I18N, static, media ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The languages the product is translated into (docs/translations.md tells how to add one). The
# names are lazy so the language switcher shows them in the reader's language.
LANGUAGES = [
    ("en", gettext_lazy("English")),
    ("de", gettext_lazy("German")),
    ("fr", gettext_lazy("French")),
    ("es", gettext_lazy("Spanish")),
    ("pt-br", gettext_lazy("Brazilian Portuguese")),
    ("ja", gettext_lazy("Japanese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English keeps its "6 Dec 2026"; other languages use Django's formats (prm/formats/en/formats.py).
FORMAT_MODULE_PATH = ["prm.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "var" / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# Uploaded files: local disk (MEDIA_ROOT) by default; any S3-compatible store (AWS, MinIO, R2…)
# when S3_BUCKET is set. Files are never public: downloads go through permission-checked views.
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "access_key": env("S3_ACCESS_KEY_ID", default=None),
            "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
            "location": env("S3_PREFIX", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Content Security Policy: scripts only from our own static files (no inline scripts anywhere).
# Styles allow inline attributes because the Django admin and allauth's pages use a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

MESSAGE_TAGS = {messages.ERROR: "danger"}
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Bearer first: its WWW-Authenticate header makes an unauthenticated request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kernel.api.permissions.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "kernel.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON nested past kernel.bounds.MAX_JSON_DEPTH is a 400 (kernel/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "kernel.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Django's own request errors (a body over the limit) answered as JSON (kernel/api/errors.py).
    "EXCEPTION_HANDLER": "kernel.api.errors.exception_handler",
    # Per token (accounts/api/throttling.py), counted in the shared cache; 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "read": env("PRM_API_RATE_READ", default="1200/min"),
        "write": env("PRM_API_RATE_WRITE", default="300/min"),
        "ingest": env("PRM_API_RATE_INGEST", default="120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "PRM API",
    "DESCRIPTION": (
        "Partner Relationship Management REST API. Authenticate with the browser session or "
        "a personal token (Settings → API tokens) sent as `Authorization: Bearer <token>`. "
        "Every list is scoped exactly as in the portal: partner users see their own partner only."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # the docs page loads Swagger UI from our own static files, never a CDN
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kernel.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "partners.choices.PartnerStatus",
        "DealStatusEnum": "deals.choices.DealStatus",
        "ApplicationStatusEnum": "onboarding.choices.ApplicationStatus",
        "StepStatusEnum": "onboarding.choices.StepStatus",
    },
    "SERVE_AUTHENTICATION": [],
}

# --- Product settings (every one documented in .env.example) ----------------------------------
# Invitations to join a partner's team stay valid this many days.
# Business plans (issue 21): the month the fiscal year starts (1 to 12; 1 = calendar year).
PRM_FISCAL_YEAR_START_MONTH = env.int("PRM_FISCAL_YEAR_START_MONTH", default=1)
if not 1 <= PRM_FISCAL_YEAR_START_MONTH <= 12:
    raise ValueError("PRM_FISCAL_YEAR_START_MONTH must be 1 to 12")
PRM_INVITATION_TTL_DAYS = env.int("PRM_INVITATION_TTL_DAYS", default=14)
# Partner applications: spam traps and rate limit (allauth's limiter syntax).
PRM_APPLICATION_MIN_FILL_SECONDS = env.float("PRM_APPLICATION_MIN_FILL_SECONDS", default=3)
PRM_APPLICATION_RATE_LIMIT = env("PRM_APPLICATION_RATE_LIMIT", default="5/10m/ip,20/1d/ip")
# Team invitations on /portal/team/: per inviting user and per partner ("key"); over it, a 429.
PRM_INVITATION_RATE_LIMIT = env("PRM_INVITATION_RATE_LIMIT", default="20/1h/user,50/1h/key")
# Bulk emails to partner admins from the partner list (/manage/), per sending user; over it: 429.
PRM_BULK_EMAIL_RATE_LIMIT = env("PRM_BULK_EMAIL_RATE_LIMIT", default="10/1h/user")
# Onboarding follow-up.
PRM_ONBOARDING_DUE_SOON_DAYS = env.int("PRM_ONBOARDING_DUE_SOON_DAYS", default=3)
PRM_ONBOARDING_STALL_DAYS = env.int("PRM_ONBOARDING_STALL_DAYS", default=14)
# Enablement uploads.
PRM_ENABLEMENT_MAX_UPLOAD_MB = env.int("PRM_ENABLEMENT_MAX_UPLOAD_MB", default=25)
# Partner import (partners/imports/): the largest file and the most data rows one file may hold.
PRM_PARTNER_IMPORT_MAX_MB = env.int("PRM_PARTNER_IMPORT_MAX_MB", default=20)
PRM_PARTNER_IMPORT_MAX_ROWS = env.int("PRM_PARTNER_IMPORT_MAX_ROWS", default=50_000)
# Incentives: largest proof-of-execution upload for a marketing funds claim.
PRM_MDF_MAX_UPLOAD_MB = env.int("PRM_MDF_MAX_UPLOAD_MB", default=10)
# Largest request body apart from uploaded files (forms, API JSON). The default fits the largest
# documented event batch: 1,000 items with 4 KB of properties each and every field at its limit
# (~5 MB compact, more with indented JSON). Over it: a 413 (JSON under /api/).
PRM_MAX_REQUEST_BODY_MB = env.int("PRM_MAX_REQUEST_BODY_MB", default=8)
DATA_UPLOAD_MAX_MEMORY_SIZE = PRM_MAX_REQUEST_BODY_MB * 1024 * 1024
# The event log (events/conf.py; docs/events.md). Events PRM records itself are checked against
# their declared payload (events.choices.PAYLOADS). Off (production): a mismatch is logged as a
# warning and the event is recorded all the same. On (tests): it raises, so a writer sending a
# wrong payload fails its tests.
PRM_EVENTS_STRICT = env.bool("PRM_EVENTS_STRICT", default=False)
# Postgres: how long a reader of the log (the metrics rollup, customers' and incentives' cursors)
# retries, NOWAIT, to see no event writer in flight before skipping this run (events.cursor).
PRM_ROLLUP_LOCK_TIMEOUT_MS = env.int("PRM_ROLLUP_LOCK_TIMEOUT_MS", default=5000)
# Metrics (docs/metrics.md has the formulas).
PRM_ACTIVATION_WINDOW_DAYS = env.int("PRM_ACTIVATION_WINDOW_DAYS", default=90)
PRM_ADOPTION_WEIGHT_BREADTH = env.float("PRM_ADOPTION_WEIGHT_BREADTH", default=40)
PRM_ADOPTION_WEIGHT_FREQUENCY = env.float("PRM_ADOPTION_WEIGHT_FREQUENCY", default=30)
PRM_ADOPTION_WEIGHT_USERS = env.float("PRM_ADOPTION_WEIGHT_USERS", default=30)
PRM_ADOPTION_FREQUENCY_TARGET_DAYS = env.int("PRM_ADOPTION_FREQUENCY_TARGET_DAYS", default=12)
# Event ingestion (docs/ingestion.md): whether a partner admin's token may send events. Off, only
# vendor staff's tokens may: ingested events count toward the adoption score's frequency, at-risk,
# offering and customer user adoption, so a partner would otherwise grade itself.
PRM_INGEST_PARTNER_EVENTS = env.bool("PRM_INGEST_PARTNER_EVENTS", default=False)
PRM_AT_RISK_DROP_RATIO = env.float("PRM_AT_RISK_DROP_RATIO", default=0.5)
PRM_AT_RISK_MIN_BASELINE_EVENTS = env.int("PRM_AT_RISK_MIN_BASELINE_EVENTS", default=10)
PRM_AT_RISK_DORMANT_DAYS = env.int("PRM_AT_RISK_DORMANT_DAYS", default=120)
# Churn forecast (issue 22; docs/metrics.md "Churn forecast"): below this many labelled
# partner-periods, or this many positives among them, no model is trained and the rules stay.
PRM_CHURN_MIN_ROWS = env.int("PRM_CHURN_MIN_ROWS", default=300)
PRM_CHURN_MIN_POSITIVES = env.int("PRM_CHURN_MIN_POSITIVES", default=30)
PRM_ROLLUP_WORK_MEM = env("PRM_ROLLUP_WORK_MEM", default="256MB")
# Postgres: partner shards each incremental rollup folds at once (metrics/conf.py rollup_shards).
PRM_ROLLUP_SHARDS = env.int("PRM_ROLLUP_SHARDS", default=2)
# Tiers (the tiers app): days between the demotion warning and the demotion; the currency of
# money requirements and MDF allocations, and fixed reporting rates to convert won deals into it.
PRM_TIER_GRACE_DAYS = env.int("PRM_TIER_GRACE_DAYS", default=30)
PRM_TIER_CURRENCY = env("PRM_TIER_CURRENCY", default="USD")
PRM_TIER_FX_RATES = env.float_dict(
    "PRM_TIER_FX_RATES",
    default={
        "USD": "1", "EUR": "1.08", "GBP": "1.27", "CHF": "1.12", "CAD": "0.73",
        "AUD": "0.66", "NZD": "0.60", "JPY": "0.0067", "CNY": "0.14", "INR": "0.012",
        "SGD": "0.74", "BRL": "0.18", "MXN": "0.055", "ZAR": "0.054", "SEK": "0.095",
        "NOK": "0.093", "DKK": "0.145", "PLN": "0.25",
    },
)  # fmt: skip
# A cached dashboard page is served as current while the summaries it was built from are unchanged
# and it is at most this old; then served stale while a task rebuilds it, up to the second limit,
# after which a request builds it again (console/dashboard_cache.py).
PRM_DASHBOARD_CACHE_SECONDS = env.int("PRM_DASHBOARD_CACHE_SECONDS", default=300)
PRM_DASHBOARD_MAX_STALE_SECONDS = env.int("PRM_DASHBOARD_MAX_STALE_SECONDS", default=3600)
# The partner list's filter choices (programs, tiers, staff, ...) are cached this long, and
# forgotten at once when one of them changes (partners/list_choices.py); 0 turns it off.
PRM_LIST_CHOICES_CACHE_SECONDS = env.int("PRM_LIST_CHOICES_CACHE_SECONDS", default=3600)

# --- Security hardening (issue 10; RELIABILITY.md B1-B3, E3) ------------------------------------
# Vendor staff (channel managers, admins) must set up TOTP before /manage/ and /admin/.
PRM_MFA_REQUIRED_FOR_STAFF = env.bool("PRM_MFA_REQUIRED_FOR_STAFF", default=False)
# allauth's limits, stated explicitly (counted in the shared cache: Redis or the database cache).
# login_failed: after 5 wrong passwords for one account in 5 minutes even the right one is refused.
# (bandit B105 mistakes the rates of the *password* actions for passwords: nosec below.)
ACCOUNT_RATE_LIMITS = {
    "login": env("PRM_RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env("PRM_RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": env("PRM_RATE_LIMIT_RESET_PASSWORD", default="20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",  # nosec B105
    "change_password": "5/m/user",  # nosec B105
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
    "manage_email": "10/m/user",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Webhooks (docs/webhooks.md): retries with exponential backoff and a cap, disabling after failures
# in a row, and whether endpoints may be on private networks (never in production unless trusted).
PRM_WEBHOOK_MAX_ATTEMPTS = env.int("PRM_WEBHOOK_MAX_ATTEMPTS", default=8)
PRM_WEBHOOK_BACKOFF_BASE_SECONDS = env.int("PRM_WEBHOOK_BACKOFF_BASE_SECONDS", default=30)
PRM_WEBHOOK_BACKOFF_MAX_SECONDS = env.int("PRM_WEBHOOK_BACKOFF_MAX_SECONDS", default=3600)
PRM_WEBHOOK_DISABLE_AFTER_FAILURES = env.int("PRM_WEBHOOK_DISABLE_AFTER_FAILURES", default=20)
PRM_WEBHOOK_TIMEOUT_SECONDS = env.float("PRM_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("PRM_WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
