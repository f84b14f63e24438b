"""The API's foundations: scoping cannot be bypassed, the schema is valid, lists stay bounded."""

import pytest
from django.core.management import call_command

from kernel.api.viewsets import ScopedReadOnlyViewSet
from partners.selectors import partner_list_for_user
from tests.api.helpers import bearer, token_for


def test_a_viewset_that_defines_its_own_queryset_is_refused_at_import():
    with pytest.raises(TypeError, match="may not define get_queryset"):

        class Leaky(ScopedReadOnlyViewSet):
            def get_queryset(self):
                return None

    with pytest.raises(TypeError, match="may not define queryset"):

        class AlsoLeaky(ScopedReadOnlyViewSet):
            queryset = None


def test_a_viewset_cannot_drop_the_token_scope_permission():
    with pytest.raises(TypeError, match="TokenScopePermission"):

        class Open(ScopedReadOnlyViewSet):
            selector = staticmethod(partner_list_for_user)
            permission_classes = []


@pytest.mark.django_db
def test_the_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/deals/{id}/approve/", "/api/v1/events/", "/api/v1/partners/"):
        assert path in text
    assert "bearerAuth" in text and "'404':" in text


@pytest.mark.django_db
def test_the_docs_page_loads_swagger_from_our_own_static_files(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "<script>" not in html  # the CSP allows no inline script


LISTS = [
    "/api/v1/programs/",
    "/api/v1/tiers/",
    "/api/v1/partners/",
    "/api/v1/partner-users/",
    "/api/v1/courses/",
    "/api/v1/certifications/",
    "/api/v1/resources/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", LISTS)
def test_list_endpoints_hold_a_bounded_number_of_queries(
    client, world, url, django_assert_max_num_queries
):
    from enablement.tests.factories import CertificationFactory, CourseFactory
    from partners.tests.factories import MembershipFactory, PartnerFactory

    a = world.partner_a
    for _ in range(10):
        MembershipFactory(partner=PartnerFactory(program=a.program, tier=a.tier))
        CourseFactory()
        CertificationFactory()
    headers = bearer(token_for(world.users["vendor_admin"]))
    client.get(url, **headers)
    with django_assert_max_num_queries(10):
        assert client.get(url, **headers).status_code == 200
