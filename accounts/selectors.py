"""Reads of accounts data scoped to the requesting user."""

import hashlib
import hmac

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.choices import VendorRole
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


# --- Vendor staff ---------------------------------------------------------------------------------

STAFF = Q(vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]) | Q(is_superuser=True)
ACTIVE_ADMINS = Q(is_active=True) & (Q(vendor_role=VendorRole.ADMIN) | Q(is_superuser=True))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def staff_list() -> QuerySet[User]:
    """Vendor staff (channel managers and vendor admins, active or not), by name, each annotated
    with ``has_totp`` (a TOTP authenticator is set up: what ``user_must_set_up_mfa`` asks) and
    ``invited`` (never signed in and no password yet: an invitation not taken up) and ``is_admin``
    (a vendor admin, by role or as a superuser). One query."""
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return (
        User.objects.filter(STAFF)
        .annotate(
            has_totp=Exists(totp),
            invited=_flag(
                Q(last_login__isnull=True, password__startswith=UNUSABLE_PASSWORD_PREFIX)
            ),
            is_admin=_flag(Q(vendor_role=VendorRole.ADMIN) | Q(is_superuser=True)),
        )
        .order_by("full_name", "email")
    )


def staff_get(*, pk: int) -> User:
    """One vendor staff member; 404 for anybody else (partner users are not managed here)."""
    user = User.objects.filter(STAFF, pk=pk).first()
    if user is None:
        raise Http404("No such staff member.")
    return user


def staff_active_admin_count() -> int:
    return User.objects.filter(ACTIVE_ADMINS).count()
