import pytest
from django.core.exceptions import ImproperlyConfigured

from kernel.registry import Registry


def reader_a(partner_ids):
    return {}


def reader_b(partner_ids):
    return {}


def test_a_registered_provider_is_found_by_key_in_registration_order():
    readers = Registry("metric reader")
    readers.register("first_deal", reader_a)
    readers.register("activation", reader_b)
    assert readers.get("first_deal") is reader_a
    assert list(readers) == ["first_deal", "activation"]
    assert "activation" in readers and len(readers) == 2


def test_registering_the_same_provider_again_is_harmless_and_another_one_fails():
    readers = Registry("metric reader")
    readers.register("first_deal", reader_a)
    readers.register("first_deal", reader_a)  # ready() may run twice in tests
    with pytest.raises(ImproperlyConfigured, match="'first_deal' is registered twice"):
        readers.register("first_deal", reader_b)


def test_an_unknown_key_names_the_known_ones():
    readers = Registry("metric reader")
    readers.register("first_deal", reader_a)
    with pytest.raises(LookupError, match=r"No metric reader 'activation'.*known: first_deal"):
        readers.get("activation")
    assert readers.unregister("first_deal") is reader_a
    assert readers.unregister("first_deal") is None
