"""The environment reader: typed, and loud about a value it cannot read."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from kernel.env import Env


@pytest.fixture
def reader(monkeypatch):
    environ = {}
    monkeypatch.setattr(Env, "ENVIRON", environ)
    return Env(), environ


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("True", True),
        ("1", True),
        ("yes", True),
        ("ON", True),
        (" on ", True),
        ("false", False),
        ("FALSE", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_a_boolean_accepts_the_usual_words_in_any_case(reader, raw, expected):
    env, environ = reader
    environ["PRM_X"] = raw
    assert env.bool("PRM_X", default=not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "flase", "2", "", "enabled", "y"])
def test_a_boolean_typo_fails_naming_the_variable_instead_of_reading_as_false(reader, raw):
    env, environ = reader
    environ["PRM_X"] = raw
    with pytest.raises(ImproperlyConfigured, match="PRM_X"):
        env.bool("PRM_X", default=False)


def test_a_boolean_read_through_its_default_type_is_strict_too(reader):
    env, environ = reader
    environ["PRM_X"] = "ture"
    with pytest.raises(ImproperlyConfigured, match="PRM_X"):
        env("PRM_X", default=False)


def test_an_unset_boolean_takes_its_default(reader):
    env, _ = reader
    assert env.bool("PRM_X", default=True) is True


@pytest.mark.parametrize(
    ("method", "raw"),
    [("int", "lots"), ("int", "2.5"), ("float", "half"), ("float", "12abc"), ("float", "1,5")],
)
def test_a_number_that_does_not_parse_fails_naming_the_variable(reader, method, raw):
    env, environ = reader
    environ["PRM_N"] = raw
    with pytest.raises(ImproperlyConfigured, match="PRM_N"):
        getattr(env, method)("PRM_N", default=1)


def test_numbers_and_lists_are_read_with_their_type(reader):
    env, environ = reader
    environ.update(PRM_N="12", PRM_F="0.25", PRM_L="a.example,b.example")
    assert env.int("PRM_N", default=0) == 12
    assert env.float("PRM_F", default=0.0) == 0.25
    assert env.list("PRM_L", default=[]) == ["a.example", "b.example"]


def test_a_list_of_numbers_with_a_word_in_it_fails_naming_the_variable(reader):
    env, environ = reader
    environ["PRM_L"] = "1,two"
    with pytest.raises(ImproperlyConfigured, match="PRM_L"):
        env.list("PRM_L", cast=int, default=[])


def test_a_missing_required_variable_fails_naming_it(reader):
    env, _ = reader
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        env("SECRET_KEY")


def test_a_dict_of_numbers_is_read_and_a_word_among_them_fails_naming_the_variable(reader):
    env, environ = reader
    assert env.float_dict("PRM_D", default={"USD": "1"}) == {"USD": 1.0}
    environ["PRM_D"] = "USD=1,EUR=1.08"
    assert env.float_dict("PRM_D", default={}) == {"USD": 1.0, "EUR": 1.08}
    for raw in ("USD=1,EUR=one", "USD"):
        environ["PRM_D"] = raw
        with pytest.raises(ImproperlyConfigured, match="PRM_D"):
            env.float_dict("PRM_D", default={})
