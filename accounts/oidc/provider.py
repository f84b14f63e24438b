from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.utils.crypto import constant_time_compare, get_random_string

ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "ES256"})
NONCE_LENGTH = 32


class StrictOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """Verifies the id token's signature always, and its nonce against the sign-in's state."""

    def _decode_id_token(self, app, id_token):
        from allauth.core.internal.deferred import jwt

        try:
            alg = jwt.get_unverified_header(id_token).get("alg")
        except jwt.PyJWTError as exc:
            raise OAuth2Error("Invalid id_token") from exc
        if alg not in ALLOWED_ALGORITHMS:
            raise OAuth2Error(f"Refused id_token algorithm: {alg!r}")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class CompanyOIDCProvider(OpenIDConnectProvider):
    package = "accounts.oidc"  # its urls/views use the strict adapter
    oauth2_adapter_class = StrictOIDCAdapter
    pkce_enabled_default = True

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(NONCE_LENGTH)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


def nonce_matches(state: dict | None, id_token_claims: dict | None) -> bool:
    """The id token names the nonce this sign-in sent (kept in its one-use state)."""
    expected = (state or {}).get("nonce")
    got = (id_token_claims or {}).get("nonce")
    return bool(expected) and isinstance(got, str) and constant_time_compare(expected, got)
