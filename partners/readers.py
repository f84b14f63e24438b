"""Readers: what a feature app knows about partners, read by another floor without importing the
feature (issue 17). The registries sit here, below the features, so both sides can import them:
the feature registers its readers from ``AppConfig.ready()`` and the reader looks them up by key
(``kernel.registry.Registry``: a key nobody registered fails with the keys that are known).

``readers``: the feature facts metric definitions use (``metrics.definitions``), registered by
onboarding (``onboarding/readers.py``), deals (``deals/readers.py``) and incentives
(``incentives/readers.py``), and by metrics for a feature: ``metrics.adoption_scores`` (the
latest adoption score, ``metrics/readers.py``), which leads' routing reads. Keys are
``<app>.<fact>``. The contract of a reader:

- keyword-only arguments. A data reader takes ``partners``, an **unevaluated** ``Partner``
  queryset (the metric's filters), which it uses as a subquery (``partner__in=partners``) so the
  filters and the fact are one SQL query; other arguments are the reader's own (a date range as
  timezone-aware ``start`` inclusive / ``end`` exclusive, a ``limit``).
- it returns plain data: numbers, datetimes, strings, dicts keyed by partner id, lists of dicts;
  never the feature's model instances or querysets, so the metric cannot reach its internals.
- it runs exactly one query (the metric's query counts are its readers' counts).
- when ``partners`` is every partner (``every_partner``: no filter) and every row the reader
  counts has a partner by a database constraint (a non-null foreign key), it may leave out the
  subquery: the same rows, without joining the whole partner table (the unfiltered dashboard).
- an *expression reader* (its docstring says so) takes no ``partners``: it returns a query
  expression over the outer ``Partner`` row (``OuterRef("pk")``) that the metric annotates on
  its own ``Partner`` queryset, for a fact the metric combines with partner columns in the same
  query (joined to first deal). It runs no query itself.
- a *choices reader* (``deals.stages``) takes nothing and returns the feature's constant
  choices, ``[(value, label), ...]``, that a metric must name (to check a drill-down's key). No
  query.

``step_subjects``: the objects an onboarding checklist step can name (a course, a
certification), registered by enablement under the step kind, read by onboarding's step
validation (``onboarding.models``). See ``StepSubjectReader``. ``step_subject_choices``: the same
objects listed for the checklist builder's picker (``StepSubjectLister``).

``usage_accounts``: how an ingested product-usage event names a customer account, registered by
customers under ``"customers"``, read by the event ingestion (``ingestion.services``). See
``UsageAccounts``.

``course_referrers`` / ``certification_referrers``: who else names a course or a certification
(an onboarding checklist step, a tier requirement), so enablement's setup pages refuse to archive
or delete one still in use. Registered by onboarding and tiers, read by enablement
(``enablement.selectors.setup``). See ``ReferenceReader``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kernel.registry import Registry

# --- Metric readers -------------------------------------------------------------------------------
#: A data reader (``reader(partners=..., **options)``) or an expression reader (``reader(**options)``).
MetricReader = Callable[..., Any]

readers: Registry[MetricReader] = Registry("metric reader")


def every_partner(partners) -> bool:
    """Whether the ``Partner`` queryset ``partners`` is every partner: no condition, no slice, no
    combination (``partners_matching()`` without filters). No query."""
    query = partners.query
    return (
        partners.model._meta.label == "partners.Partner"
        and not query.where
        and not query.is_sliced
        and not query.combinator
    )


# --- Checklist step subjects ----------------------------------------------------------------------
@dataclass(frozen=True)
class StepSubject:
    """What a checklist step names, as its validation needs it."""

    pk: int
    name: str
    published: bool  # False: partners cannot complete it (a draft)
    # Whether the partners of the template's audience can see it (None: no audience was given
    # or the subject is not published, so it was not checked).
    open_to_audience: bool | None = None
    # Where a partner works on it (a course's page), '' when there is no such page; a checklist
    # step that names the subject links there.
    url: str = ""


class StepSubjectReader(Protocol):
    def __call__(
        self, reference: str, *, audience: dict[str, Any] | None = None
    ) -> StepSubject | None:
        """The object named by ``reference`` (its id or slug, drafts included), None when
        nothing has that name. With ``audience`` (``program_id``, ``partner_type_id``, ``tier``;
        a None value does not narrow) and a published object, also whether partners of that
        audience can see it. One query to find, two more for the audience."""
        ...


step_subjects: Registry[StepSubjectReader] = Registry("checklist step subject")


class StepSubjectLister(Protocol):
    def __call__(self, *, audience: dict[str, Any] | None = None) -> list[StepSubject]:
        """What a step of this kind may name, for the checklist builder's picker: the published
        objects open to ``audience`` (as for ``StepSubjectReader``; None: every published one),
        ordered by name, ``open_to_audience`` set when an audience was given. One query."""
        ...


#: The choosable subjects of a step kind, registered by the same app under the same key as its
#: ``step_subjects`` reader.
step_subject_choices: Registry[StepSubjectLister] = Registry("checklist step subject list")


# --- Customer accounts named by ingested usage ----------------------------------------------------
@dataclass(frozen=True)
class UsageAccounts:
    """How an ingested product-usage event names one of a partner's customer accounts."""

    subject_type: str  # ``Event.subject_type`` of such an event (its subject id: the account id)
    account_property: str  # ``Event.properties`` key holding the account's external id
    user_property: str  # ``Event.properties`` key holding the customer's user (external id)
    # ``ids_by_external_id(pairs={(partner id, external id), ...})``: ``{pair: account id}`` for
    # the active accounts among ``pairs``; one query for a whole batch, none for no pairs.
    ids_by_external_id: Callable[..., dict[tuple[int, str], int]]


usage_accounts: Registry[UsageAccounts] = Registry("usage account resolver")


# --- References to enablement content -----------------------------------------------------------
#: ``reader(pk)``: one readable, translated line per reference to the object (e.g. ``Checklist
#: “Standard” step “Finish the basics”``); an empty list when nothing names it. One query or two.
ReferenceReader = Callable[[int], list[str]]

course_referrers: Registry[ReferenceReader] = Registry("course reference reader")
certification_referrers: Registry[ReferenceReader] = Registry("certification reference reader")


def references_to(registry: Registry[ReferenceReader], pk: int) -> list[str]:
    """Every registered reader's references to ``pk``, in registration order."""
    found: list[str] = []
    for _key, reader in registry.items():
        found.extend(reader(pk))
    return found


# --- Filters of the vendor staff's partner list ---------------------------------------------------
@dataclass(frozen=True)
class PartnerListFilter:
    """A filter of the partner list (``/manage/``, ``partners.list_query``) on a fact a feature
    or metrics owns: enablement registers ``certification``, onboarding ``step``, metrics
    ``score``, ``at_risk``, ``offering`` and ``figure`` (a ``FigureRef``: the partners behind a
    dashboard figure) (from their ``AppConfig.ready()``).

    ``choices()``: the values a user may pick, ``[(value, label), ...]`` (one query, or none);
    empty for a filter without a fixed list. ``condition(value=..., state=...)``: a ``Q`` over
    ``Partner`` that keeps the partners matching (``state``: the filter's second parameter,
    e.g. ``"done"``/``"not"`` for a step, ``"adopted"``/``"not"`` for an offering; ``None`` when it
    has none). It should be a subquery (``Exists``/``pk__in``) so the list stays one query; a
    filter that cannot be expressed in SQL may run a bounded number of queries of its own."""

    choices: Callable[[], list[tuple[str, str]]]
    condition: Callable[..., Any]
    # Optional: ``check(value=..., state=...)`` raises ``ValidationError`` for a value the choices
    # cannot catch (the list reports it and ignores the filter); ``describe(value=..., state=...)``
    # says in words what the filter selects (the list shows it as its heading).
    check: Callable[..., None] | None = None
    describe: Callable[..., str] | None = None

    #: The models whose saves and deletes change ``choices()`` ("app_label.model"): the list
    #: caches its choices and forgets them when one of these changes (partners.list_choices).
    choice_models: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureRef:
    """A dashboard figure the partner list shows "the partners behind" (its ``figure``
    filter, registered by metrics): the figure's ``kind`` (``"step_not"``), its ``key`` (a step
    key, an offering slug, a bucket; "" when the kind has none) and the dashboard's date range."""

    kind: str
    key: str
    since: Any  # datetime.date
    until: Any  # datetime.date


partner_list_filters: Registry[PartnerListFilter] = Registry("partner list filter")
