"""Staff notices from the event log (registered in ``NotificationsConfig.ready``).

- ``application.submitted``: applications have no owner yet, so every active vendor admin and
  channel manager hears of a new one (a duplicate, flagged on arrival, says so).
- ``onboarding.stalled`` (the partner turned at risk): the owning manager already gets the
  onboarding's stalled email (so a notice); a partner with nobody owning it is told to the
  vendor admins, who assign owners.
- ``partner.at_risk`` (the partner turned at risk by the at-risk rules on a scores day:
  ``metrics.at_risk_store``): its owning manager hears of it, with the reasons; a partner nobody
  (active) owns is told to the vendor admins. Never a partner's person: the event is staff-only.

Each notice goes through the outbox like any email, so the person's preference applies (staff
notices default to in-app only, ``choices.DEFAULT_CHANNELS``). Safe to run twice: the keys.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import VendorRole
from events.choices import EventKind
from kernel.outbox import Email, emails_queue
from notifications.choices import APPLICATION_NEW, PARTNER_AT_RISK, PARTNER_TURNED_AT_RISK
from partners.models import Partner


def _url(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def _staff(*, admins_only: bool):
    roles = [VendorRole.ADMIN] if admins_only else [VendorRole.ADMIN, VendorRole.CHANNEL_MANAGER]
    return list(
        get_user_model()
        .objects.filter(Q(vendor_role__in=roles) | Q(is_superuser=True), is_active=True)
        .only("pk", "email")
    )


def on_events(events) -> None:
    emails: list[Email] = []
    applications = [e for e in events if e.kind == EventKind.APPLICATION_SUBMITTED]
    stalled = [e for e in events if e.kind == EventKind.PARTNER_STALLED and e.partner_id]
    if applications:
        staff = _staff(admins_only=False)
        for event in applications:
            application = event.properties.get("application")
            if not application:
                continue
            duplicate = bool(event.properties.get("duplicate"))
            for user in staff:
                emails.append(
                    Email(
                        key=f"notifications.application:{application}:{user.pk}",
                        to=[user.email],
                        subject=lambda duplicate=duplicate: (
                            _("New partner application (possible duplicate)")
                            if duplicate
                            else _("New partner application")
                        ),
                        template=APPLICATION_NEW,
                        context={
                            "url": _url("onboarding:application", application),
                            "duplicate": duplicate,
                            "country": event.properties.get("country", ""),
                        },
                    )
                )
    if stalled:
        partners = {
            p.pk: p
            for p in Partner.objects.filter(
                pk__in={e.partner_id for e in stalled}, owner__isnull=True
            ).only("pk", "name")
        }
        admins = _staff(admins_only=True) if partners else []
        for event in stalled:
            partner = partners.get(event.partner_id)
            if partner is None:
                continue  # owned: the owner gets the onboarding's stalled email
            for user in admins:
                emails.append(
                    Email(
                        key=f"notifications.at_risk:{event.pk}:{user.pk}",
                        to=[user.email],
                        subject=lambda name=partner.name: (
                            _("%(partner)s is at risk and has no owner") % {"partner": name}
                        ),
                        template=PARTNER_AT_RISK,
                        context={
                            "partner": partner,
                            "reason": event.properties.get("reason", ""),
                            "url": _url("partners:manager_partner", partner.pk),
                        },
                    )
                )
    emails += _turned_at_risk([e for e in events if e.kind == EventKind.PARTNER_AT_RISK])
    if emails:
        emails_queue(emails)


def _turned_at_risk(events) -> list[Email]:
    """One email (so one notice) per ``partner.at_risk`` event for its partner's owner, or each
    vendor admin when nobody active on the vendor's staff owns the partner."""
    ids = {int(e.properties.get("partner") or 0) for e in events} - {0}
    if not ids:
        return []
    partners = {
        p.pk: p
        for p in Partner.objects.filter(pk__in=ids)
        .select_related("owner")
        .only("pk", "name", "owner__email", "owner__is_active", "owner__vendor_role")
    }
    admins = None
    emails = []
    for event in events:
        partner = partners.get(int(event.properties.get("partner") or 0))
        if partner is None:
            continue  # deleted since
        owner = partner.owner
        if owner is not None and owner.is_active and owner.vendor_role:
            recipients, unowned = [owner], False
        else:
            if admins is None:
                admins = _staff(admins_only=True)
            recipients, unowned = admins, True
        for user in recipients:
            emails.append(
                Email(
                    key=f"notifications.turned_at_risk:{event.pk}:{user.pk}",
                    to=[user.email],
                    subject=lambda name=partner.name, unowned=unowned: (
                        (
                            _("%(partner)s turned at risk and has no owner")
                            if unowned
                            else _("%(partner)s turned at risk")
                        )
                        % {"partner": name}
                    ),
                    template=PARTNER_TURNED_AT_RISK,
                    context={
                        "partner": partner,
                        "reasons": list(event.properties.get("reasons") or []),
                        "unowned": unowned,
                        "url": _url("partners:manager_partner", partner.pk),
                    },
                )
            )
    return emails
