"""The vendor's manual tier decision: set a partner's tier with a reason, optionally pinned."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.choices import EventKind
from events.services import record_event
from partners.models import Partner, Tier
from tiers.choices import TierChangeKind
from tiers.models import TierHistory, TierStanding
from tiers.notify import notify_partners_on_commit


class TierError(Exception):
    """A refused tier operation; the message is shown to the user as is."""


@transaction.atomic
def tier_override(
    *,
    partner: Partner,
    tier: Tier,
    reason: str,
    actor: User,
    pinned_until: datetime | None = None,
    at: datetime | None = None,
) -> TierHistory:
    """Set ``partner``'s tier to ``tier`` because of ``reason`` (required).

    Any pending demotion warning is lifted. With ``pinned_until`` the nightly evaluation leaves
    the partner at this tier until then; without it the next evaluation applies the usual rules
    (promotion at once, demotion after a warning and the grace period). Setting the same tier
    again is how a pin is changed or removed. Records ``tier.overridden`` (and ``tier.changed``
    when the tier moves).
    """
    at = at or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise TierError("Say why the tier is overridden: the reason is kept in the tier history.")
    if len(reason) > 300:
        raise TierError("Keep the reason under 300 characters.")
    if pinned_until is not None and pinned_until <= at:
        raise TierError("A pin must end in the future.")
    partner = (
        Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
    )
    if tier.program_id != partner.program_id:
        raise TierError(f"The tier {tier.name} belongs to another program.")
    standing, _ = TierStanding.objects.select_for_update().get_or_create(partner=partner)
    previous = partner.tier
    if previous is None or previous.pk != tier.pk:
        partner.tier = tier
        partner.save(update_fields=["tier", "updated_at"])
    standing.below_since = standing.demote_after = standing.demote_to = None
    standing.pinned_until = pinned_until
    standing.override_reason = reason
    standing.updated_at = at
    standing.save()
    entry = TierHistory.objects.create(
        partner=partner,
        kind=TierChangeKind.OVERRIDE,
        from_tier=previous,
        to_tier=tier,
        reason=reason,
        actor=actor,
        at=at,
        pinned_until=pinned_until,
    )
    props = {
        "from": previous.name if previous else None,
        "to": tier.name,
        "cause": TierChangeKind.OVERRIDE,
        "pinned_until": pinned_until.isoformat() if pinned_until else None,
    }
    record_event(
        kind=EventKind.TIER_OVERRIDDEN,
        key=f"tier.overridden:{entry.pk}",
        partner=partner,
        user=actor,
        subject=partner,
        occurred_at=at,
        properties=props,
    )
    if previous is None or previous.pk != tier.pk:
        direction = "up" if previous is None or tier.rank > previous.rank else "down"
        record_event(
            kind=EventKind.TIER_CHANGED,
            key=f"tier.changed:{partner.pk}:override:{entry.pk}",
            partner=partner,
            user=actor,
            subject=partner,
            occurred_at=at,
            properties={**props, "direction": direction},
        )
        notify_partners_on_commit(
            [(partner.pk, TierChangeKind.OVERRIDE, previous, tier, reason)], at=at
        )
    return entry
