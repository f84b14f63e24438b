"""The vendor staff's partner list (``/manage/``): its GET parameters, read and checked in one
place, and the filtered, sorted queryset they give (``partners.selectors.
partner_list_for_manager_home``; the bulk actions' "all matching" and the exports use the same).

Parameters (docs/partner-list.md): ``program``, ``type``, ``tier`` (ids), ``region``,
``country`` (ISO code), ``status``, ``owner`` (a staff id, ``me`` or ``none``), ``joined_from``
/ ``joined_to`` (YYYY-MM-DD, inclusive), ``certification`` (id), ``step`` (a checklist step
key) with ``step_state=done|not``, ``score_min`` / ``score_max`` (0 to 100), ``at_risk``
(``1``/``0``), ``offering`` (slug) with ``offering_state=adopted|not``, ``figure`` with ``figure_key``,
``since`` and ``until`` (the partners behind a dashboard figure), ``q`` (name or domain),
``sort`` (a column, ``-`` for descending), ``page``, ``scope`` (``mine``/``all``).

A bad value is reported (``PartnerListQuery.errors``) and ignored, never a server error. The
filters on facts a feature or metrics own (certification, step, score, at-risk, offering, figure) come
from ``partners.readers.partner_list_filters``: the core imports no feature app.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.choices import VendorRole
from accounts.models import User
from kernel.bounds import validate_filter_date
from partners import list_choices
from partners.choices import PartnerStatus, Region
from partners.models import Partner, PartnerType, Program, Tier
from partners.readers import FigureRef, partner_list_filters

#: Every parameter the list reads, in the order a query string is written.
PARAMS = (
    "scope", "q", "program", "type", "tier", "region", "country", "status", "owner",
    "joined_from", "joined_to", "certification", "step", "step_state", "score_min", "score_max",
    "at_risk", "offering", "offering_state", "figure", "figure_key", "since", "until", "sort",
)  # fmt: skip

#: The columns one may sort by: parameter value -> the model fields (ascending).
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name",),
    "program": ("program__name",),
    "type": ("partner_type__name",),
    "tier": ("tier__rank", "tier__name"),
    "status": ("status",),
    "region": ("region",),
    "country": ("country",),
    "joined": ("joined_at",),
    "activated": ("activated_at",),
    "owner": ("owner__full_name",),
}
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]
Q_MAX_LENGTH = 100
YES, NO = "1", "0"
TRUTHY, FALSY = {"1", "yes", "true", "on"}, {"0", "no", "false", "off"}


_COUNTRIES: dict[str, list[tuple[str, str]]] = {}


def country_choices() -> list[tuple[str, str]]:
    """Every country, named in the current language (sorted once per language: translating
    and sorting 250 names costs more than the list's queries)."""
    language = get_language() or ""
    if language not in _COUNTRIES:
        _COUNTRIES[language] = [(code, str(name)) for code, name in countries]
    return _COUNTRIES[language]


def _choice_lists() -> dict[str, list[tuple[Any, str]]]:
    """The choices read from the database (cached by ``partners.list_choices``): programs,
    types, tiers, the staff who may own partners, and the registered filters' lists."""
    staff = User.objects.filter(
        is_active=True, vendor_role__in=[VendorRole.CHANNEL_MANAGER, VendorRole.ADMIN]
    )
    lists: dict[str, list[tuple[Any, str]]] = {
        "program": [(p.pk, p.name) for p in Program.objects.order_by("name")],
        "type": [(t.pk, t.name) for t in PartnerType.objects.order_by("name")],
        "tier": [
            (t.pk, f"{t.program.name} · {t.name}")
            for t in Tier.objects.select_related("program").order_by("program__name", "rank")
        ],
        "owner": [(str(u.pk), u.display_name) for u in staff.order_by("full_name", "email")],
    }
    for name in ("certification", "step", "offering", "figure"):
        if name in partner_list_filters:
            lists[name] = [(v, str(t)) for v, t in partner_list_filters.get(name).choices()]
    return lists


class PartnerListForm(forms.Form):
    """Reads the list's GET parameters. Choice lists are loaded once (a bounded number of
    queries); an unknown value is a field error, which the list reports and ignores."""

    scope = forms.ChoiceField(required=False, choices=[("mine", "mine"), ("all", "all")])
    q = forms.CharField(required=False, max_length=Q_MAX_LENGTH, strip=True)
    program = forms.TypedChoiceField(required=False, coerce=int, label=_("Program"))
    type = forms.TypedChoiceField(required=False, coerce=int, label=_("Type"))
    tier = forms.TypedChoiceField(required=False, coerce=int, label=_("Tier"))
    region = forms.ChoiceField(required=False, label=_("Region"))
    country = forms.ChoiceField(required=False, label=_("Country"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    owner = forms.ChoiceField(required=False, label=_("Owner"))
    joined_from = forms.DateField(
        required=False, label=_("Joined from"), validators=[validate_filter_date]
    )
    joined_to = forms.DateField(
        required=False, label=_("Joined to"), validators=[validate_filter_date]
    )
    certification = forms.ChoiceField(required=False, label=_("Certification held"))
    step = forms.ChoiceField(required=False, label=_("Activation step"))
    step_state = forms.ChoiceField(
        required=False, choices=[("done", _("done")), ("not", _("not done"))]
    )
    score_min = forms.FloatField(
        required=False, min_value=0, max_value=100, label=_("Adoption score from")
    )
    score_max = forms.FloatField(
        required=False, min_value=0, max_value=100, label=_("Adoption score to")
    )
    at_risk = forms.CharField(required=False, label=_("At risk"))
    offering = forms.ChoiceField(required=False, label=_("Offering"))
    offering_state = forms.ChoiceField(
        required=False, choices=[("adopted", _("adopted")), ("not", _("not adopted"))]
    )
    figure = forms.ChoiceField(required=False, label=_("Figure"))
    figure_key = forms.CharField(required=False, max_length=120, strip=True)
    since = forms.DateField(required=False, label=_("Since"), validators=[validate_filter_date])
    until = forms.DateField(required=False, label=_("Until"), validators=[validate_filter_date])
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, label=_("Sort"))

    def __init__(self, data, *, user: User):
        super().__init__(data)
        blank = [("", "—")]
        lists = list_choices.cached(_choice_lists)
        self.fields["program"].choices = blank + lists["program"]
        self.fields["type"].choices = blank + lists["type"]
        self.fields["tier"].choices = blank + lists["tier"]
        self.fields["region"].choices = blank + list(Region.choices)
        self.fields["country"].choices = blank + country_choices()
        self.fields["status"].choices = blank + list(PartnerStatus.choices)
        self.fields["owner"].choices = (
            blank + [("me", _("Me")), ("none", _("Unassigned"))] + lists["owner"]
        )
        for name in ("certification", "step", "offering", "figure"):
            if name in lists:
                self.fields[name].choices = blank + lists[name]
            else:  # the app that provides it is not installed
                del self.fields[name]
        for name in ("score_min", "score_max"):
            if "score" not in partner_list_filters:
                del self.fields[name]
        if "at_risk" not in partner_list_filters:
            del self.fields["at_risk"]

    def clean_at_risk(self):
        value = (self.cleaned_data.get("at_risk") or "").strip().lower()
        if not value:
            return ""
        if value in TRUTHY:
            return YES
        if value in FALSY:
            return NO
        raise forms.ValidationError(_("Use 1 (at risk) or 0 (not at risk)."), code="invalid")

    def clean(self):
        data = super().clean()
        start, end = data.get("joined_from"), data.get("joined_to")
        if start and end and start > end:
            self.add_error("joined_to", _("The end is before the start."))
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error("score_max", _("The highest score is below the lowest."))
        if data.get("figure") and not any(n in self.errors for n in FIGURE_PARAMS):
            check = partner_list_filters.get("figure").check
            try:
                check(value=figure_ref(data))
            except forms.ValidationError as error:
                self.add_error("figure", error)
        return data


#: The parameters naming a dashboard figure (``figure``: the partners behind it).
FIGURE_PARAMS = ("figure", "figure_key", "since", "until")


def figure_ref(values) -> FigureRef:
    """The figure named by ``values`` (cleaned dates, or the params' ISO strings)."""

    def day(value):
        return date.fromisoformat(value) if isinstance(value, str) else value

    return FigureRef(
        kind=values.get("figure") or "",
        key=values.get("figure_key") or "",
        since=day(values.get("since")),
        until=day(values.get("until")),
    )


@dataclass
class PartnerListQuery:
    """What the list shows: the valid parameters (``params``, as strings) and what was wrong
    with the others (``errors``: one readable line each)."""

    params: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    form: PartnerListForm | None = None

    @property
    def mine(self) -> bool:
        return self.params.get("scope") == "mine"

    @property
    def sort(self) -> str:
        return self.params.get("sort", "")

    @property
    def figure(self) -> str:
        """What the ``figure`` filter shows, in words ("" without one)."""
        if not self.params.get("figure"):
            return ""
        describe = partner_list_filters.get("figure").describe
        return describe(value=figure_ref(self.params))

    def querystring(self, *, exclude: tuple[str, ...] = (), **override: Any) -> str:
        """The list's query string with these parameters (``page`` is never kept)."""
        params = {k: v for k, v in self.params.items() if k not in exclude}
        params.update({k: str(v) for k, v in override.items() if v not in (None, "")})
        return urlencode([(k, params[k]) for k in PARAMS if k in params] + _extra(override))


def _extra(override: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in override.items() if k not in PARAMS and v not in (None, "")]


def parse_partner_list_query(data, *, user: User, default_scope: str = "all") -> PartnerListQuery:
    """Read the GET parameters ``data`` (a ``QueryDict`` or a dict). Valid values are kept (as
    the strings they were given in, normalized), bad ones are reported and dropped."""
    data = {k: data.get(k) for k in PARAMS if data.get(k) not in (None, "")}
    form = PartnerListForm(data, user=user)
    form.is_valid()
    params: dict[str, str] = {}
    for name in PARAMS:
        if name not in form.fields or name in form.errors:
            continue
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        params[name] = value.isoformat() if hasattr(value, "isoformat") else _plain(value)
    errors = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        shown = label or name
        errors.append(f"{shown} ({name}={data.get(name, '')!s:.40}): {' '.join(messages)}")
    if "scope" not in params:
        params["scope"] = "mine" if default_scope == "mine" else "all"
    if "step" not in params:
        params.pop("step_state", None)
    if "offering" not in params:
        params.pop("offering_state", None)
    if "figure" not in params or any(name in form.errors for name in FIGURE_PARAMS):
        for name in FIGURE_PARAMS:
            params.pop(name, None)
    return PartnerListQuery(params=params, errors=errors, form=form)


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply_partner_list_query(
    partners: QuerySet[Partner], params: dict[str, str], *, user: User
) -> QuerySet[Partner]:
    """``partners`` narrowed and ordered by the (already checked) ``params``."""
    p = params
    if p.get("q"):
        term = p["q"]
        partners = partners.filter(Q(name__icontains=term) | Q(domain__icontains=term.lower()))
    for param, column in (("program", "program_id"), ("type", "partner_type_id")):
        if p.get(param):
            partners = partners.filter(**{column: int(p[param])})
    if p.get("tier"):
        partners = partners.filter(tier_id=int(p["tier"]))
    for param in ("region", "country", "status"):
        if p.get(param):
            partners = partners.filter(**{param: p[param]})
    owner = p.get("owner")
    if owner == "me":
        partners = partners.filter(owner=user)
    elif owner == "none":
        partners = partners.filter(owner__isnull=True)
    elif owner:
        partners = partners.filter(owner_id=int(owner))
    if p.get("joined_from"):
        start = datetime.fromisoformat(p["joined_from"]).date()
        partners = partners.filter(joined_at__gte=_day_start(start))
    if p.get("joined_to"):
        end = datetime.fromisoformat(p["joined_to"]).date()
        partners = partners.filter(joined_at__lt=_day_start(end + timedelta(days=1)))
    if p.get("certification"):
        condition = partner_list_filters.get("certification").condition
        partners = partners.filter(condition(value=p["certification"]))
    if p.get("step"):
        condition = partner_list_filters.get("step").condition
        partners = partners.filter(condition(value=p["step"], state=p.get("step_state", "done")))
    if p.get("score_min") or p.get("score_max"):
        low = float(p["score_min"]) if p.get("score_min") else None
        high = float(p["score_max"]) if p.get("score_max") else None
        partners = partners.filter(partner_list_filters.get("score").condition(value=(low, high)))
    if p.get("at_risk"):
        condition = partner_list_filters.get("at_risk").condition
        partners = partners.filter(condition(value=p["at_risk"] == YES))
    if p.get("offering"):
        condition = partner_list_filters.get("offering").condition
        state = p.get("offering_state", "adopted")
        partners = partners.filter(condition(value=p["offering"], state=state))
    if p.get("figure"):
        condition = partner_list_filters.get("figure").condition
        partners = partners.filter(condition(value=figure_ref(p)))
    return partners.order_by(*ordering(p.get("sort", "")))


def ordering(sort: str) -> list:
    """The ORDER BY of a ``sort`` value; empty or unknown: newest joined first, applicants
    last. Ties go by id, so pages never repeat or skip a partner."""
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"))
    if not fields:
        return [F("joined_at").desc(nulls_last=True), "pk"]
    order = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    return [*order, "-pk" if descending else "pk"]


def owns_partners(user: User, *, request=None) -> bool:
    """Whether ``user`` owns at least one partner (one query). With ``request``, asked once per
    request: the partner list and the panels on it (stalled onboardings, deals to review) each
    open on "your partners" when you own any."""
    known = getattr(request, "_prm_owns_partners", None)
    if known is not None:
        return known
    owns = bool(user.is_authenticated and user.owned_partners.exists())
    if request is not None:
        request._prm_owns_partners = owns
    return owns


def default_scope(user: User, *, request=None) -> str:
    """The list opens on the partners you own when you own any, else on all of them."""
    return "mine" if owns_partners(user, request=request) else "all"


def list_query_for(request) -> PartnerListQuery:
    """The list's parameters of ``request`` (its GET)."""
    return parse_partner_list_query(
        request.GET, user=request.user, default_scope=default_scope(request.user, request=request)
    )
