"""Writes of accounts data: the personal profile, personal API tokens, and vendor staff (roles,
deactivation, invitations) managed by vendor admins.

Staff changes are audited without accounts importing the audit app: audit's receivers on the
User model record every change of ``vendor_role``, ``is_staff``, ``is_superuser`` and
``is_active`` with the signed-in actor. An invitation (and each resending) sends
``accounts.signals.staff_invited`` in its transaction: audit records who invited whom with which
role, and the event log records a ``staff.invited`` event (accounts is below both floors)."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import TokenScope, VendorRole
from accounts.models import ApiToken, User
from accounts.profile import normalize_phone, validate_language
from accounts.selectors import (
    ACTIVE_ADMINS,
    STAFF,
    TOKEN_PREFIX,
    api_token_secret_hash,
    user_must_set_up_mfa,
)
from accounts.signals import staff_invited
from kernel.outbox import email_queue

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
    weekly_digest: bool | None = None,
) -> User:
    """Set the person's own profile. Every field is validated by the model's validators (phone,
    a known time zone, a configured language); a name is required, since it replaces the email
    address wherever the person is shown. Raises ValidationError (by field) and saves nothing
    when any value is refused. ``weekly_digest`` (vendor staff's opt-out of the Monday digest):
    None leaves it as it is."""
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
    fields = list(PROFILE_FIELDS)
    if weekly_digest is not None:
        user.weekly_digest = bool(weekly_digest)
        fields.append("weekly_digest")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The switcher in the user menu: only the profile's language changes. Raises ValidationError
    for a language the product does not speak."""
    language = (language or "").strip()
    validate_language(language)
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
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


# --- Vendor staff ---------------------------------------------------------------------------------

STAFF_ROLES = (VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN)


class StaffError(Exception):
    """A refused staff change; the message is shown to the vendor admin as is."""


def _lock_staff(*, actor: User, user: User) -> tuple[User, User]:
    """Lock the acting admin, every active vendor admin (so two admins demoting each other at
    once cannot leave none) and the target; refuse actors who are no (longer) vendor admins."""
    list(User.objects.select_for_update().filter(ACTIVE_ADMINS).order_by("pk").values("pk"))
    actor = User.objects.select_for_update().get(pk=actor.pk)
    if not actor.is_vendor_admin:
        raise StaffError(_("Only vendor admins manage vendor staff."))
    target = User.objects.select_for_update().filter(STAFF, pk=user.pk).first()
    if target is None:
        raise StaffError(_("This person is not vendor staff."))
    return actor, target


def _is_last_active_admin(user: User) -> bool:
    return (
        user.is_vendor_admin and not User.objects.filter(ACTIVE_ADMINS).exclude(pk=user.pk).exists()
    )


def _set_role(user: User, role: str) -> None:
    """Vendor admins keep ``is_staff`` (channel managers do not), but the Django admin is for
    superusers only since issue 18 (prm/urls.py): vendor admins work in /manage/setup/. This page
    never grants ``is_superuser`` (that stays with ``createsuperuser`` and the Django admin), but a
    demotion takes it away: a superuser counts as a vendor admin wherever the product asks."""
    user.vendor_role = role
    user.is_staff = role == VendorRole.ADMIN
    if role != VendorRole.ADMIN:
        user.is_superuser = False


@transaction.atomic
def staff_change_role(*, actor: User, user: User, role: str) -> User:
    """Make ``user`` a channel manager or a vendor admin. Refused for one's own role, and for
    demoting the last active vendor admin."""
    if role not in STAFF_ROLES:
        raise StaffError(_("Choose channel manager or vendor admin."))
    actor, user = _lock_staff(actor=actor, user=user)
    current = (
        VendorRole.ADMIN
        if user.vendor_role == VendorRole.ADMIN or user.is_superuser
        else VendorRole.CHANNEL_MANAGER
    )
    if role == current:
        return user
    if role != VendorRole.ADMIN and _is_last_active_admin(user):
        raise StaffError(
            _("%(name)s is the last active vendor admin.") % {"name": user.display_name}
        )
    if user.pk == actor.pk:
        raise StaffError(_("You cannot change your own role; ask another vendor admin."))
    _set_role(user, role)
    user.save(update_fields=["vendor_role", "is_staff", "is_superuser"])
    return user


@transaction.atomic
def staff_deactivate(*, actor: User, user: User) -> User:
    """Deactivate ``user``: they can no longer sign in, and their sessions and API tokens stop
    working (both check ``is_active``). Refused for oneself and the last active vendor admin."""
    actor, user = _lock_staff(actor=actor, user=user)
    if _is_last_active_admin(user):
        raise StaffError(
            _("%(name)s is the last active vendor admin.") % {"name": user.display_name}
        )
    if user.pk == actor.pk:
        raise StaffError(_("You cannot deactivate yourself; ask another vendor admin."))
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def staff_reactivate(*, actor: User, user: User) -> User:
    actor, user = _lock_staff(actor=actor, user=user)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def staff_set_password_url(*, user: User) -> str:
    """allauth's password-reset link for ``user``: it works until the password changes (so once),
    within ``PASSWORD_RESET_TIMEOUT``."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def _queue_invitation(*, actor: User, user: User, key: str) -> None:
    email_queue(
        key=key,
        to=[user.email],
        subject=lambda: _("You are invited to %(site)s") % {"site": settings.SITE_NAME},
        template="staff_invitation",
        context={
            "invited_by": actor,
            "user": user,
            "role": user.get_vendor_role_display(),
            "url": staff_set_password_url(user=user),
            "days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
        },
        secret=True,
    )


@transaction.atomic
def staff_invite(*, actor: User, email: str, full_name: str, role: str) -> User:
    """Invite a new staff member: an account with the role and no password yet, and an email
    with a link to set one (allauth's password reset). They then sign in like anybody else
    (confirming the address, and setting up MFA where staff must). An address that already has
    an account is refused: vendor admins may know that."""
    email = User.objects.normalize_email((email or "").strip()).lower()
    full_name = " ".join((full_name or "").split())
    try:
        validate_email(email)
    except ValidationError as exc:
        raise StaffError(_("Enter a valid email address.")) from exc
    if not full_name:
        raise StaffError(_("Enter the person's name."))
    if role not in STAFF_ROLES:
        raise StaffError(_("Choose channel manager or vendor admin."))
    actor = User.objects.select_for_update().get(pk=actor.pk)
    if not actor.is_vendor_admin:
        raise StaffError(_("Only vendor admins manage vendor staff."))
    if User.objects.filter(email__iexact=email).exists():
        raise StaffError(_("%(email)s already has an account.") % {"email": email})
    user = User(email=email, full_name=full_name[:150])
    _set_role(user, role)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    key = f"accounts.staff_invitation:{user.pk}"
    _queue_invitation(actor=actor, user=user, key=key)
    staff_invited.send(sender=User, actor=actor, user=user, role=role, resent=False, key=key)
    return user


@transaction.atomic
def staff_resend_invitation(*, actor: User, user: User) -> User:
    """Send the invitation again (a fresh link) to staff who have not taken it up yet: no
    password and never signed in. Refused for anybody else, who can reset their password."""
    actor, user = _lock_staff(actor=actor, user=user)
    if user.has_usable_password() or user.last_login is not None:
        raise StaffError(
            _("%(name)s has already accepted the invitation.") % {"name": user.display_name}
        )
    if not user.is_active:
        raise StaffError(_("Reactivate %(name)s first.") % {"name": user.display_name})
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    key = f"accounts.staff_invitation:{user.pk}:{stamp}"
    _queue_invitation(actor=actor, user=user, key=key)
    staff_invited.send(
        sender=User, actor=actor, user=user, role=user.vendor_role, resent=True, key=key
    )
    return user
