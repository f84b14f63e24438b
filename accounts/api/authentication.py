"""``Authorization: Bearer prm_<prefix>_<secret>``: a personal API token (accounts.ApiToken)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import selectors, services
from accounts.middleware import MFA_REQUIRED_CODE


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token contains invalid characters.") from exc
        token = selectors.api_token_authenticate(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if selectors.user_must_set_up_mfa(token.user):
            # The token stays; it works again once its owner has set up two-factor auth.
            # The body names the reason as the session API's 403 does (accounts.middleware).
            raise exceptions.AuthenticationFailed(
                {
                    "detail": _(
                        "This token belongs to vendor staff without two-factor authentication. "
                        "Set up an authenticator app in PRM (Account → Two-factor "
                        "authentication); the token then works again."
                    ),
                    "code": MFA_REQUIRED_CODE,
                }
            )
        services.api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token created on Settings → API tokens "
            "(prm_<prefix>_<secret>). Read-scope tokens may only use safe methods.",
        }
