"""Single sign-on through OpenID Connect against a real identity provider in the test process
(django-oauth-toolkit, tests/sso/idp.py), served over HTTP by ``live_server``.

The "browser" is two cookie jars, as a real one keeps per site: Django's test client for PRM and a
``requests`` session for the IdP. PRM's allauth fetches the IdP's discovery document, keys, token
and userinfo over HTTP itself. Every refusal goes through PRM's real verification: a token signed
with a key the IdP does not publish, addressed to another client, expired, or a replayed
callback / nonce each end without anybody signed in.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone
from jwcrypto import jwk
from oauth2_provider.models import Application

from accounts.choices import VendorRole
from accounts.models import User
from accounts.sso import SSO_MFA_SESSION_KEY
from accounts.tests.factories import PASSWORD, UserFactory
from events.models import Event
from partners.choices import MemberRole, PartnerStatus
from partners.models import PartnerMembership
from partners.sso import identity_provider_create
from partners.tests.factories import MembershipFactory, PartnerFactory
from tests.sso import idp

pytestmark = pytest.mark.django_db(transaction=True)

IDP_PEM = idp.rsa_pem()
CLIENT_SECRET = "s3cret-client-secret-for-tests"


@pytest.fixture
def oidc(settings, live_server):
    """The IdP mounted beside the product, its signing key, and PRM configured to use it."""
    settings.ROOT_URLCONF = "tests.sso.urls"
    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": IDP_PEM,
        "PKCE_REQUIRED": True,
        "SCOPES": {"openid": "OpenID Connect", "email": "Email", "profile": "Profile"},
        "OAUTH2_VALIDATOR_CLASS": "tests.sso.idp.IdPValidator",
        "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,  # discovery names end_session_endpoint
    }
    idp.IDENTITIES.clear()
    idp.MISCHIEF.clear()
    yield live_server
    idp.IDENTITIES.clear()
    idp.MISCHIEF.clear()


def _configure(*, partner=None, domains="acme.example", **extra):
    admin = User.objects.create_user("root@vendor.example", vendor_role=VendorRole.ADMIN)
    data = {
        "partner": partner,
        "name": "Acme IdP" if partner else "Vendor IdP",
        "domains": domains,
        "server_url": f"{_live_url()}/idp",
        "client_id": "prm-client" if partner else "prm-staff-client",
        "client_secret": CLIENT_SECRET,
        "scopes": "openid email profile",
        "is_active": True,
        **extra,
    }
    config = identity_provider_create(actor=admin, data=data)
    callback = f"http://testserver/accounts/oidc/{config.social_app.provider_id}/login/callback/"
    Application.objects.create(
        name=data["name"],
        client_id=data["client_id"],
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=callback,
        post_logout_redirect_uris="http://127.0.0.1:8000/accounts/login/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    return config


_LIVE = {}


def _live_url() -> str:
    return _LIVE["url"]


@pytest.fixture(autouse=True)
def _remember_live(request):
    if "oidc" in request.fixturenames:
        _LIVE["url"] = request.getfixturevalue("live_server").url


def _idp_browser(claims: dict) -> requests.Session:
    """Somebody signed in at the IdP (their IdP session cookie), asserting ``claims``."""
    account = User.objects.create_user(f"subject{len(idp.IDENTITIES)}@idp.invalid")
    idp.IDENTITIES[account.pk] = claims
    at_idp = Client()
    at_idp.force_login(account)
    browser = requests.Session()
    browser.cookies.set("sessionid", at_idp.cookies["sessionid"].value)
    return browser


def _start(app: Client, email: str) -> str:
    """PRM's "Sign in with your company account": returns the IdP authorize URL it sent us to."""
    response = app.post("/accounts/company/", {"email": email})
    assert response.status_code == 302, response.content[:500]
    assert response["Location"].startswith(f"{_live_url()}/idp/authorize/")
    return response["Location"]


def _authorize(browser: requests.Session, authorize_url: str) -> str:
    """The IdP's authorize endpoint (over HTTP): the callback URL it redirects back to."""
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:500]
    location = response.headers["Location"]
    assert "code=" in location, location
    return location


def _callback(app: Client, callback_url: str):
    parts = urlsplit(callback_url)
    return app.get(f"{parts.path}?{parts.query}")


def _signed_in(app: Client) -> User | None:
    user_id = app.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_a_new_person_from_a_partner_idp_joins_that_partner_with_the_default_role(oidc):
    acme = PartnerFactory(name="Acme")
    PartnerFactory(name="Other")  # another partner: nobody lands there
    _configure(partner=acme)
    browser = _idp_browser({"email": "Ana.Lima@acme.example", "name": "Ana Lima"})
    app = Client()

    response = _callback(app, _authorize(browser, _start(app, "ana.lima@acme.example")))

    assert response.status_code == 302, response.content[:800]
    user = _signed_in(app)
    assert user is not None and user.email == "ana.lima@acme.example"
    assert user.full_name == "Ana Lima"
    assert not user.has_usable_password()
    membership = PartnerMembership.objects.get(user=user)
    assert membership.partner == acme and membership.role == MemberRole.USER
    joined = Event.objects.get(kind="user.joined", user=user)
    assert joined.properties["via"] == "sso" and joined.partner_id == acme.pk
    # The next sign-in finds the same account (no second user, no second membership).
    app.logout()
    _callback(app, _authorize(browser, _start(app, "ana.lima@acme.example")))
    assert _signed_in(app) == user
    assert User.objects.filter(email="ana.lima@acme.example").count() == 1


def test_an_identity_outside_the_idps_domains_is_refused(oidc):
    """A partner's IdP cannot sign in somebody of another domain (e.g. a vendor admin)."""
    acme = PartnerFactory()
    UserFactory(email="boss@vendor.example", vendor_role=VendorRole.ADMIN)
    _configure(partner=acme)
    browser = _idp_browser({"email": "boss@vendor.example"})
    app = Client()

    response = _callback(app, _authorize(browser, _start(app, "x@acme.example")))

    assert response.status_code == 403
    assert _signed_in(app) is None


def test_a_member_of_another_partner_is_refused(oidc):
    acme = PartnerFactory()
    MembershipFactory(user__email="eve@acme.example", partner=PartnerFactory())
    _configure(partner=acme)
    app = Client()
    browser = _idp_browser({"email": "eve@acme.example"})

    response = _callback(app, _authorize(browser, _start(app, "eve@acme.example")))

    assert response.status_code == 403
    assert _signed_in(app) is None


def test_staff_idp_signs_in_invited_staff_only_and_mfa_is_trusted_only_when_ticked(oidc, settings):
    settings.PRM_MFA_REQUIRED_FOR_STAFF = True
    config = _configure(domains="vendor.example", trust_idp_mfa=False)
    staff = UserFactory(email="cm@vendor.example", vendor_role=VendorRole.CHANNEL_MANAGER)

    # Not invited: the staff IdP creates nobody.
    app = Client()
    stranger = _idp_browser({"email": "new@vendor.example", "amr": ["pwd", "mfa"]})
    _callback(app, _authorize(stranger, _start(app, "new@vendor.example")))
    assert _signed_in(app) is None
    assert not User.objects.filter(email="new@vendor.example").exists()

    # Invited: signed in; the IdP's MFA is not trusted, so the TOTP requirement stands.
    browser = _idp_browser({"email": "cm@vendor.example", "amr": ["pwd", "mfa"]})
    _callback(app, _authorize(browser, _start(app, "cm@vendor.example")))
    assert _signed_in(app) == staff
    assert SSO_MFA_SESSION_KEY not in app.session
    assert "/accounts/2fa/totp/activate" in app.get("/manage/dashboard/")["Location"]

    # Trusted, but the token says no second factor: still required.
    config.trust_idp_mfa = True
    config.save(update_fields=["trust_idp_mfa"])
    app = Client()
    weak = _idp_browser({"email": "cm@vendor.example", "amr": ["pwd"]})
    _callback(app, _authorize(weak, _start(app, "cm@vendor.example")))
    assert _signed_in(app) == staff
    assert "/accounts/2fa/totp/activate" in app.get("/manage/dashboard/")["Location"]

    # Trusted and amr names a second factor: the requirement is met for this session.
    app = Client()
    _callback(app, _authorize(browser, _start(app, "cm@vendor.example")))
    assert app.session[SSO_MFA_SESSION_KEY] == config.social_app.provider_id
    assert app.get("/manage/dashboard/").status_code == 200


def test_sso_required_refuses_password_login_and_reset(oidc, mailoutbox):
    acme = PartnerFactory()
    _configure(partner=acme, sso_required=True)
    MembershipFactory(user__email="pat@acme.example", partner=acme)
    # A member under another address: governed by the partner's IdP all the same.
    outside = MembershipFactory(user__email="pat@gmail.example", partner=acme).user
    app = Client()

    for email in ("pat@acme.example", outside.email):
        response = app.post("/accounts/login/", {"login": email, "password": PASSWORD})
        assert response.status_code == 200
        assert "Sign in with your company account" in response.content.decode()
        assert "Acme IdP" in response.content.decode()
        assert _signed_in(app) is None

    response = app.post("/accounts/password/reset/", {"email": "pat@acme.example"})
    assert response.status_code == 200 and "Acme IdP" in response.content.decode()
    app.post("/accounts/password/reset/", {"email": outside.email})
    assert mailoutbox == []
    # Without the requirement the same people may use their password.
    acme.identity_provider.sso_required = False
    acme.identity_provider.save(update_fields=["sso_required"])
    app.post("/accounts/login/", {"login": outside.email, "password": PASSWORD})
    assert _signed_in(app) == outside


def test_an_address_no_idp_serves_is_told_to_use_a_password(oidc):
    _configure(partner=PartnerFactory())
    login = Client().get("/accounts/login/").content.decode()
    assert "Sign in with your company account" in login
    assert "Acme IdP" not in login  # identity providers are never listed
    response = Client().post("/accounts/company/", {"email": "someone@elsewhere.example"})
    assert response.status_code == 400
    assert "password" in response.content.decode()


# --- Refusals: PRM's verification of what the IdP sent ---------------------------------------------


@pytest.fixture
def acme_sign_in(oidc):
    acme = PartnerFactory()
    _configure(partner=acme)
    return _idp_browser({"email": "ana@acme.example"})


def _refused(app: Client, response, caplog, cause: str) -> None:
    """allauth's authentication error page (401), nobody signed in or created, for ``cause``."""
    assert response.status_code == 401, response.status_code
    assert _signed_in(app) is None
    assert not User.objects.filter(email="ana@acme.example").exists()
    refusals = [r.getMessage() for r in caplog.records if r.name == "accounts.sso"]
    assert len(refusals) == 1 and cause in refusals[0], refusals


def _sign_in(browser) -> tuple[Client, object]:
    app = Client()
    return app, _callback(app, _authorize(browser, _start(app, "ana@acme.example")))


def test_a_token_signed_with_another_key_is_refused(acme_sign_in, caplog):
    idp.MISCHIEF["rogue_key"] = jwk.JWK.generate(kty="RSA", size=2048)
    _refused(*_sign_in(acme_sign_in), caplog, "InvalidSignatureError")


def test_a_token_for_another_audience_is_refused(acme_sign_in, caplog):
    idp.MISCHIEF["aud"] = "some-other-client"
    _refused(*_sign_in(acme_sign_in), caplog, "InvalidAudienceError")


def test_an_expired_token_is_refused(acme_sign_in, settings, caplog):
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ID_TOKEN_EXPIRE_SECONDS": -120}
    _refused(*_sign_in(acme_sign_in), caplog, "ExpiredSignatureError")


def test_a_replayed_callback_is_refused(acme_sign_in, caplog):
    """The same code and state a second time (e.g. from a leaked URL) sign nobody in: the state
    was used up by the first sign-in."""
    app, first = _sign_in(acme_sign_in)
    assert first.status_code == 302 and _signed_in(app) is not None
    callback = first.wsgi_request.get_full_path()
    app.logout()
    caplog.clear()
    response = app.get(callback)
    assert response.status_code == 401
    assert _signed_in(app) is None
    refusals = [r.getMessage() for r in caplog.records if r.name == "accounts.sso"]
    assert len(refusals) == 1 and "state" in refusals[0].lower(), refusals


def test_a_replayed_nonce_is_refused(acme_sign_in):
    """A token minted for an earlier sign-in's nonce, delivered into a new sign-in (its own state
    and PKCE, so only the nonce gives it away), is refused."""
    app = Client()
    first = parse_qs(urlsplit(_start(app, "ana@acme.example")).query)
    second_url = _start(app, "ana@acme.example")
    second = parse_qs(urlsplit(second_url).query)
    assert first["nonce"] != second["nonce"]
    replayed = second_url.replace(second["nonce"][0], first["nonce"][0])

    response = _callback(app, _authorize(acme_sign_in, replayed))

    assert response.status_code == 403
    assert "did not match this sign-in" in response.content.decode()
    assert _signed_in(app) is None
    assert not User.objects.filter(email="ana@acme.example").exists()


def test_a_partner_not_taking_members_gets_nobody_new_and_next_stays_on_site(oidc):
    applicant = PartnerFactory(status=PartnerStatus.APPLICANT)
    _configure(partner=applicant)
    browser = _idp_browser({"email": "new@acme.example"})
    app = Client()

    response = _callback(app, _authorize(browser, _start(app, "new@acme.example")))

    assert response.status_code == 403
    assert "not taking new members" in response.content.decode()
    assert _signed_in(app) is None
    assert not User.objects.filter(email="new@acme.example").exists()

    # Once onboarding, the same person gets in, and an off-site ``next`` is dropped.
    applicant.status = PartnerStatus.ONBOARDING
    applicant.joined_at = timezone.now()
    applicant.save(update_fields=["status", "joined_at"])
    start = app.post("/accounts/company/?next=https://evil.example/", {"email": "new@acme.example"})
    response = _callback(app, _authorize(browser, start["Location"]))
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    assert _signed_in(app).membership.partner == applicant
    app.logout()
    start = app.post("/accounts/company/?next=/settings/profile/", {"email": "new@acme.example"})
    response = _callback(app, _authorize(browser, start["Location"]))
    assert response["Location"] == "/settings/profile/"


def test_a_removed_member_is_not_signed_in_again(oidc):
    """A removed colleague (deactivated) whom the IdP still knows gets allauth's inactive page:
    no sign-in, and no second account."""
    acme = PartnerFactory()
    _configure(partner=acme)
    MembershipFactory(user__email="gone@acme.example", user__is_active=False, partner=acme)
    browser = _idp_browser({"email": "gone@acme.example"})
    app = Client()

    response = _callback(app, _authorize(browser, _start(app, "gone@acme.example")))

    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    assert _signed_in(app) is None
    assert User.objects.filter(email__endswith="@acme.example").count() == 1


def test_signing_out_also_signs_out_of_the_oidc_idp_when_ticked(oidc):
    """PRM's sign-out sends the browser to the issuer's end_session_endpoint (from discovery)
    with the client id and PRM's sign-in page to come back to; the IdP accepts the request."""
    config = _configure(partner=PartnerFactory(), idp_sign_out=True)
    browser = _idp_browser({"email": "ana@acme.example"})
    app = Client()
    _callback(app, _authorize(browser, _start(app, "ana@acme.example")))
    assert _signed_in(app) is not None

    response = app.post("/accounts/logout/")

    assert response.status_code == 302 and _signed_in(app) is None
    location = response["Location"]
    assert location.startswith(f"{_live_url()}/idp/logout/?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == ["prm-client"]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/accounts/login/"]
    at_idp = browser.get(location, allow_redirects=False, timeout=10)
    assert at_idp.status_code in (200, 302), at_idp.text[:500]  # DOT: 400 for a bad request
    # Not ticked: PRM's sign-in page.
    config.idp_sign_out = False
    config.save(update_fields=["idp_sign_out"])
    _callback(app, _authorize(browser, _start(app, "ana@acme.example")))
    assert app.post("/accounts/logout/")["Location"] == "/accounts/login/"
