from django.conf import settings
from django.utils.functional import SimpleLazyObject

from partners.selectors import membership_for_user


def site(request):
    """Site name, and the user's partner membership for the navigation. The membership is lazy:
    a page that never shows it costs no query (and views that load it share the cached relation)."""
    context = {"SITE_NAME": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None:
        context.setdefault("membership", SimpleLazyObject(lambda: membership_for_user(user)))
    return context
