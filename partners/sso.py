"""Company identity providers (issue 23): their setup (vendor admins, audited) and the directory
accounts asks at sign-in (``accounts.sso``, registered from ``PartnersConfig.ready``).

Each ``IdentityProvider`` is a partner's own (matched by the email domains the admin lists) or
the vendor staff's (one). Its OpenID Connect endpoint, client id, secret and scopes are written to
an allauth ``SocialApp`` (provider ``openid_connect``, a generated ``provider_id`` that names the
redirect URI) in the same transaction, so allauth reads its provider from the database and no
adapter has to assemble one per request. The secret is stored only there and never shown back
(the page and the audit log show its last four characters).

Just-in-time provisioning: a new person from a partner's IdP joins that partner with the default
role (``MemberRole.USER``) through ``services.membership_add`` (``user.joined`` with via "sso"),
only while the partner is onboarding or active. The staff IdP creates nobody: vendor staff are
invited on the staff page first (their invitation is an account, which then signs in by SSO).
"""

from __future__ import annotations

import re
from functools import partial
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from accounts.sso import SsoDirectory, SsoRoute, email_domain
from kernel.setup_log import ADDED, CHANGED, DELETED, log_setup_change
from partners.choices import MemberRole, PartnerStatus, SsoProtocol
from partners.models import MAX_SSO_SESSION_HOURS, IdentityProvider, Partner, PartnerMembership
from partners.sso_saml import saml_settings, saml_snapshot, sp_urls

OIDC = "openid_connect"
SAML = "saml"
DEFAULT_SCOPES = "openid email profile"
MAX_DOMAINS = 20
MAX_SCOPES = 10
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SCOPE_RE = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
JIT_STATUSES = {PartnerStatus.ONBOARDING, PartnerStatus.ACTIVE}


# --- Reading ---------------------------------------------------------------------------------------


def identity_provider_list():
    return IdentityProvider.objects.select_related("partner", "social_app").order_by(
        "partner__name", "name"
    )


def redirect_path(idp: IdentityProvider) -> str:
    """The path of the redirect URI to register at the IdP (prefix it with the site's URL)."""
    from django.urls import reverse

    return reverse("openid_connect_callback", kwargs={"provider_id": idp.social_app.provider_id})


def service_provider_info(idp: IdentityProvider) -> dict[str, str]:
    """What the IdP's admin registers: the OIDC redirect URI, or SAML's SP entity id, ACS URL,
    single logout URL and metadata URL (full URLs from SITE_URL)."""
    from django.conf import settings

    if idp.protocol == SsoProtocol.SAML:
        return sp_urls(idp.social_app.provider_id, idp.social_app.settings)
    return {"redirect_uri": settings.SITE_URL.rstrip("/") + redirect_path(idp)}


def secret_hint(secret: str) -> str:
    return f"…{secret[-4:]}" if len(secret) >= 8 else ("…" if secret else "")


def _snapshot(idp: IdentityProvider, app: SocialApp) -> dict:
    common = {
        "name": idp.name,
        "partner": idp.partner.name if idp.partner_id else None,
        "protocol": idp.protocol,
        "domains": " ".join(idp.domain_list),
        "sso_required": idp.sso_required,
        "trust_idp_mfa": idp.trust_idp_mfa,
        "max_session_hours": idp.max_session_hours,
        "idp_sign_out": idp.idp_sign_out,
        "is_active": idp.is_active,
    }
    if idp.protocol == SsoProtocol.SAML:
        return {**common, **saml_snapshot(app.settings or {})}
    return {
        **common,
        "server_url": app.settings.get("server_url", ""),
        "client_id": app.client_id,
        "client_secret": secret_hint(app.secret),
        "scopes": " ".join(app.settings.get("scope", [])),
    }


# --- Validation ------------------------------------------------------------------------------------


def clean_domains(text: str, *, exclude_pk: int | None = None) -> list[str]:
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not DOMAIN_RE.match(domain):
            raise ValidationError({"domains": _("%(d)s is not a domain name.") % {"d": domain}})
        if domain not in domains:
            domains.append(domain)
    if not domains:
        raise ValidationError({"domains": _("List at least one email domain.")})
    if len(domains) > MAX_DOMAINS:
        raise ValidationError({"domains": _("List at most %(n)d domains.") % {"n": MAX_DOMAINS}})
    others = IdentityProvider.objects.exclude(pk=exclude_pk).select_related("partner")
    for other in others:
        taken = set(domains) & set(other.domain_list)
        if taken:
            raise ValidationError(
                {
                    "domains": _("%(d)s is already signed in by %(idp)s.")
                    % {"d": sorted(taken)[0], "idp": other.name}
                }
            )
    return domains


def clean_server_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    loopback = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if not parts.hostname or (parts.scheme != "https" and not loopback):
        raise ValidationError(
            {"server_url": _("Give the issuer's https:// address (http only for localhost).")}
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError({"server_url": _("Give the issuer's address without a query.")})
    return url.rstrip("/")


def clean_scopes(text: str) -> list[str]:
    scopes: list[str] = []
    for scope in (text or "").split():
        if not SCOPE_RE.match(scope):
            raise ValidationError({"scopes": _("%(s)s is not a scope.") % {"s": scope[:64]}})
        if scope not in scopes:
            scopes.append(scope)
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    if "email" not in scopes:
        scopes.append("email")
    if len(scopes) > MAX_SCOPES:
        raise ValidationError({"scopes": _("Ask for at most %(n)d scopes.") % {"n": MAX_SCOPES}})
    return scopes


# --- Writing ---------------------------------------------------------------------------------------


def _refuse_staff_lockout(*, actor, idp: IdentityProvider, app: SocialApp, data: dict) -> None:
    """Requiring SSO of every vendor staff member (admins too) through an IdP nobody has signed
    in with could lock every admin out: the acting admin must have signed in through it once."""
    if data.get("partner") is not None or not data.get("sso_required") or idp.sso_required:
        return
    used = (
        app.pk is not None
        and SocialAccount.objects.filter(user=actor, provider=app.provider_id).exists()
    )
    if not used:
        raise ValidationError(
            {
                "sso_required": _(
                    "Sign in through this identity provider yourself first (Sign in with your "
                    "company account), so a wrong setting cannot lock every admin out."
                )
            }
        )


def _apply(idp: IdentityProvider, app: SocialApp, data: dict, *, actor) -> None:
    _refuse_staff_lockout(actor=actor, idp=idp, app=app, data=data)
    partner = data.get("partner")
    if (
        partner is None
        and IdentityProvider.objects.filter(partner__isnull=True).exclude(pk=idp.pk).exists()
    ):
        raise ValidationError({"partner": _("There is already an identity provider for staff.")})
    if (
        partner is not None
        and IdentityProvider.objects.filter(partner=partner).exclude(pk=idp.pk).exists()
    ):
        raise ValidationError({"partner": _("This partner already has an identity provider.")})
    if partner is not None and data.get("trust_idp_mfa"):
        raise ValidationError(
            {"trust_idp_mfa": _("Only the vendor staff's identity provider can vouch for MFA.")}
        )
    name = " ".join((data.get("name") or "").split())[:120]
    if not name:
        raise ValidationError({"name": _("Give the identity provider a name.")})
    protocol = data.get("protocol") or SsoProtocol.OIDC
    if protocol not in SsoProtocol.values:
        raise ValidationError({"protocol": _("Choose OpenID Connect or SAML 2.0.")})
    if app.pk is not None and protocol != idp.protocol:
        # Accounts signed in through it are keyed by its provider and protocol.
        raise ValidationError(
            {"protocol": _("The protocol cannot change: add a new identity provider instead.")}
        )
    hours = data.get("max_session_hours")
    if hours is not None and not 1 <= int(hours) <= MAX_SSO_SESSION_HOURS:
        raise ValidationError(
            {
                "max_session_hours": _("Give between 1 and %(n)d hours, or leave it empty.")
                % {"n": MAX_SSO_SESSION_HOURS}
            }
        )
    idp.partner = partner
    idp.name = name
    idp.protocol = protocol
    idp.domains = "\n".join(clean_domains(data.get("domains", ""), exclude_pk=idp.pk))
    idp.sso_required = bool(data.get("sso_required"))
    idp.trust_idp_mfa = bool(data.get("trust_idp_mfa"))
    idp.is_active = bool(data.get("is_active", True))
    idp.max_session_hours = int(hours) if hours is not None else None
    idp.idp_sign_out = bool(data.get("idp_sign_out"))
    app.name = name
    if protocol == SsoProtocol.SAML:
        # allauth finds a SAML app by its client id (the URL's "organization slug").
        app.provider = SAML
        app.client_id = app.provider_id
        app.secret = ""  # nosec B105 - SAML has no client secret: empty, not a password
        app.settings = saml_settings(
            data, provider_id=app.provider_id, before=app.settings, draft=not idp.is_active
        )
        return
    client_id = (data.get("client_id") or "").strip()
    if not client_id or len(client_id) > 191:
        raise ValidationError({"client_id": _("Give the client ID the IdP issued.")})
    secret = (data.get("client_secret") or "").strip()
    if len(secret) > 191:
        raise ValidationError({"client_secret": _("This secret is too long.")})
    if not secret and not app.secret:
        raise ValidationError({"client_secret": _("Give the client secret the IdP issued.")})
    app.provider = OIDC
    app.client_id = client_id
    if secret:
        app.secret = secret
    app.settings = {
        "server_url": clean_server_url(data.get("server_url", "")),
        "scope": clean_scopes(data.get("scopes") or DEFAULT_SCOPES),
    }


@transaction.atomic
def identity_provider_create(*, actor, data: dict) -> IdentityProvider:
    idp = IdentityProvider()
    app = SocialApp(provider_id=f"idp-{get_random_string(10, 'abcdefghijkmnpqrstuvwxyz23456789')}")
    _apply(idp, app, data, actor=actor)
    app.save()
    idp.social_app = app
    idp.save()
    log_setup_change(
        actor=actor, obj=idp, action=ADDED, after=_snapshot(idp, app),
        summary=_("Identity provider added"),
    )  # fmt: skip
    return idp


@transaction.atomic
def identity_provider_update(*, actor, idp: IdentityProvider, data: dict) -> IdentityProvider:
    idp = (
        IdentityProvider.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=idp.pk)
    )
    app = SocialApp.objects.select_for_update().get(pk=idp.social_app_id)
    before = _snapshot(idp, app)
    _apply(idp, app, data, actor=actor)
    app.save()
    idp.save()
    log_setup_change(
        actor=actor, obj=idp, action=CHANGED, before=before, after=_snapshot(idp, app),
        summary=_("Identity provider edited"),
    )  # fmt: skip
    return idp


@transaction.atomic
def identity_provider_delete(*, actor, idp: IdentityProvider) -> None:
    idp = (
        IdentityProvider.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=idp.pk)
    )
    app = SocialApp.objects.get(pk=idp.social_app_id)
    log_setup_change(
        actor=actor, obj=idp, action=DELETED, before=_snapshot(idp, app),
        summary=_("Identity provider deleted"),
    )  # fmt: skip
    idp.delete()
    app.delete()


# --- The directory accounts asks -------------------------------------------------------------------


def provision(user, *, partner_id: int) -> PartnerMembership:
    """Just-in-time: a new person from the partner's IdP joins it with the default role."""
    from partners.services import JOINED_VIA_SSO, PartnerError, membership_add

    partner = Partner.objects.select_for_update().get(pk=partner_id)
    if partner.status not in JIT_STATUSES:
        raise ValidationError(_("Your company's partner account is not taking new members."))
    try:
        return membership_add(partner=partner, user=user, role=MemberRole.USER, via=JOINED_VIA_SSO)
    except PartnerError as exc:
        raise ValidationError(str(exc)) from exc


def _route(idp: IdentityProvider | None) -> SsoRoute | None:
    if idp is None or not idp.is_active:
        return None
    return SsoRoute(
        provider_id=idp.social_app.provider_id,
        name=idp.name,
        staff=idp.for_staff,
        domains=tuple(idp.domain_list),
        sso_required=idp.sso_required,
        trust_idp_mfa=idp.for_staff and idp.trust_idp_mfa,
        protocol=idp.protocol,
        max_session_hours=idp.max_session_hours,
        idp_sign_out=idp.idp_sign_out,
        provision=None if idp.for_staff else partial(provision, partner_id=idp.partner_id),
    )


def _active():
    return IdentityProvider.objects.filter(is_active=True).select_related("social_app")


def route_for_email(email: str) -> SsoRoute | None:
    domain = email_domain(email)
    if not domain:
        return None
    for idp in _active().filter(domains__icontains=domain):
        if domain in idp.domain_list:
            return _route(idp)
    return None


def route_for_provider(provider_id: str) -> SsoRoute | None:
    return _route(_active().filter(social_app__provider_id=provider_id).first())


def route_for_user(user) -> SsoRoute | None:
    if user.vendor_role:
        return _route(_active().filter(partner__isnull=True).first())
    return _route(_active().filter(partner__memberships__user=user).first())


directory = SsoDirectory(
    for_email=route_for_email, for_provider=route_for_provider, for_user=route_for_user
)
