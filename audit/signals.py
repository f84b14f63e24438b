"""Where audit rows come from: Django's and allauth's auth signals, metrics events of team and
partner changes, API token saves, and the admin's own change log. No view calls the audit log."""

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.choices import VendorRole
from accounts.signals import staff_invited
from audit.choices import AuditAction
from audit.context import current_request
from audit.models import AuditEntry
from audit.services import audit_record, audit_record_many
from events.choices import EventKind
from kernel import setup_log

User = get_user_model()

EVENT_ACTIONS = {
    EventKind.USER_INVITED: AuditAction.MEMBER_INVITED,
    EventKind.USER_JOINED: AuditAction.MEMBER_JOINED,
    EventKind.USER_ROLE_CHANGED: AuditAction.MEMBER_ROLE_CHANGED,
    EventKind.USER_REMOVED: AuditAction.MEMBER_REMOVED,
    EventKind.PARTNER_OWNER_CHANGED: AuditAction.PARTNER_OWNER_CHANGED,
    EventKind.PARTNER_STATUS_CHANGED: AuditAction.PARTNER_STATUS_CHANGED,
    EventKind.TIER_CHANGED: AuditAction.TIER_CHANGED,
}
STAFF_FIELDS = ("vendor_role", "is_staff", "is_superuser", "is_active")


@receiver(user_logged_in, dispatch_uid="audit.login")
def on_login(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in ``credentials``; only the typed login is kept.
    typed = credentials.get("email") or credentials.get("username") or credentials.get("login")
    audit_record(
        action=AuditAction.LOGIN_FAILED, actor_email=str(typed or "")[:254], request=request
    )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, target=user, request=request)


@receiver(password_changed, dispatch_uid="audit.password_changed")
def on_password_changed(sender, request, user, **kwargs):
    audit_record(action=AuditAction.PASSWORD_CHANGED, actor=user, target=user, request=request)


@receiver(password_reset, dispatch_uid="audit.password_reset")
def on_password_reset(sender, request, user, **kwargs):
    audit_record(action=AuditAction.PASSWORD_RESET, actor=user, target=user, request=request)


def _mfa(action):
    def handler(sender, request, user, authenticator=None, **kwargs):
        kind = getattr(authenticator, "type", "") if authenticator is not None else ""
        audit_record(action=action, actor=user, target=user, details={"type": kind})

    return handler


authenticator_added.connect(_mfa(AuditAction.MFA_ADDED), dispatch_uid="audit.mfa_added", weak=False)
authenticator_removed.connect(
    _mfa(AuditAction.MFA_REMOVED), dispatch_uid="audit.mfa_removed", weak=False
)
authenticator_reset.connect(_mfa(AuditAction.MFA_RESET), dispatch_uid="audit.mfa_reset", weak=False)


def on_events(events) -> None:
    """Team and partner changes arrive as their events (the ``audit.events`` consumer, registered
    in ``audit.apps`` for the kinds of ``EVENT_ACTIONS``): in the recording transaction, in its own
    savepoint, so an audit failure never undoes the change (the catch-up writes the rows later).
    A batch (e.g. the nightly tier evaluation) becomes one INSERT: a constant number of queries."""
    relevant = [e for e in events if e.kind in EVENT_ACTIONS]
    if not relevant:
        return
    ids = {e.user_id for e in relevant if e.user_id}
    emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email")) if ids else {}
    audit_record_many(
        [
            AuditEntry(
                at=event.occurred_at or timezone.now(),
                action=EVENT_ACTIONS[event.kind],
                actor_id=event.user_id,
                actor_email=emails.get(event.user_id, ""),
                partner_id=event.partner_id,
                target_type=event.subject_type[:64],
                target_id=str(event.subject_id)[:64],
                details=event.properties,
            )
            for event in relevant
        ]
    )


@receiver(post_save, sender="accounts.ApiToken", dispatch_uid="audit.api_token")
def on_api_token(sender, instance, created, update_fields=None, **kwargs):
    if created:
        action = AuditAction.TOKEN_CREATED
    elif update_fields and "revoked_at" in update_fields and instance.revoked_at is not None:
        action = AuditAction.TOKEN_REVOKED
    else:
        return  # "last used" updates are not security events
    audit_record(
        action=action,
        actor=instance.user,
        target=instance,
        target_repr=f"{instance.name} ({instance.prefix})",  # the prefix only, never the secret
        details={"scope": instance.scope},
    )


@receiver(pre_save, sender=User, dispatch_uid="audit.staff_before")
def remember_staff_flags(sender, instance, update_fields=None, **kwargs):
    if not instance.pk or (update_fields and not set(update_fields) & set(STAFF_FIELDS)):
        return  # new users, and saves that touch none of the flags (e.g. last_login)
    before = sender.objects.filter(pk=instance.pk).values(*STAFF_FIELDS).first()
    instance._audit_staff_before = before


@receiver(post_save, sender=User, dispatch_uid="audit.staff_after")
def on_staff_flags(sender, instance, created, **kwargs):
    before = instance.__dict__.pop("_audit_staff_before", None)
    if not before:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in STAFF_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        audit_record(
            action=AuditAction.STAFF_ROLE_CHANGED,
            actor=_current_user(),
            target=instance,
            details=changes,
        )


@receiver(staff_invited, dispatch_uid="audit.staff_invited")
def on_staff_invited(sender, actor, user, role, resent, **kwargs):
    """Who invited whom, with which role (and whether it was a resending): in the invitation's
    transaction, so a refused or rolled-back invitation leaves no entry."""
    details = {"role": str(VendorRole(role).label) if role in VendorRole.values else role}
    if resent:
        details["resent"] = True
    audit_record(action=AuditAction.STAFF_INVITED, actor=actor, target=user, details=details)


def _current_user():
    request = current_request.get()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@receiver(post_save, sender=LogEntry, dispatch_uid="audit.admin")
def on_admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    flag = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "")
    setup = setup_log.parse(instance.change_message)
    if setup is not None:  # a setup page's change: who, what, each field before and after
        audit_record(
            action=AuditAction.SETUP_CHANGE,
            actor=instance.user,
            target_type=instance.content_type.model if instance.content_type_id else "",
            target_id=instance.object_id or "",
            target_repr=instance.object_repr,
            details={
                "flag": flag,
                "summary": str(setup.get("setup", ""))[:300],
                "before": setup.get("before") or {},
                "after": setup.get("after") or {},
            },
        )
        return
    audit_record(
        action=AuditAction.ADMIN_CHANGE,
        actor=instance.user,
        target_type=instance.content_type.model if instance.content_type_id else "",
        target_id=instance.object_id or "",
        target_repr=instance.object_repr,
        details={
            "flag": flag,
            "message": instance.get_change_message()[:500],
        },
    )
