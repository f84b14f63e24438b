"""The machinery of the access-control sweep: walk the URL resolver, build each URL from partner
A's objects, request it as one persona inside a savepoint, and compare with the registry.

Policy lives in ``tests/security/routes.py``; this module only knows how to ask.
"""

import copy
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.generic.edit import ProcessFormView

from tests.security.inline import inline_script_problems
from tests.security.world import A_MARKERS

METHODS = ("get", "post", "put", "patch", "delete")
# Personas of conftest.PERSONAS plus partner B's plain user, in the column order of ``row``.
SWEEP_PERSONAS = (
    "anonymous",
    "partner_a_admin",
    "partner_a_user",
    "partner_b_admin",
    "partner_b_user",
    "manager_owner",
    "manager_other",
    "vendor_admin",
)
PARTNER_B = ("partner_b_admin", "partner_b_user")
# Who must never change partner A's data, whatever they send.
OUTSIDERS = ("anonymous", *PARTNER_B)
LOGIN = "login-redirect"
ADMIN_LOGIN = "admin-login-redirect"


def row(*expected) -> dict:
    """One expectation per persona, in ``SWEEP_PERSONAS`` order."""
    assert len(expected) == len(SWEEP_PERSONAS), f"row() needs {len(SWEEP_PERSONAS)} values"
    return dict(zip(SWEEP_PERSONAS, expected, strict=True))


@dataclass(frozen=True)
class Route:
    """The declared behaviour of one route. ``kwargs`` maps each URL kwarg to an object name
    from ``tests/security/world.py`` (or a literal via ``Literal``); each method the view
    accepts needs an expectation; ``data`` is the body sent with unsafe methods."""

    kwargs: dict = field(default_factory=dict)
    get: dict | None = None
    post: dict | None = None
    put: dict | None = None
    patch: dict | None = None
    delete: dict | None = None
    data: dict | None = None
    methods: tuple = ()  # for function views: which methods they accept beyond GET
    # Why partner A's markers may appear to partner B here (a capability URL such as an
    # invitation link, or a page public by design). Empty: the sentinel check applies.
    shows_a_by_design: str = ""


@dataclass(frozen=True)
class Literal:
    value: str


@dataclass(frozen=True)
class RouteInfo:
    key: str  # the URL name with its namespace, or the pattern for unnamed routes
    name: str | None
    pattern: str
    view: str
    kwarg_names: tuple
    methods: tuple
    is_api: bool


def _view_methods(callback) -> tuple:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset route: exactly the methods bound to actions
        return tuple(m for m in METHODS if m in actions)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is None:
        return ("get",)
    allowed = getattr(cls, "http_method_names", METHODS)
    methods = [m for m in METHODS if m in allowed and hasattr(cls, m)]
    if "put" in methods and getattr(cls, "put", None) is ProcessFormView.put:
        methods.remove("put")  # Django's form views alias PUT to POST: the POST row covers it
    return tuple(methods)


def _view_path(callback) -> str:
    target = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
    return f"{target.__module__}.{getattr(target, '__qualname__', target.__class__.__name__)}"


def _kwarg_names(pattern) -> tuple:
    regex = pattern.regex
    return tuple(sorted(regex.groupindex))


def iter_routes() -> Iterator[RouteInfo]:
    """Every URL pattern reachable from ROOT_URLCONF (admin, allauth and DRF routers included)."""

    def walk(patterns, prefix, namespace, kwargs):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(
                    entry.url_patterns,
                    prefix + str(entry.pattern),
                    ns,
                    kwargs + _kwarg_names(entry.pattern),
                )
            elif isinstance(entry, URLPattern):
                full = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else None
                yield RouteInfo(
                    key=name or full,
                    name=name,
                    pattern=full,
                    view=_view_path(entry.callback),
                    kwarg_names=tuple(sorted(set(kwargs + _kwarg_names(entry.pattern)))),
                    methods=_view_methods(entry.callback),
                    is_api=full.startswith("api/"),
                )

    yield from walk(get_resolver().url_patterns, "", "", ())


def _fill(info: RouteInfo, route: Route, objects: dict) -> dict:
    values = {}
    for kwarg in info.kwarg_names:
        source = route.kwargs.get(kwarg, DEFAULT_KWARGS.get(kwarg))
        if source is None:
            raise KeyError(f"{info.key}: no value for URL kwarg {kwarg!r}; declare kwargs=")
        values[kwarg] = source.value if isinstance(source, Literal) else objects[source]
    return values


# Kwargs that mean the same thing on every route that has them.
DEFAULT_KWARGS = {"format": Literal("json")}


def build_url(info: RouteInfo, route: Route, objects: dict) -> str:
    kwargs = _fill(info, route, objects)
    if info.name:
        return reverse(info.name, kwargs=kwargs)
    # Unnamed patterns (the admin's redirects and catch-all): substitute into the pattern text.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), info.pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _matches(expected, response) -> bool:
    status, location = response.status_code, response.get("Location", "")
    if expected == LOGIN:
        return status == 302 and location.startswith(reverse("account_login"))
    if expected == ADMIN_LOGIN:
        return status == 302 and location.startswith(reverse("admin:login"))
    if callable(expected):
        return bool(expected(response))
    if isinstance(expected, tuple):
        return status in expected
    return status == expected


def _partner_path(model, depth=0) -> str | None:
    """An ORM path from ``model`` to partners.Partner (a user reaches it by their membership)."""
    partner_model = apps.get_model("partners", "Partner")
    user_model = apps.get_model("accounts", "User")
    if model is partner_model:
        return "pk"
    if model is user_model:
        return "membership__partner"
    if depth > 2:
        return None
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None:
            rest = _partner_path(f.related_model, depth + 1)
            if rest is not None:
                return f.name if rest == "pk" else f"{f.name}__{rest}"
    return None


# Written on every request by design, or holding no partner data. events.eventkey holds one
# row per stored event (its idempotency key); the events themselves are fingerprinted by partner.
FINGERPRINT_SKIP = {
    "sessions.session",
    "usersessions.usersession",
    "contenttypes.contenttype",
    "events.eventkey",
}


def a_fingerprint(partner_pk: int) -> dict:
    """A hash per table of every row that belongs to partner A (or to no partner at all, i.e.
    vendor-wide configuration). Partner B and anonymous requests must leave it unchanged."""
    result = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in FINGERPRINT_SKIP or model._meta.proxy:
            continue
        path = _partner_path(model)
        qs = model._default_manager.all()
        if path is not None:
            qs = qs.filter(**{path: partner_pk})
        rows = list(qs.order_by("pk").values_list())
        digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
        result[label] = (len(rows), digest)
    return result


@dataclass
class Outcome:
    method: str
    url: str
    status: int
    failures: list


def request_once(*, client, persona, info, route, method, url, partner_pk, baseline) -> Outcome:
    """One request inside a savepoint (rolled back, so every request sees the same data)."""
    failures = []
    cookies = copy.deepcopy(client.cookies)
    cache.clear()  # rate limits start from zero for every request
    sid = transaction.savepoint()
    try:
        kwargs = {}
        if method == "get":
            response = client.get(url, **kwargs)
        elif info.is_api:
            response = getattr(client, method)(
                url, json.dumps(route.data or {}), content_type="application/json", **kwargs
            )
        else:
            response = getattr(client, method)(url, route.data or {}, **kwargs)
        expected = (getattr(route, method) or {}).get(persona, "undeclared (inventory test)")
        if not _matches(expected, response):
            where = response.get("Location", "")
            failures.append(
                f"{persona}: {method.upper()} {url} ({info.key}) expected {expected!r}, "
                f"got {response.status_code} {where}".rstrip()
            )
        if response.status_code >= 500:
            failures.append(f"{persona}: {method.upper()} {url} server error")
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            # The CSP allows scripts only from our static files (RELIABILITY.md B6/C4).
            for problem in inline_script_problems(_body(response)):
                failures.append(f"CSP {persona}: {method.upper()} {url} has {problem}")
        if persona in PARTNER_B and not route.shows_a_by_design:
            body = _body(response)
            for marker in A_MARKERS:
                if marker in body:
                    failures.append(
                        f"LEAK {persona}: {method.upper()} {url} shows partner A's {marker!r}"
                    )
        # A redirect to a login page is answered by the access decorator before any view code.
        turned_away = response.status_code == 302 and "/login/" in response.get("Location", "")
        if persona in OUTSIDERS and method != "get" and baseline is not None and not turned_away:
            after = a_fingerprint(partner_pk)
            changed = sorted(k for k in after if after[k] != baseline.get(k))
            if changed:
                failures.append(
                    f"WRITE {persona}: {method.upper()} {url} changed partner A's {changed}"
                )
        return Outcome(method, url, response.status_code, failures)
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies
