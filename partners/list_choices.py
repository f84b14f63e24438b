"""The partner list's filter choices (programs, types, tiers, staff, and the registered filters'
lists: certifications, checklist steps, offerings), cached per language.

They change only when the vendor's setup changes, yet reading them cost seven queries on every
request of the list. So they are kept in the cache (``PRM_LIST_CHOICES_CACHE_SECONDS``, 0: off)
and forgotten as soon as a model they come from is saved or deleted (``forget``, connected to
``post_save`` / ``post_delete`` in ``PartnersConfig.ready``; the filters say which models their
choices come from: ``PartnerListFilter.choice_models``). A person's login (``last_login``) or
any field the staff list does not show leaves them cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from partners.readers import partner_list_filters

KEY = "partners.list_choices:v1:{language}"

#: The list's own choices come from these ("app_label.model"). A change-log line
#: (``admin.logentry``: every audited setup change, ``kernel.setup_log``, and the Django admin's)
#: counts too: it also catches a setup change saved by ``QuerySet.update`` (a tier reorder),
#: which sends no ``post_save``.
CORE_MODELS = frozenset(
    {
        "partners.program",
        "partners.partnertype",
        "partners.tier",
        "accounts.user",
        "admin.logentry",
    }
)
#: A user's save changes the staff list only when one of these may have changed.
USER_FIELDS = frozenset({"full_name", "email", "vendor_role", "is_active", "is_superuser"})


def _seconds() -> int:
    return settings.PRM_LIST_CHOICES_CACHE_SECONDS


def _languages() -> set[str]:
    return {code.lower() for code, _name in settings.LANGUAGES} | {settings.LANGUAGE_CODE.lower()}


def cached(build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The choice lists of the current language: from the cache, else ``build()`` (stored)."""
    seconds = _seconds()
    if seconds <= 0:
        return build()
    key = KEY.format(language=(get_language() or settings.LANGUAGE_CODE).lower())
    lists = cache.get(key)
    if lists is None:
        lists = build()
        cache.set(key, lists, seconds)
    return lists


def _forget_now() -> None:
    cache.delete_many([KEY.format(language=code) for code in sorted(_languages())])


def forget() -> None:
    """Drop the cached lists of every language, now and again when the transaction commits (a
    request between the two could cache what the transaction has not committed yet)."""
    _forget_now()
    transaction.on_commit(_forget_now)


def watched_models() -> set[str]:
    models = set(CORE_MODELS)
    for _name, list_filter in partner_list_filters.items():
        models.update(m.lower() for m in list_filter.choice_models)
    return models


def on_model_change(sender, instance=None, update_fields=None, **kwargs) -> None:
    """``post_save`` / ``post_delete`` receiver for every model: forgets the lists when
    ``sender`` is one they come from."""
    if _seconds() <= 0:
        return
    label = sender._meta.label_lower
    if label not in watched_models():
        return
    user_fields_untouched = update_fields is not None and not USER_FIELDS.intersection(
        update_fields
    )
    if label == "accounts.user" and user_fields_untouched:
        return
    forget()
