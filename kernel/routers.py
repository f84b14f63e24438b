"""Read replica routing for dashboards (docs/scaling.md, "A read replica for dashboards").

With ``DATABASE_REPLICA_URL`` set, ``DATABASES["replica"]`` is a streaming replica of the primary
and ``PRM_REPLICA_READS`` is on. Code that only reads metrics (the program dashboard, its CSV
exports, the adoption pages' metric reads) runs inside :func:`replica_reads`; every ORM read in
that block goes to the replica. Everything else, and every write anywhere, goes to ``default``.

Consequence: such a page shows the primary's data as of the replica's replay position (usually
under a second behind; more under load or after a replica restart). Its freshness line ("metrics
as of …", the rollup's last success) is read from the same replica, so what it says stays true
of what it shows. Without a replica nothing changes: reads go to ``default``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("prm_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Route the ORM reads of the block to the replica, when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_in_use() -> bool:
    return bool(settings.PRM_REPLICA_READS) and REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label == "django_cache":  # the database cache: always the primary
            return DEFAULT_DB_ALIAS
        if _replica_reads.get() and replica_in_use():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS  # even for an object read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # the replica gets the schema by replication
