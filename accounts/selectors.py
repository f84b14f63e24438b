"""Reads of accounts data scoped to the requesting user."""

import hashlib
import hmac

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import ApiToken, User

TOKEN_PREFIX = "prm"  # noqa: S105  # nosec B105 - public marker (prm_<prefix>_<secret>)


def api_token_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def api_token_get_for_user(*, user: User, pk: int) -> ApiToken:
    token = api_token_list_for_user(user=user).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token.")
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token of an active user matching ``raw`` (``prm_<prefix>_<secret>``), else None.
    The secret is compared in constant time against the stored hash."""
    parts = raw.split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if not hmac.compare_digest(token.secret_hash, api_token_secret_hash(parts[2])):
        return None
    return token


def user_must_set_up_mfa(user) -> bool:
    """The one staff-MFA rule (setting ``PRM_MFA_REQUIRED_FOR_STAFF``): True when ``user`` is
    vendor staff (channel manager, vendor admin or Django staff) without a TOTP authenticator
    while the rule is on. Such a user may set one up and log out, nothing else: every way in
    asks this (pages and the session API in ``accounts.middleware``, API tokens in
    ``accounts.api.authentication``, token creation in ``accounts.services.api_token_create``)."""
    if not settings.PRM_MFA_REQUIRED_FOR_STAFF:
        return False
    if not (user.is_authenticated and (user.is_staff or user.is_channel_manager)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
