"""A real OpenID Connect identity provider inside the test process: django-oauth-toolkit with OIDC
on, mounted only by ``tests/sso/urls.py`` under ``/idp/`` and served by pytest-django's
``live_server`` (so PRM fetches its discovery document, keys, token and userinfo over HTTP).

The IdP signs id tokens with RS256 (a key generated per test session). Who a signed-in IdP
account *is* (email, name, amr) is set per test in ``IDENTITIES``; ``MISCHIEF`` makes it
misbehave the way an attacker or a broken IdP would: sign with a key it does not publish, or
address the token to another client. Verification on PRM's side is never mocked.
"""

from __future__ import annotations

import json

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

IDENTITIES: dict[int, dict] = {}  # IdP account pk -> claims (email, name, amr, ...)
MISCHIEF: dict[str, object] = {}  # "rogue_key": a JWK to sign with; "aud": another audience


def rsa_pem() -> str:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode()


class IdPValidator(OAuth2Validator):
    # amr (how the person authenticated, RFC 8176) goes into every id token; so does a mischievous
    # audience (toolkit drops claims whose scope it does not know).
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "amr": "openid", "aud": "openid"}

    def get_additional_claims(self, request):
        claims = dict(IDENTITIES.get(request.user.pk, {}))
        if "aud" in MISCHIEF:
            claims["aud"] = MISCHIEF["aud"]  # replaces the client id oauthlib put there
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        serialized = super().finalize_id_token(id_token, token, token_handler, request)
        rogue = MISCHIEF.get("rogue_key")
        if rogue is None:
            return serialized
        # The same header (the published key's kid) and claims, signed with a key nobody published.
        genuine = jwt.JWT(jwt=serialized, key=request.client.jwk_key)
        forged = jwt.JWT(header=genuine.token.jose_header, claims=json.loads(genuine.claims))
        forged.make_signed_token(rogue)
        return forged.serialize()
