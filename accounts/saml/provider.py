"""allauth's SAML 2.0 provider with replayed assertions refused (issue 23, docs/sso.md).

allauth verifies a response with python3-saml in strict mode (signature against the IdP's
certificate, audience, destination, NotBefore/NotOnOrAfter with python3-saml's clock drift,
issuer) and checks InResponseTo by finding the sign-in this browser started (its stashed state,
one use). It keeps no record of assertions already used: this provider remembers each accepted
assertion's ID in the shared cache until the assertion expires and refuses it a second time.
It also keeps what PRM needs beside the attributes: the address as the mapping reads it, the
AuthnContextClassRef (MFA, accounts.sso.MFA_AUTHN_CONTEXTS) and the NameID and SessionIndex for
single logout. The class replaces allauth's through ``SOCIALACCOUNT_PROVIDERS["saml"]
["provider_class"]``; URLs and names stay allauth's.
"""

import logging
import time

from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger("accounts.sso")
# A response without a NotOnOrAfter (python3-saml requires one in strict mode) is remembered
# this long; the cache keeps an ID at least this long anyway.
MIN_REPLAY_SECONDS = 600
CLOCK_DRIFT_SECONDS = 300  # python3-saml's ALLOWED_CLOCK_DRIFT


def _replay_key(provider_id: str, assertion_id: str) -> str:
    return f"prm:saml-assertion:{provider_id}:{assertion_id}"


class CompanySAMLProvider(SAMLProvider):
    package = "accounts.saml"

    def sociallogin_from_response(self, request, response):
        from accounts.adapters import refusal

        assertion_id = response.get_last_assertion_id() or response.get_last_message_id()
        expires = response.get_last_assertion_not_on_or_after() or 0
        ttl = max(int(expires - time.time()) + CLOCK_DRIFT_SECONDS, MIN_REPLAY_SECONDS)
        if not assertion_id or not cache.add(
            _replay_key(self.sub_id, assertion_id), 1, timeout=ttl
        ):
            logger.warning(
                "Company sign-in refused (provider %s): replayed SAML assertion %s",
                self.sub_id,
                assertion_id,
            )
            raise refusal(
                request,
                _("This sign-in answer was already used: sign in again from the start."),
            )
        return super().sociallogin_from_response(request, response)

    def extract_extra_data(self, data):
        return {
            "attributes": data.get_attributes(),
            "email": str(self._extract(data).get("email") or "").lower(),
            "authn_contexts": list(data.get_last_authn_contexts() or []),
            "name_id": data.get_nameid(),
            "name_id_format": data.get_nameid_format(),
            "session_index": data.get_session_index(),
        }
