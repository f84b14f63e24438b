"""Single sign-on through company identity providers (issue 23), without accounts knowing whose.

Accounts holds the allauth glue: the OpenID Connect provider with strict id-token checks
(``accounts.oidc``), the social-account adapter (``accounts.adapters.SocialAccountAdapter``), the
"Sign in with your company account" page, password login and reset refused where SSO is
required, and the MFA rule. Which identity provider serves which email address, and what a new
user from it joins, is a higher floor's: partners keeps the providers (per partner, and one for
vendor staff) and registers a ``SsoDirectory`` here from its ``AppConfig.ready()``. With nothing
registered there is no single sign-on and everybody uses a password.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kernel.registry import Registry

# Set on the session when the login came from an IdP the admin trusts for MFA and its id token's
# ``amr`` claim names a second factor: the staff MFA requirement (accounts.middleware) is met.
SSO_MFA_SESSION_KEY = "prm_sso_mfa"
# ``amr`` values (RFC 8176) that count as a second factor.
MFA_AMR_VALUES = frozenset({"mfa", "otp", "hwk"})
# SAML: the assertion's AuthnContextClassRef values that count as a second factor (docs/sso.md):
# Microsoft Entra ID / AD FS after MFA, the REFEDS MFA profile, and the SAML 2.0 classes that are
# two-factor by definition. PasswordProtectedTransport, Password, X509 etc. do not count.
MFA_AUTHN_CONTEXTS = frozenset(
    {
        "http://schemas.microsoft.com/claims/multipleauthn",
        "https://refeds.org/profile/mfa",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
    }
)
# Set on the session at every company sign-in (accounts.adapters): which IdP, when (a Unix time),
# and what its single logout needs (SAML NameID and SessionIndex). accounts.middleware ends the
# session after the IdP's maximum session; the account adapter's logout signs out of the IdP.
SSO_PROVIDER_SESSION_KEY = "prm_sso_provider"
SSO_AT_SESSION_KEY = "prm_sso_at"
SSO_LOGOUT_SESSION_KEY = "prm_sso_logout"
OIDC_PROTOCOL = "oidc"
SAML_PROTOCOL = "saml"


@dataclass(frozen=True)
class SsoRoute:
    """One configured identity provider as accounts sees it.

    ``provider_id``: the allauth ``SocialApp.provider_id`` people are sent to. ``staff``: the vendor
    staff's IdP (else a partner's). ``domains``: the email domains it vouches for; an identity
    asserting any other domain is refused. ``provision(user)``: just-in-time membership for a new
    user (a partner IdP: join that partner with the default role); None: no JIT (staff)."""

    provider_id: str
    name: str
    staff: bool
    domains: tuple[str, ...]
    sso_required: bool = False
    trust_idp_mfa: bool = False
    protocol: str = OIDC_PROTOCOL
    max_session_hours: int | None = None
    idp_sign_out: bool = False
    provision: Callable[[Any], Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SsoDirectory:
    """``for_email(email)``: the active route serving that address's domain, else None.
    ``for_provider(provider_id)``: the active route of that SocialApp, else None.
    ``for_user(user)``: the route governing an existing account (its partner's, or the staff
    one for vendor staff), else None."""

    for_email: Callable[[str], SsoRoute | None]
    for_provider: Callable[[str], SsoRoute | None]
    for_user: Callable[[Any], SsoRoute | None]


directories: Registry[SsoDirectory] = Registry("single sign-on directory")


def email_domain(email: str) -> str:
    return (email or "").rpartition("@")[2].strip().lower()


def _first(method: str, arg) -> SsoRoute | None:
    for _key, directory in directories.items():
        route = getattr(directory, method)(arg)
        if route is not None:
            return route
    return None


def route_for_email(email: str) -> SsoRoute | None:
    return _first("for_email", email) if email_domain(email) else None


def route_for_provider(provider_id: str) -> SsoRoute | None:
    return _first("for_provider", provider_id)


def route_for_user(user) -> SsoRoute | None:
    return _first("for_user", user) if user is not None and user.pk else None


def password_refused_route(*, email: str = "", user=None) -> SsoRoute | None:
    """The SSO-required route that forbids a password for this address or account, else None."""
    for route in (route_for_email(email) if email else None, route_for_user(user)):
        if route is not None and route.sso_required:
            return route
    return None


def authn_context_has_mfa(class_refs) -> bool:
    return any(str(value).strip() in MFA_AUTHN_CONTEXTS for value in class_refs or [])


def amr_has_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return any(str(value).lower() in MFA_AMR_VALUES for value in amr)
