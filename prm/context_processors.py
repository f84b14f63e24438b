from django.conf import settings
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count
from partners.selectors import membership_for_user


class _Lazy:
    """An int computed on first use in the template (SimpleLazyObject does not proxy int)."""

    def __init__(self, compute):
        self._compute = compute
        self._value = None

    @property
    def value(self) -> int:
        if self._value is None:
            self._value = self._compute()
        return self._value

    def __int__(self):
        return self.value

    def __bool__(self):
        return bool(self.value)

    def __str__(self):
        return str(self.value)


def site(request):
    """Site name, the user's partner membership for the navigation and the bell's unread count.
    Both are lazy: a page that never shows them costs no query (and views that load the
    membership share the cached relation); the bell is one count on a partial index."""
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None:
        context.setdefault("membership", SimpleLazyObject(lambda: membership_for_user(user)))
        context.setdefault("unread_notifications", _Lazy(lambda: unread_count(user=user)))
    return context
