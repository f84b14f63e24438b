"""Rate limits of the API, per token (a session counts per user, anonymous per address).

Counted in the Django cache (Redis when REDIS_URL is set, so every web worker shares the
counters). Three rates, from settings/env: ``read`` (safe methods), ``write`` (the others) and
``ingest`` (``POST /api/v1/events/``, each request up to 1,000 events). Over the limit: 429 with
``Retry-After`` (seconds), DRF's standard behaviour.

The counter is DRF's sliding-window history, read and written without a lock: two requests racing
on the same token may both pass at the edge of the limit. A limit is a safeguard, not a quota.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "read"

    def _scope_for(self, request, view) -> str:
        if getattr(view, "throttle_scope", None) == "ingest":
            return "ingest"
        return "read" if request.method in SAFE_METHODS else "write"

    def allow_request(self, request, view):
        self.scope = self._scope_for(request, view)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return f"throttle:{self.scope}:{ident}"
