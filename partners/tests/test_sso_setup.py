"""The single sign-on setup pages (issue 23): vendor admins only; each identity provider writes an
allauth SocialApp beside it; the client secret is never shown back or logged; every change is
audited; bad input is a 400 on its field. The sign-in itself: tests/sso/test_oidc.py."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client
from django.urls import reverse

from audit.choices import AuditAction
from audit.models import AuditEntry
from partners.models import IdentityProvider
from partners.sso import identity_provider_create

pytestmark = pytest.mark.django_db

SECRET = "super-secret-client-value-1234"


def _form(partner="", **extra):
    return {
        "partner": partner,
        "name": "Alpha Entra ID",
        "domains": "alpha.example\nAlpha-Corp.example",
        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "client_id": "client-123",
        "client_secret": SECRET,
        "scopes": "openid email profile",
        "is_active": "on",
        **extra,
    }


def _setup_entries():
    return list(AuditEntry.objects.filter(action=AuditAction.SETUP_CHANGE).order_by("id"))


def test_only_vendor_admins_reach_the_pages(client_as):
    url = reverse("partners:setup_sso")
    assert client_as("vendor_admin").get(url).status_code == 200
    assert client_as("manager_owner").get(url).status_code == 403
    assert client_as("partner_a_admin").get(url).status_code == 404
    hub = client_as("manager_owner").get(reverse("console:setup"))
    names = {item["area"].url_name for g in hub.context["groups"] for item in g["areas"]}
    assert "partners:setup_sso" not in names
    hub = client_as("vendor_admin").get(reverse("console:setup"))
    names = {item["area"].url_name for g in hub.context["groups"] for item in g["areas"]}
    assert "partners:setup_sso" in names


def test_adding_a_partner_idp_writes_its_social_app_and_audits_without_the_secret(client_as, world):
    admin = client_as("vendor_admin")
    response = admin.post(reverse("partners:setup_sso_create"), _form(str(world.partner_a.pk)))
    assert response.status_code == 302, response.content.decode()[:2000]
    idp = IdentityProvider.objects.get()
    assert idp.partner == world.partner_a
    assert idp.domain_list == ["alpha.example", "alpha-corp.example"]
    app = idp.social_app
    assert app.provider == "openid_connect" and app.provider_id.startswith("idp-")
    assert app.client_id == "client-123" and app.secret == SECRET
    assert app.settings == {
        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "scope": ["openid", "email", "profile"],
    }
    (entry,) = _setup_entries()
    assert entry.details["after"]["client_secret"] == "…1234"
    assert SECRET not in str(entry.details)
    # The list shows the redirect URI to register, never the secret.
    page = admin.get(reverse("partners:setup_sso")).content.decode()
    assert f"/accounts/oidc/{app.provider_id}/login/callback/" in page
    assert SECRET not in page
    edit = admin.get(reverse("partners:setup_sso_edit", args=[idp.pk])).content.decode()
    assert SECRET not in edit and "…1234" in edit


def test_editing_keeps_the_secret_when_left_empty_and_logs_the_change(client_as, world):
    admin = client_as("vendor_admin")
    admin.post(reverse("partners:setup_sso_create"), _form(world.partner_a.name))
    idp = IdentityProvider.objects.get()
    response = admin.post(
        reverse("partners:setup_sso_edit", args=[idp.pk]),
        _form(world.partner_a.name, client_secret="", sso_required="on"),
    )
    assert response.status_code == 302
    idp.refresh_from_db()
    assert idp.sso_required and idp.social_app.secret == SECRET
    changed = _setup_entries()[-1]
    assert changed.details["before"] == {"sso_required": False}
    assert changed.details["after"] == {"sso_required": True}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("domains", "not a domain", "is not a domain name"),
        ("domains", "", "This field is required"),
        ("server_url", "http://idp.example.com", "https://"),
        ("partner", "No Such Partner", "No single partner"),
        ("scopes", "openid <script>", "is not a scope"),
        ("client_secret", "", "Give the client secret"),
    ],
)
def test_bad_input_is_a_400_on_its_field(client_as, world, field, value, message):
    data = {**_form(world.partner_a.name), field: value}
    response = client_as("vendor_admin").post(reverse("partners:setup_sso_create"), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors.get(field))
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()


def test_a_domain_belongs_to_one_idp_and_only_the_staff_idp_trusts_mfa(client_as, world):
    admin = client_as("vendor_admin")
    admin.post(reverse("partners:setup_sso_create"), _form(world.partner_a.name))
    taken = admin.post(
        reverse("partners:setup_sso_create"),
        _form(world.partner_b.name, domains="beta.example\nalpha.example"),
    )
    assert taken.status_code == 400
    assert "already signed in by Alpha Entra ID" in str(taken.context["form"].errors["domains"])
    partner_mfa = admin.post(
        reverse("partners:setup_sso_create"),
        _form(world.partner_b.name, domains="beta.example", trust_idp_mfa="on"),
    )
    assert partner_mfa.status_code == 400
    staff = admin.post(
        reverse("partners:setup_sso_create"),
        _form("", name="Vendor Okta", domains="vendor.example", trust_idp_mfa="on"),
    )
    assert staff.status_code == 302
    second_staff = admin.post(
        reverse("partners:setup_sso_create"), _form("", name="Another", domains="v2.example")
    )
    assert second_staff.status_code == 400
    assert IdentityProvider.objects.count() == 2


def test_deleting_removes_the_social_app_and_is_audited(client_as, world):
    idp = identity_provider_create(
        actor=world.users["vendor_admin"],
        data={**_form(), "partner": world.partner_a, "is_active": True},
    )
    response = client_as("vendor_admin").post(reverse("partners:setup_sso_delete", args=[idp.pk]))
    assert response.status_code == 302
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()
    assert _setup_entries()[-1].details["flag"] == "deleted"


def test_the_list_holds_a_bounded_number_of_queries(
    client_as, world, django_assert_max_num_queries
):
    for partner, domain in ((world.partner_a, "a.example"), (world.partner_b, "b.example")):
        identity_provider_create(
            actor=world.users["vendor_admin"],
            data={**_form(), "partner": partner, "domains": domain, "is_active": True},
        )
    admin = client_as("vendor_admin")
    admin.get(reverse("partners:setup_sso"))
    with django_assert_max_num_queries(6):  # session, user, list, the bell's count, ...
        assert admin.get(reverse("partners:setup_sso")).status_code == 200


def test_sso_required_for_staff_needs_the_admin_to_have_signed_in_through_it(client_as, world):
    from allauth.socialaccount.models import SocialAccount

    admin = client_as("vendor_admin")
    staff_form = _form("", name="Vendor Okta", domains="vendor.example")
    refused = admin.post(reverse("partners:setup_sso_create"), {**staff_form, "sso_required": "on"})
    assert refused.status_code == 400
    assert "lock every admin out" in str(refused.context["form"].errors["sso_required"])
    assert admin.post(reverse("partners:setup_sso_create"), staff_form).status_code == 302
    idp = IdentityProvider.objects.get()
    edit = reverse("partners:setup_sso_edit", args=[idp.pk])
    assert admin.post(edit, {**staff_form, "sso_required": "on"}).status_code == 400
    SocialAccount.objects.create(
        user=world.users["vendor_admin"], provider=idp.social_app.provider_id, uid="sub-1"
    )
    assert admin.post(edit, {**staff_form, "sso_required": "on"}).status_code == 302
    idp.refresh_from_db()
    assert idp.sso_required


# --- SAML 2.0 --------------------------------------------------------------------------------------


def _saml_form(partner="", **extra):
    from tests.sso.saml_idp import IDP_METADATA_FOR_SETUP

    return {
        "partner": partner,
        "name": "Alpha Okta",
        "protocol": "saml",
        "domains": "alpha.example",
        "saml_metadata_xml": IDP_METADATA_FOR_SETUP,
        "attr_email": "user.email",
        "max_session_hours": "8",
        "idp_sign_out": "on",
        "is_active": "on",
        **extra,
    }


def test_a_saml_idp_from_pasted_metadata_writes_strict_settings_and_shows_prms_sp(
    client_as, world, settings
):
    from tests.sso.saml_idp import ENTITY_ID, SLO_URL, SSO_URL

    settings.SITE_URL = "https://prm.example.com"
    admin = client_as("vendor_admin")
    response = admin.post(reverse("partners:setup_sso_create"), _saml_form(world.partner_a.name))
    assert response.status_code == 302, response.content.decode()[:2000]
    idp = IdentityProvider.objects.get()
    assert idp.protocol == "saml" and idp.max_session_hours == 8 and idp.idp_sign_out
    app = idp.social_app
    slug = app.provider_id
    assert app.provider == "saml" and app.client_id == slug and app.secret == ""
    assert app.settings["idp"]["entity_id"] == ENTITY_ID
    assert app.settings["idp"]["sso_url"] == SSO_URL
    assert app.settings["idp"]["slo_url"] == SLO_URL
    assert app.settings["idp"]["x509cert"].startswith("MII")
    assert app.settings["sp"]["entity_id"] == (
        f"https://prm.example.com/accounts/saml/{slug}/metadata/"
    )
    assert app.settings["attribute_mapping"]["email"] == ["user.email"]
    advanced = app.settings["advanced"]
    assert advanced["strict"] and advanced["want_assertion_signed"]
    assert advanced["reject_idp_initiated_sso"] and advanced["reject_deprecated_algorithm"]
    (entry,) = _setup_entries()
    assert entry.details["after"]["saml_entity_id"] == ENTITY_ID
    # The edit page shows what the IdP's admin copies, and the list links the SP metadata.
    edit = admin.get(reverse("partners:setup_sso_edit", args=[idp.pk])).content.decode()
    assert f"https://prm.example.com/accounts/saml/{slug}/acs/" in edit
    assert f"https://prm.example.com/accounts/saml/{slug}/metadata/" in edit
    page = admin.get(reverse("partners:setup_sso")).content.decode()
    assert f"/accounts/saml/{slug}/metadata/" in page
    # Edited later under another SITE_URL: the SP entity id the IdP trusts stays.
    settings.SITE_URL = "https://elsewhere.example"
    form = {**_saml_form(world.partner_a.name), "max_session_hours": ""}
    assert admin.post(reverse("partners:setup_sso_edit", args=[idp.pk]), form).status_code == 302
    idp.refresh_from_db()
    assert idp.max_session_hours is None
    assert idp.social_app.settings["sp"]["entity_id"].startswith("https://prm.example.com/")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("saml_metadata_xml", "<not-metadata/>", "names no IdP entity id"),
        (
            "saml_metadata_xml",
            "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
            "not SAML IdP metadata",
        ),
        ("saml_certificate", "not a certificate", "not an X.509 certificate"),
        ("saml_sso_url", "http://idp.example.com/sso", "https://"),
        ("saml_entity_id", "", "entity id"),
        ("attr_email", "email<script>", "not a SAML attribute name"),
        ("max_session_hours", "0", "greater than or equal to 1"),
    ],
)
def test_bad_saml_input_is_a_400_on_its_field(client_as, world, field, value, message):
    from tests.sso.saml_idp import ENTITY_ID, SSO_URL, key_pair

    data = _saml_form(world.partner_a.name)
    if field != "saml_metadata_xml":
        data.update(
            saml_metadata_xml="",
            saml_entity_id=ENTITY_ID,
            saml_sso_url=SSO_URL,
            saml_certificate=key_pair().cert_text,
        )
    data[field] = value
    response = client_as("vendor_admin").post(reverse("partners:setup_sso_create"), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors.get(field)), response.context[
        "form"
    ].errors
    assert not IdentityProvider.objects.exists() and not SocialApp.objects.exists()


def test_the_protocol_cannot_change(client_as, world):
    admin = client_as("vendor_admin")
    admin.post(reverse("partners:setup_sso_create"), _form(world.partner_a.name))
    idp = IdentityProvider.objects.get()
    response = admin.post(
        reverse("partners:setup_sso_edit", args=[idp.pk]), _saml_form(world.partner_a.name)
    )
    assert response.status_code == 400
    assert "cannot change" in str(response.context["form"].errors["protocol"])


def test_an_inactive_saml_idp_may_wait_for_the_idps_values(client_as, world, settings):
    """Saved inactive and empty, so its admin can copy PRM's SP values into the IdP first; its
    SP metadata is served already; activating it needs the IdP's values."""
    admin = client_as("vendor_admin")
    draft = {**_saml_form(world.partner_a.name), "saml_metadata_xml": "", "is_active": ""}
    assert admin.post(reverse("partners:setup_sso_create"), draft).status_code == 302
    idp = IdentityProvider.objects.get()
    assert not idp.is_active and idp.social_app.settings["idp"]["entity_id"] == ""
    slug = idp.social_app.provider_id
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "prm.example.com"]
    # (python3-saml refuses single-label hosts such as the test client's "testserver")
    metadata = Client(HTTP_HOST="prm.example.com").get(f"/accounts/saml/{slug}/metadata/")
    assert metadata.status_code == 200 and b"AssertionConsumerService" in metadata.content
    edit = reverse("partners:setup_sso_edit", args=[idp.pk])
    refused = admin.post(edit, {**draft, "is_active": "on"})
    assert refused.status_code == 400
    assert "entity id" in str(refused.context["form"].errors["saml_entity_id"])
