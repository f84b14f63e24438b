"""Named providers registered by one floor and read by another (issue 17).

A higher floor must not import a feature app, and feature apps must not import each other; when
one needs what another knows, the knowing app registers a provider here from its
``AppConfig.ready()`` and the reader looks it up by key. The registry lives in the kernel so that
both sides can import it. Examples: the measures a tier requirement can use (registered by deals,
enablement and metrics; read by tiers) and the readers metric definitions use (registered by
onboarding and deals; read by metrics).
"""

from collections.abc import Iterator
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    """Providers by key, in registration order. Registering a second, different provider under a
    key is a wiring mistake and fails at start-up; looking up a key nobody registered fails with
    the keys that are known (an app missing from INSTALLED_APPS shows up here)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}

    def register(self, key: str, provider: T) -> T:
        known = self._items.get(key)
        if known is not None and known is not provider and known != provider:
            raise ImproperlyConfigured(f"{self.what} {key!r} is registered twice.")
        self._items[key] = provider
        return provider

    def unregister(self, key: str) -> T | None:
        """For tests that check what happens without a provider; returns it for restoring."""
        return self._items.pop(key, None)

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            known = ", ".join(self._items) or "none"
            raise LookupError(
                f"No {self.what} {key!r} is registered (known: {known}); is the app that "
                "provides it installed?"
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())
