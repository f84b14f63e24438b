"""Single sign-on through SAML 2.0 against a real identity provider in the test process: pysaml2
(tests/sso/saml_idp.py) reads PRM's SP metadata from PRM's metadata route, parses the
AuthnRequest PRM sends the browser with, and signs its responses with xmlsec1.

Nothing is mocked on PRM's side: the browser (Django's test client) posts each response to PRM's
ACS, and allauth's SAML views verify it with python3-saml in strict mode. Each refusal is a
response PRM's verification must reject: signed with a key PRM was not given, for another
audience, expired, replayed, with the assertion unsigned, or for an address outside the IdP's
domains; each ends with the clear message and nobody signed in or created.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.models import User
from accounts.sso import SSO_AT_SESSION_KEY, SSO_MFA_SESSION_KEY, SSO_PROVIDER_SESSION_KEY
from accounts.tests.factories import PASSWORD, UserFactory
from events.models import Event
from partners.choices import MemberRole
from partners.models import PartnerMembership
from partners.sso import identity_provider_create
from partners.tests.factories import MembershipFactory, PartnerFactory
from tests.sso import saml_idp

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        saml_idp.xmlsec_binary() is None and not __import__("os").environ.get("CI"),
        reason="the test IdP (pysaml2) signs with the xmlsec1 program: apt-get install xmlsec1",
    ),
]

IDP_KEYS = saml_idp.key_pair()
ROGUE_KEYS = saml_idp.key_pair()  # the same name, another key: PRM was never given its cert


HOST = "prm.example.com"  # python3-saml refuses single-label hosts such as "testserver"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]
    settings.SITE_URL = f"http://{HOST}"


def _browser() -> Client:
    return Client(HTTP_HOST=HOST)


def _configure(*, partner=None, domains="acme.example", metadata=True, **extra):
    admin = User.objects.create_user(f"root{User.objects.count()}@vendor.example")
    admin.vendor_role = VendorRole.ADMIN
    admin.save()
    data = {
        "partner": partner,
        "name": "Acme SAML" if partner else "Vendor SAML",
        "protocol": "saml",
        "domains": domains,
        "is_active": True,
        **extra,
    }
    if metadata:
        data["saml_metadata_xml"] = saml_idp.metadata_xml(IDP_KEYS)
    else:
        data.update(
            saml_entity_id=saml_idp.ENTITY_ID,
            saml_sso_url=saml_idp.SSO_URL,
            saml_certificate=IDP_KEYS.cert_text,
        )
    return identity_provider_create(actor=admin, data=data)


def _idp(config, keys=IDP_KEYS) -> saml_idp.TestIdP:
    """The IdP, trusting PRM's SP metadata as PRM's metadata route serves it."""
    response = _browser().get(f"/accounts/saml/{config.social_app.provider_id}/metadata/")
    assert response.status_code == 200 and response["Content-Type"] == "text/xml"
    return saml_idp.TestIdP(keys=keys, sp_metadata=response.content.decode())


@pytest.fixture
def cleanup():
    idps = []
    yield idps
    for idp in idps:
        idp.close()


def _start(app: Client, email: str) -> str:
    response = app.post("/accounts/company/", {"email": email})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def _post_to_acs(app: Client, request, relay_state: str, saml_response: str):
    """The browser posts the IdP's response to PRM's ACS, which hands it on to finish."""
    acs = request.assertion_consumer_service_url.removeprefix(f"http://{HOST}")
    posted = app.post(acs, {"SAMLResponse": saml_response, "RelayState": relay_state})
    assert posted.status_code == 302, posted.content[:500]
    return app.get(posted["Location"])


def _sign_in(app: Client, idp: saml_idp.TestIdP, email: str, **options):
    request, relay_state = idp.read_request(_start(app, email))
    return _post_to_acs(app, request, relay_state, idp.response(request, email=email, **options))


def _signed_in(app: Client) -> User | None:
    user_id = app.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def _refused(app: Client, response, message: str, email: str = "ana@acme.example") -> None:
    assert response.status_code == 403, response.content[:800]
    assert message in response.content.decode()
    assert _signed_in(app) is None
    assert not User.objects.filter(email=email).exists()


def test_the_sp_metadata_names_prms_entity_id_and_acs(cleanup):
    config = _configure(partner=PartnerFactory())
    slug = config.social_app.provider_id
    xml = _browser().get(f"/accounts/saml/{slug}/metadata/").content.decode()
    assert f'entityID="http://{HOST}/accounts/saml/{slug}/metadata/"' in xml
    assert f"http://{HOST}/accounts/saml/{slug}/acs/" in xml
    assert 'WantAssertionsSigned="true"' in xml


def test_a_new_person_from_a_partner_idp_joins_that_partner_with_the_default_role(cleanup):
    acme = PartnerFactory(name="Acme")
    PartnerFactory(name="Other")
    config = _configure(partner=acme)
    idp = _idp(config)
    cleanup.append(idp)
    app = _browser()

    response = _sign_in(app, idp, "Ana.Lima@acme.example", first_name="Ana", last_name="Lima")

    assert response.status_code == 302, response.content[:800]
    user = _signed_in(app)
    assert user is not None and user.email == "ana.lima@acme.example"
    assert user.full_name == "Ana Lima"
    assert not user.has_usable_password()
    membership = PartnerMembership.objects.get(user=user)
    assert membership.partner == acme and membership.role == MemberRole.USER
    joined = Event.objects.get(kind="user.joined", user=user)
    assert joined.properties["via"] == "sso" and joined.partner_id == acme.pk
    assert app.session[SSO_PROVIDER_SESSION_KEY] == config.social_app.provider_id
    # The next sign-in finds the same account.
    app.logout()
    _sign_in(app, idp, "ana.lima@acme.example")
    assert _signed_in(app) == user
    assert User.objects.filter(email="ana.lima@acme.example").count() == 1


def test_an_existing_member_signs_in_with_typed_in_settings(cleanup):
    acme = PartnerFactory()
    member = MembershipFactory(user__email="pat@acme.example", partner=acme).user
    config = _configure(partner=acme, metadata=False)
    idp = _idp(config)
    cleanup.append(idp)
    app = _browser()

    _sign_in(app, idp, "pat@acme.example")

    assert _signed_in(app) == member
    assert PartnerMembership.objects.filter(user=member).count() == 1


def test_staff_idp_signs_in_invited_staff_only_and_trusts_mfa_only_from_the_context(
    cleanup, settings
):
    settings.PRM_MFA_REQUIRED_FOR_STAFF = True
    config = _configure(domains="vendor.example", trust_idp_mfa=True)
    idp = _idp(config)
    cleanup.append(idp)
    staff = UserFactory(email="cm@vendor.example", vendor_role=VendorRole.CHANNEL_MANAGER)

    app = _browser()
    response = _sign_in(app, idp, "new@vendor.example", authn_context=saml_idp.MFA_CONTEXT)
    _refused(app, response, "must be invited", email="new@vendor.example")

    # A password-only authentication context: signed in, TOTP still required.
    app = _browser()
    _sign_in(app, idp, "cm@vendor.example")
    assert _signed_in(app) == staff
    assert SSO_MFA_SESSION_KEY not in app.session
    assert "/accounts/2fa/totp/activate" in app.get("/manage/dashboard/")["Location"]

    # A multi-factor context from a trusted IdP meets the requirement.
    app = _browser()
    _sign_in(app, idp, "cm@vendor.example", authn_context=saml_idp.MFA_CONTEXT)
    assert app.session[SSO_MFA_SESSION_KEY] == config.social_app.provider_id
    assert app.get("/manage/dashboard/").status_code == 200


def test_sso_required_refuses_the_password_of_a_saml_partner(cleanup):
    acme = PartnerFactory()
    _configure(partner=acme, sso_required=True)
    MembershipFactory(user__email="pat@acme.example", partner=acme)
    app = _browser()
    response = app.post("/accounts/login/", {"login": "pat@acme.example", "password": PASSWORD})
    assert "Sign in with your company account" in response.content.decode()
    assert _signed_in(app) is None


# --- Refusals: PRM's verification of what the IdP sent ---------------------------------------------


@pytest.fixture
def acme(cleanup):
    config = _configure(partner=PartnerFactory())
    idp = _idp(config)
    cleanup.append(idp)
    return config, idp


def test_a_response_signed_with_another_key_is_refused(acme, cleanup):
    config, _ = acme
    rogue = _idp(config, keys=ROGUE_KEYS)
    cleanup.append(rogue)
    app = _browser()
    _refused(app, _sign_in(app, rogue, "ana@acme.example"), "not signed with the certificate")


def test_a_response_for_another_audience_is_refused(acme):
    _, idp = acme
    app = _browser()
    response = _sign_in(app, idp, "ana@acme.example", audience=saml_idp.OTHER_AUDIENCE)
    _refused(app, response, "meant for another service")


def test_an_expired_assertion_is_refused(acme):
    _, idp = acme
    app = _browser()
    request, relay_state = idp.read_request(_start(app, "ana@acme.example"))
    with time_machine.travel(timezone.now() - dt.timedelta(hours=1)):
        old = idp.response(request, email="ana@acme.example")
    response = _post_to_acs(app, request, relay_state, old)
    _refused(app, response, "has expired")


def test_a_replayed_assertion_is_refused(acme):
    _, idp = acme
    app = _browser()
    request, relay_state = idp.read_request(_start(app, "ana@acme.example"))
    saml_response = idp.response(request, email="ana@acme.example")
    _post_to_acs(app, request, relay_state, saml_response)
    assert _signed_in(app) is not None
    app.logout()
    # The same response again, into a sign-in of this browser's: refused by its assertion ID.
    _start(app, "ana@acme.example")
    response = _post_to_acs(app, request, relay_state, saml_response)
    assert response.status_code == 403
    assert "already used" in response.content.decode()
    assert _signed_in(app) is None


def test_an_unsigned_assertion_is_refused_even_in_a_signed_response(acme):
    _, idp = acme
    app = _browser()
    response = _sign_in(app, idp, "ana@acme.example", sign_assertion=False, sign_response=True)
    _refused(app, response, "not signed with the certificate")


def test_an_address_outside_the_idps_domains_is_refused(acme):
    _, idp = acme
    UserFactory(email="boss@vendor.example", vendor_role=VendorRole.ADMIN)
    app = _browser()
    request, relay_state = idp.read_request(_start(app, "ana@acme.example"))
    response = _post_to_acs(
        app, request, relay_state, idp.response(request, email="boss@vendor.example")
    )
    assert response.status_code == 403
    assert "did not give an address it may sign in for" in response.content.decode()
    assert _signed_in(app) is None


def test_a_response_to_no_request_of_this_browser_is_refused(acme):
    """InResponseTo: a response answering another browser's request opens nothing here."""
    _, idp = acme
    victim, attacker = _browser(), _browser()
    request, relay_state = idp.read_request(_start(victim, "ana@acme.example"))
    _start(attacker, "ana@acme.example")
    response = _post_to_acs(
        attacker, request, relay_state, idp.response(request, email="ana@acme.example")
    )
    assert response.status_code == 403  # allauth: no such sign-in stashed in this session
    assert _signed_in(attacker) is None


# --- Session lifetime and signing out ---------------------------------------------------------------


def test_a_session_ends_after_the_idps_maximum_session(cleanup):
    acme = PartnerFactory()
    config = _configure(partner=acme, max_session_hours=8)
    idp = _idp(config)
    cleanup.append(idp)
    app = _browser()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _sign_in(app, idp, "ana@acme.example")
        user = _signed_in(app)
        assert user is not None and app.session[SSO_AT_SESSION_KEY] == int(start.timestamp())
    with time_machine.travel(start + dt.timedelta(hours=7, minutes=59), tick=False):
        assert app.get("/portal/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=8, minutes=1), tick=False):
        response = app.get("/portal/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=%2Fportal%2F")
        assert _signed_in(app) is None
        assert "expired" in app.get(response["Location"]).content.decode()
    # The session API answers JSON.
    app = _browser()
    with time_machine.travel(start, tick=False):
        _sign_in(app, idp, "ana@acme.example")
    with time_machine.travel(start + dt.timedelta(hours=9), tick=False):
        response = app.get("/api/v1/deals/")
        assert response.status_code == 401
        assert response.json()["code"] == "sso_session_expired"


def test_without_a_maximum_the_site_session_length_applies(cleanup):
    config = _configure(partner=PartnerFactory())
    idp = _idp(config)
    cleanup.append(idp)
    app = _browser()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _sign_in(app, idp, "ana@acme.example")
    with time_machine.travel(start + dt.timedelta(hours=72), tick=False):
        assert app.get("/portal/").status_code == 200
        assert _signed_in(app) is not None


def test_signing_out_also_signs_out_of_the_saml_idp_when_ticked(cleanup):
    acme = PartnerFactory()
    config = _configure(partner=acme, idp_sign_out=True)
    idp = _idp(config)
    cleanup.append(idp)
    app = _browser()
    _sign_in(app, idp, "ana@acme.example")
    assert _signed_in(app) is not None

    response = app.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"].startswith(saml_idp.SLO_URL + "?SAMLRequest=")
    logout_request = idp.read_logout_request(response["Location"])
    assert logout_request.name_id.text == "ana@acme.example"
    assert logout_request.session_index  # the IdP's session named
    assert _signed_in(app) is None
    # Not ticked: PRM's own session ends, the browser goes to PRM's sign-in page.
    config.idp_sign_out = False
    config.save(update_fields=["idp_sign_out"])
    _sign_in(app, idp, "ana@acme.example")
    assert app.post("/accounts/logout/")["Location"] == "/accounts/login/"
