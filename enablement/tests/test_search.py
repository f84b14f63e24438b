import pytest
from django.db import connection

from conftest import require_service
from enablement import selectors
from enablement.tests.factories import ResourceFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    ResourceFactory(title="Pricing playbook", summary="How to quote widgets")
    ResourceFactory(
        title="Install guide", body="Step by step installation of the gateway appliance"
    )
    tagged = ResourceFactory(title="Battlecard")
    tagged.tags.add(TagFactory(name="competition", slug="competition"))
    ResourceFactory(title="Unrelated", summary="Nothing to see")
    return world.users["partner_a_user"]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("pricing", {"Pricing playbook"}),
        ("widgets", {"Pricing playbook"}),
        ("gateway", {"Install guide"}),
        ("competition", {"Battlecard"}),
        ("nonexistentword", set()),
        ("", {"Pricing playbook", "Install guide", "Battlecard", "Unrelated"}),
    ],
)
def test_search_finds_title_summary_body_and_tags(library, query, titles):
    found = selectors.resource_list_for_user(user=library, query=query)
    assert {r.title for r in found} == titles


def test_search_survives_punctuation_and_operators(library):
    for query in ['"unterminated', "a & | ! b", "-pricing", "((((", "' OR 1=1 --"]:
        list(selectors.resource_list_for_user(user=library, query=query))


def test_postgres_search_uses_the_gin_index(library):
    require_service("Postgres", connection.vendor == "postgresql", "set DATABASE_URL to Postgres")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'enablement_resource_search_gin'"
        )
        assert "gin" in cursor.fetchone()[0].lower()
        cursor.execute("SET LOCAL enable_seqscan = off")
        qs = selectors.resource_search(selectors.Resource.objects.all(), query="pricing").values(
            "pk"
        )
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "enablement_resource_search_gin" in plan, plan
