"""Writes of accounts data: the personal profile and personal API tokens."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TokenScope
from accounts.models import ApiToken, User
from accounts.profile import normalize_phone
from accounts.selectors import TOKEN_PREFIX, api_token_secret_hash, user_must_set_up_mfa

PROFILE_FIELDS = ("full_name", "job_title", "phone", "time_zone", "language")
MAX_ACTIVE_TOKENS = 20
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per token per minute


class TokenError(Exception):
    """A refused token operation; the message is shown to the user as is."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once; never stored


@transaction.atomic
def user_profile_update(
    *,
    user: User,
    full_name: str,
    job_title: str = "",
    phone: str = "",
    time_zone: str = "",
    language: str = "",
) -> User:
    """Set the person's own profile. Every field is validated by the model's validators (phone,
    a known time zone, a configured language); a name is required, since it replaces the email
    address wherever the person is shown. Raises ValidationError (by field) and saves nothing
    when any value is refused."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.full_name = " ".join((full_name or "").split())
    user.job_title = " ".join((job_title or "").split())
    user.phone = normalize_phone(phone)
    user.time_zone = (time_zone or "").strip()
    user.language = (language or "").strip()
    if not user.full_name:
        raise ValidationError({"full_name": _("Enter your name.")})
    exclude = [f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS]
    user.clean_fields(exclude=exclude)
    user.save(update_fields=list(PROFILE_FIELDS))
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str = TokenScope.READ) -> IssuedToken:
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, e.g. the system that will use it.")
    if scope not in TokenScope.values:
        raise TokenError("Choose the read or write scope.")
    if user_must_set_up_mfa(user):
        raise TokenError(
            _("Vendor staff must set up two-factor authentication before creating API tokens.")
        )
    # lock the user's row so two concurrent creations cannot both pass the limit
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise TokenError(f"You already have {MAX_ACTIVE_TOKENS} tokens; revoke one first.")
    secret = secrets.token_urlsafe(32).replace("_", "-")
    prefix = secrets.token_hex(6)
    token = ApiToken.objects.create(
        user=user,
        name=name[:80],
        prefix=prefix,
        secret_hash=api_token_secret_hash(secret),
        scope=scope,
    )
    return IssuedToken(token=token, raw=f"{TOKEN_PREFIX}_{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now=None) -> None:
    """Record that the token was used; skipped when it was recorded within the last minute."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
