"""The dashboard's filters, read from the query string so a view can be shared or bookmarked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.choices import VendorRole
from accounts.models import User
from kernel.bounds import FILTER_FIRST
from partners.choices import Region
from partners.models import Offering, PartnerType, Program, Tier

MINE = "mine"
MAX_RANGE_DAYS = 3 * 366
EARLIEST = FILTER_FIRST  # kernel.bounds: the first day any filter may name


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class DashboardQuery:
    """What the dashboard shows: partner filters (as metrics.definitions takes them), the date
    range, and the previous range of the same length (for the KPI changes)."""

    filters: dict
    since: date
    until: date
    offering: Offering | None

    @property
    def previous(self) -> tuple[date, date]:
        length = self.until - self.since
        prev_until = self.since - timedelta(days=1)
        return prev_until - length, prev_until

    @cached_property
    def memo(self) -> dict:
        """What a page build derives from the query once and reuses (``console.dashboard``'s
        link prefix); not part of the query, its equality or its cache key."""
        return {}

    def cache_key(self) -> str:
        parts = [f"{k}={getattr(v, 'pk', v)}" for k, v in sorted(self.filters.items())]
        offering = self.offering.pk if self.offering else ""
        return "|".join([*parts, str(self.since), str(self.until), f"o={offering}"])


class _ListedChoices(ModelChoiceIterator):
    """A select's choices read once: the template's ``{% for %}`` asks for their number first,
    which a plain ``ModelChoiceIterator`` answers with a COUNT query before the SELECT."""

    def __len__(self):
        self._listed = list(super().__iter__())
        return len(self._listed)

    def __iter__(self):
        listed = getattr(self, "_listed", None)
        return iter(listed) if listed is not None else super().__iter__()


class _ModelChoiceField(forms.ModelChoiceField):
    iterator = _ListedChoices


class DashboardFilterForm(forms.Form):
    """Every field is optional; a bad value (unknown id, impossible date) is a form error that
    the view answers with 400 and the message, never a 500."""

    program = _ModelChoiceField(
        Program.objects.all(), required=False, empty_label=gettext_lazy("All")
    )
    partner_type = _ModelChoiceField(
        PartnerType.objects.all(),
        required=False,
        empty_label=gettext_lazy("All"),
        label=gettext_lazy("Partner type"),
    )
    tier = _ModelChoiceField(
        Tier.objects.select_related("program"), required=False, empty_label=gettext_lazy("All")
    )
    region = forms.ChoiceField(choices=[("", "All"), *Region.choices], required=False)
    owner = forms.ChoiceField(required=False, label=gettext_lazy("Owner"))
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"})
    )
    offering = _ModelChoiceField(
        Offering.objects.filter(is_active=True),
        required=False,
        empty_label=gettext_lazy("First launched"),
        label=gettext_lazy("Offering curve"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        managers = User.objects.filter(
            is_active=True, vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]
        ).order_by("full_name", "email")
        self.fields["owner"].choices = [
            ("", "Everyone's partners"),
            (MINE, "My partners"),
            *((str(m.pk), m.get_full_name() or m.email) for m in managers),
        ]
        self.today = timezone.now().date()
        for name in ("since", "until"):
            self.fields[name].widget.attrs["max"] = self.today.isoformat()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if "since" in self.errors or "until" in self.errors:
            return data
        until = until or self.today
        since = since or quarter_start(until)
        if until > self.today:
            self.add_error("until", "The range cannot end in the future.")
        elif since < EARLIEST:
            self.add_error("since", f"The range cannot start before {EARLIEST:%Y}.")
        elif since > until:
            self.add_error("since", "The start comes after the end.")
        elif (until - since).days > MAX_RANGE_DAYS:
            self.add_error("since", "Choose a range of at most three years.")
        tier, program = data.get("tier"), data.get("program")
        if tier and program and tier.program_id != program.pk:
            self.add_error("tier", "This tier belongs to another program.")
        data["since"], data["until"] = since, until
        return data

    def query(self) -> DashboardQuery:
        """The validated filters; call after ``is_valid()``."""
        data = self.cleaned_data
        filters = {k: data[k] for k in ("program", "partner_type", "tier") if data.get(k)}
        if data.get("region"):
            filters["region"] = data["region"]
        owner = data.get("owner")
        if owner == MINE:
            filters["owner"] = self.user.pk
        elif owner:
            filters["owner"] = int(owner)
        return DashboardQuery(
            filters=filters, since=data["since"], until=data["until"], offering=data.get("offering")
        )
