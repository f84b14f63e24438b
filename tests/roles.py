"""The role matrix: request one route as every persona and compare with what was declared.

Usage::

    assert_role_matrix(client_as, "/portal/", {
        "anonymous": LOGIN, "partner_a_admin": 200, "partner_a_user": 200,
        "partner_b_admin": 200, "manager_owner": 404, "manager_other": 404, "vendor_admin": 404,
    })

Every persona in ``conftest.PERSONAS`` must have an expectation, so a new persona (or a forgotten
one) fails loudly instead of going untested. An expectation is a status code, ``LOGIN`` (a redirect
to the login page), or a callable ``(response) -> bool``.
"""

from collections.abc import Callable, Mapping

from django.urls import reverse

from conftest import PERSONAS

LOGIN = "login-redirect"


def _matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(
            reverse("account_login")
        )
    if callable(expected):
        return bool(expected(response))
    return response.status_code == expected


def assert_role_matrix(
    client_as: Callable,
    url: str,
    expected: Mapping[str, object],
    *,
    method: str = "get",
    data: dict | None = None,
) -> None:
    missing = set(PERSONAS) - set(expected)
    unknown = set(expected) - set(PERSONAS)
    assert not missing and not unknown, (
        f"declare every persona: missing {missing}, unknown {unknown}"
    )
    failures = []
    for persona in PERSONAS:
        client = client_as(persona)
        response = getattr(client, method)(url, data or {})
        if not _matches(expected[persona], response):
            where = response.get("Location", "")
            failures.append(
                f"{persona}: expected {expected[persona]}, got {response.status_code} {where}"
            )
    assert not failures, f"{method.upper()} {url}\n" + "\n".join(failures)
