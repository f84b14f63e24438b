"""The read-replica router (kernel/routers.py): dashboard reads go to ``replica`` when one is
configured, writes and everything else to ``default``. The test database is its own replica
(``TEST: MIRROR``): a second connection to the same database, so the data must be committed
(transaction=True), as it must be on a real replica. The real streaming replica run is
bench/replica.py (docs/scaling.md)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from kernel.routers import REPLICA, ReplicaRouter, replica_reads
from metrics.models import RollupState
from metrics.rollups import ROLLUP_NAME
from metrics.tasks import rollup_metrics
from partners.models import Program

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_on(settings):
    settings.PRM_REPLICA_READS = True
    return settings


def test_reads_go_to_the_replica_only_inside_replica_reads_and_writes_never(replica_on):
    router = ReplicaRouter()
    assert router.db_for_read(Program) == "default"
    with replica_reads():
        assert router.db_for_read(Program) == REPLICA
        assert router.db_for_write(Program) == "default"
        program = Program.objects.create(name="Routed", slug="routed")  # a write in the block
        assert program._state.db == "default"
        assert Program.objects.get(pk=program.pk)._state.db == REPLICA
    assert router.db_for_read(Program) == "default"
    assert router.allow_migrate(REPLICA, "partners") is False


def test_without_a_replica_every_read_stays_on_the_primary(settings):
    settings.PRM_REPLICA_READS = False
    with replica_reads():
        assert ReplicaRouter().db_for_read(Program) == "default"


def test_the_database_cache_is_never_read_from_the_replica(replica_on):
    from django.core.cache import caches

    with replica_reads():
        entry = caches["fallback"].cache_model_class
        assert ReplicaRouter().db_for_read(entry) == "default"


def test_the_program_dashboard_reads_its_metrics_from_the_replica(replica_on, world, client):
    rollup_metrics()  # the summaries and the rollup's last success (the freshness line)
    assert RollupState.objects.get(name=ROLLUP_NAME).last_success_at is not None
    client.force_login(world.users["vendor_admin"])
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get("/manage/dashboard/")
    assert response.status_code == 200
    assert b"data-metrics-freshness" in response.content
    on_replica = [q["sql"] for q in replica.captured_queries]
    on_primary = [q["sql"] for q in primary.captured_queries]
    summaries = ("metrics_partnerweek", "metrics_adoptionscore")  # what the dashboard reads
    for table in summaries:
        assert any(table in sql for sql in on_replica), table
    assert any("metrics_rollupstate" in sql for sql in on_replica)  # the freshness line too
    assert not any("metrics_partner" in sql or "metrics_adoptionscore" in sql for sql in on_primary)
    assert not any(
        sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for sql in on_replica
    )
    assert on_primary  # the session, the user and the access check stay on the primary
