"""The language a page is rendered in (docs/translations.md).

Order of choice: the signed-in person's profile language; else the language cookie set by the
anonymous switcher; else the browser's Accept-Language; else the default language of the person's
partner's program; else ``LANGUAGE_CODE`` (vendor staff and anonymous visitors with neither).

Django's ``LocaleMiddleware`` (earlier in MIDDLEWARE) has already activated the cookie's or the
browser's language for everyone; this one runs after authentication, so it can put the profile
first and the program's default before the site's. URLs carry no language prefix.
"""

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from partners.models import Program

VERSION_KEY = "partners:language:version"
CACHE_SECONDS = 3600


def _supported(code: str) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def browser_language(request) -> str | None:
    """The cookie's language, else the first Accept-Language entry the product speaks."""
    chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
    if chosen:
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            break
        chosen = _supported(code)
        if chosen:
            return chosen
    return None


def program_language(user) -> str | None:
    """The default language of a partner user's program; None for vendor staff and people of no
    partner. It costs no query of its own on a warm cache: ``user.membership`` is the one the
    view reads next (cached on the user), and the program's language is cached per partner
    (forgotten whenever a program is saved: the version key)."""
    if user.is_channel_manager:
        return None
    try:
        partner_id = user.membership.partner_id
    except ObjectDoesNotExist:
        return None
    version = cache.get_or_set(VERSION_KEY, 1)
    key = f"partners:language:{version}:{partner_id}"
    language = cache.get(key)
    if language is None:
        language = (
            Program.objects.filter(partners__pk=partner_id)
            .values_list("default_language", flat=True)
            .first()
        ) or ""
        cache.set(key, language, CACHE_SECONDS)
    return _supported(language)


def forget_program_languages(**kwargs) -> None:
    """post_save of Program: every partner's cached program language is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1)


def language_for(request) -> str:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    if authenticated:
        chosen = _supported(user.language)
        if chosen:
            return chosen
    chosen = browser_language(request)
    if chosen:
        return chosen
    if authenticated:
        try:
            chosen = program_language(user)
        except (OperationalError, InterfaceError):
            chosen = None  # the view meets the outage (DatabaseUnavailableMiddleware answers 503)
        if chosen:
            return chosen
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activates :func:`language_for` for the request; runs after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            language = language_for(request)
        except (OperationalError, InterfaceError):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return self.get_response(request)
