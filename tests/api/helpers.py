"""API test helpers: a client per persona that authenticates with a real token, and a token-based
role matrix (the session-based one is tests.roles.assert_role_matrix)."""

from django.test import Client

from accounts import services
from conftest import PERSONAS


def token_for(user, scope="write") -> str:
    return services.api_token_create(user=user, name="tests", scope=scope).raw


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def token_client_as(world, scope="write"):
    """``make(persona)`` → (Client, headers) authenticating with that persona's token."""
    tokens = {}

    def make(persona):
        user = world.users[persona]
        if user is None:
            return Client(), {}
        if persona not in tokens:
            tokens[persona] = token_for(user, scope)
        return Client(), bearer(tokens[persona])

    return make


def assert_api_matrix(make, url, expected, *, method="get", data=None):
    """Request ``url`` as every persona with their token; compare status codes."""
    missing = set(PERSONAS) ^ set(expected)
    assert not missing, f"declare every persona exactly: {missing}"
    failures = []
    for persona in PERSONAS:
        client, headers = make(persona)
        if method == "get":
            response = client.get(url, data or {}, **headers)
        else:
            response = getattr(client, method)(
                url, data or {}, content_type="application/json", **headers
            )
        want = expected[persona]
        ok = want(response) if callable(want) else response.status_code == want
        if not ok:
            failures.append(f"{persona}: expected {want}, got {response.status_code}")
    assert not failures, f"{method.upper()} {url}\n" + "\n".join(failures)
