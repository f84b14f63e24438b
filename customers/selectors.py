"""Reads scoped to the user: vendor staff see every customer account; a partner's members see
their own partner's; anybody else nothing (an outsider's id is a 404)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import CharField, Count, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.utils import timezone

from customers.models import CustomerAccount, CustomerAccountDay, CustomerDayUser, SeatLicense
from partners.permissions import is_vendor_staff
from partners.selectors import membership_for_user

WINDOW_DAYS = 30
PANEL_ROWS = 10


def _partner_scope(user) -> dict | None:
    """Filter kwargs on ``partner`` for this user, or None (sees nothing)."""
    if is_vendor_staff(user):
        return {}
    membership = membership_for_user(user)
    if membership is None or not user.is_active:
        return None
    return {"partner_id": membership.partner_id}


def _seats_subquery():
    return Coalesce(
        Subquery(
            SeatLicense.objects.filter(account=OuterRef("pk"))
            .order_by()
            .values("account")
            .annotate(total=Sum("seats"))
            .values("total")[:1]
        ),
        0,
    )


def customer_account_list_for_user(*, user) -> QuerySet[CustomerAccount]:
    scope = _partner_scope(user)
    qs = CustomerAccount.objects.select_related("partner").annotate(
        licensed_seats=_seats_subquery()
    )
    return qs.none() if scope is None else qs.filter(**scope)


def customer_account_get_for_user(*, user, pk: int) -> CustomerAccount:
    account = customer_account_list_for_user(user=user).filter(pk=pk).first()
    if account is None:
        raise Http404("No such customer account.")
    return account


def seat_license_list_for_user(*, user) -> QuerySet[SeatLicense]:
    scope = _partner_scope(user)
    qs = SeatLicense.objects.select_related("account", "offering")
    if scope is None:
        return qs.none()
    return qs.filter(**{f"account__{k}": v for k, v in scope.items()})


def account_ids_by_external_id(*, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """``{(partner id, external id): account id}`` for the active accounts among ``pairs`` (the
    ingestion resolves a whole batch with one query)."""
    if not pairs:
        return {}
    rows = CustomerAccount.objects.filter(
        partner_id__in={p for p, _ in pairs},
        external_id__in={e for _, e in pairs},
        is_active=True,
    ).values_list("partner_id", "external_id", "pk")
    return {(p, e): pk for p, e, pk in rows if (p, e) in pairs}


# --- User adoption ------------------------------------------------------------------------------


@dataclass
class AdoptionRow:
    """One partner (program view) or one customer account (partner view)."""

    id: int
    name: str
    seats: int
    active_users: int  # distinct users active in the window
    daily_active_users: int  # on the last day of the window

    @property
    def adoption(self) -> float | None:
        """Percent of licensed seats used in the window (None without seats; may exceed 100)."""
        return None if not self.seats else round(100.0 * self.active_users / self.seats, 1)


@dataclass
class UserAdoption:
    as_of: date
    window_days: int
    seats: int = 0
    active_users: int = 0
    daily_active_users: int = 0
    accounts: int = 0
    rows: list[AdoptionRow] = field(default_factory=list)
    by: str = "partner"  # what a row is: "partner" or "account"

    @property
    def adoption(self) -> float | None:
        return None if not self.seats else round(100.0 * self.active_users / self.seats, 1)


def _window(as_of: date | None, window_days: int) -> tuple[date, date]:
    as_of = as_of or timezone.now().date()
    return as_of - timedelta(days=window_days - 1), as_of


def user_adoption_for_user(
    *,
    user,
    partner_id: int | None = None,
    as_of: date | None = None,
    window_days: int = WINDOW_DAYS,
    limit: int = PANEL_ROWS,
) -> UserAdoption | None:
    """User adoption (active users / licensed seats) as the user may see it: vendor staff the
    whole program by partner, or one partner by account (``partner_id``); a partner member their
    own partner by account. None when there is nothing the user may see. A fixed number of
    queries, whatever the number of partners or accounts."""
    scope = _partner_scope(user)
    if scope is None:
        return None
    if partner_id is not None:
        if scope and scope["partner_id"] != partner_id:
            return None
        scope = {"partner_id": partner_id}
    by = "account" if scope else "partner"
    start, end = _window(as_of, window_days)
    accounts = CustomerAccount.objects.filter(is_active=True, **scope)
    group = "account_id" if by == "account" else "account__partner_id"
    seats = dict(
        SeatLicense.objects.filter(account__in=accounts)
        .values_list(group)
        .annotate(n=Sum("seats"))
        .order_by()
    )
    active = _distinct_users(accounts, start, end, group)
    daily_group = "account_id" if by == "account" else "partner_id"
    daily = dict(
        CustomerAccountDay.objects.filter(account__in=accounts, day=end)
        .values_list(daily_group)
        .annotate(n=Sum("active_users"))
        .order_by()
    )
    if by == "account":
        names = dict(accounts.values_list("pk", "name"))
    else:
        names = dict(accounts.values_list("partner_id", "partner__name").distinct())
    rows = [
        AdoptionRow(
            id=key,
            name=names[key],
            seats=seats.get(key, 0),
            active_users=active.get(key, 0),
            daily_active_users=daily.get(key, 0),
        )
        for key in names
    ]
    rows.sort(key=lambda r: (-(r.adoption or -1), -r.seats, r.name))
    return UserAdoption(
        as_of=end,
        window_days=window_days,
        seats=sum(seats.values()),
        active_users=sum(active.values()),
        daily_active_users=sum(daily.values()),
        accounts=len(names) if by == "account" else accounts.count(),
        rows=rows[:limit],
        by=by,
    )


def _distinct_users(accounts, start: date, end: date, group: str) -> dict[int, int]:
    """Distinct (account, user) pairs active in [start, end], per group key, counted in the
    database. Users are counted per account: one external id at two accounts is two people."""
    pair = Concat(Cast("account_id", CharField()), Value(":"), "user", output_field=CharField())
    return dict(
        CustomerDayUser.objects.filter(account__in=accounts, day__gte=start, day__lte=end)
        .values_list(group)
        .annotate(n=Count(pair, distinct=True))
        .order_by()
    )


def user_adoption_daily(*, partner_id: int, as_of: date | None = None, days: int = 30) -> list:
    """[(day, daily active users)] of one partner (for a chart); caller checked access."""
    start, end = _window(as_of, days)
    rows = dict(
        CustomerAccountDay.objects.filter(partner_id=partner_id, day__gte=start, day__lte=end)
        .values_list("day")
        .annotate(n=Sum("active_users"))
        .order_by()
    )
    return [
        (start + timedelta(days=i), rows.get(start + timedelta(days=i), 0)) for i in range(days)
    ]
