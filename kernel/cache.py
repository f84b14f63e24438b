"""The default cache: Redis, with the database cache table as a fallback while Redis is down.

allauth's rate limits (login, failed logins, password resets), its TOTP replay guard, the
application form's limit and the DRF throttles all count in the default cache. A plain
``RedisCache`` raises ``redis.ConnectionError`` when Redis is down, which turned
``POST /accounts/login/`` into a 500 (the Redis down drill, docs/reliability.md). This backend
catches the Redis error, logs it, and serves that call and every call of the next
``RETRY_SECONDS`` from the ``fallback`` cache (``DatabaseCache`` on the ``prm_cache`` table, shared by
every process), then tries Redis again. Logins therefore keep working **and stay rate-limited**
during an outage; the counters start again from zero in the fallback when Redis goes away, and
from what Redis held when it comes back (what was counted in the table meanwhile is not carried
over).
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FALLBACK_ALIAS = "fallback"
RETRY_SECONDS = 5.0
ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)

_down_until = 0.0  # process-wide: monotonic time until which calls skip Redis


def redis_skipped() -> bool:
    return time.monotonic() < _down_until


def _failover(name: str):
    def method(self, *args, **kwargs):
        global _down_until
        fallback = getattr(caches[FALLBACK_ALIAS], name)
        if redis_skipped():
            return fallback(*args, **kwargs)
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except ERRORS as exc:
            _down_until = time.monotonic() + RETRY_SECONDS
            logger.warning(
                "cache: Redis unreachable (%s), using the database cache for %.0f s",
                exc,
                RETRY_SECONDS,
            )
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


class FailoverRedisCache(RedisCache):
    """``RedisCache`` whose every operation falls back to ``caches["fallback"]`` on a Redis error."""

    add = _failover("add")
    get = _failover("get")
    set = _failover("set")
    touch = _failover("touch")
    delete = _failover("delete")
    get_many = _failover("get_many")
    has_key = _failover("has_key")
    incr = _failover("incr")
    set_many = _failover("set_many")
    delete_many = _failover("delete_many")
    clear = _failover("clear")
