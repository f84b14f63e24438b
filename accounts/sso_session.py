"""A session signed in through a company identity provider (issue 23, docs/sso.md): how long it
may last and how signing out reaches the IdP.

At every company sign-in the social-account adapter records on the session which IdP it was
(``SSO_PROVIDER_SESSION_KEY``), when (``SSO_AT_SESSION_KEY``, a Unix time) and, for SAML, the
NameID and SessionIndex single logout names (``SSO_LOGOUT_SESSION_KEY``).

- ``session_expired``: the IdP's "maximum session" (hours) has passed since that sign-in. Read
  on every request from the IdP's current setting (a shorter limit set later applies to sessions
  already open); an empty limit leaves the site's session length (SESSION_COOKIE_AGE) alone.
- ``idp_logout_url``: when the IdP is set to "sign out of the identity provider too", where PRM's
  sign-out sends the browser: the OpenID Connect ``end_session_endpoint`` from the issuer's
  discovery document (with ``client_id`` and ``post_logout_redirect_uri``), or a SAML
  LogoutRequest to the IdP's single logout URL (HTTP-Redirect, unsigned: PRM holds no SP key),
  which answers at allauth's ``saml_sls`` route. None when the IdP offers neither (PRM's own
  session still ends).
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from accounts.sso import (
    SAML_PROTOCOL,
    SSO_AT_SESSION_KEY,
    SSO_LOGOUT_SESSION_KEY,
    SSO_PROVIDER_SESSION_KEY,
    route_for_provider,
)

logger = logging.getLogger("accounts.sso")


def session_expired(request) -> bool:
    session = getattr(request, "session", None)
    provider_id = session.get(SSO_PROVIDER_SESSION_KEY) if session is not None else None
    if not provider_id:
        return False
    route = route_for_provider(provider_id)
    if route is None or not route.max_session_hours:
        return False
    signed_in_at = session.get(SSO_AT_SESSION_KEY) or 0
    return time.time() - signed_in_at >= route.max_session_hours * 3600


def _after_logout_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("account_login")


def _oidc_logout_url(request, route) -> str | None:
    from allauth.socialaccount.models import SocialApp

    from accounts.oidc.provider import StrictOIDCAdapter

    adapter = StrictOIDCAdapter(request, route.provider_id)
    endpoint = adapter.openid_config.get("end_session_endpoint")
    if not endpoint:
        return None
    app = SocialApp.objects.get(provider_id=route.provider_id)
    query = urlencode({"client_id": app.client_id, "post_logout_redirect_uri": _after_logout_url()})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _saml_logout_url(request, route) -> str | None:
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.providers.saml.utils import build_auth

    provider = get_adapter(request).get_provider(request, provider=route.provider_id)
    if not (provider.app.settings.get("idp") or {}).get("slo_url"):
        return None
    names = request.session.get(SSO_LOGOUT_SESSION_KEY) or {}
    auth = build_auth(request, provider)
    return auth.logout(
        return_to=_after_logout_url(),
        name_id=names.get("name_id"),
        name_id_format=names.get("name_id_format"),
        session_index=names.get("session_index"),
    )


def idp_logout_url(request) -> str | None:
    session = getattr(request, "session", None)
    provider_id = session.get(SSO_PROVIDER_SESSION_KEY) if session is not None else None
    if not provider_id:
        return None
    route = route_for_provider(provider_id)
    if route is None or not route.idp_sign_out:
        return None
    try:
        if route.protocol == SAML_PROTOCOL:
            return _saml_logout_url(request, route)
        return _oidc_logout_url(request, route)
    except Exception:
        logger.warning("Signing out of the IdP failed (provider %s)", provider_id, exc_info=True)
        return None
