from hypothesis import given
from hypothesis import strategies as st

from kernel.bounds import json_depth_exceeds

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=30,
)


def _depth(value) -> int:
    """Nesting depth of lists and dicts, the plain recursive way (0 for a scalar)."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@given(json_values, st.integers(min_value=0, max_value=6))
def test_depth_check_equals_the_recursive_definition(value, limit):
    assert json_depth_exceeds(value, limit) == (_depth(value) > limit)


def test_depth_check_of_a_deep_value_does_not_recurse():
    value = []
    for _ in range(100_000):
        value = [value]
    assert json_depth_exceeds(value, 64)
    assert not json_depth_exceeds({"a": [{"b": 1}]}, 3)
    assert json_depth_exceeds({"a": [{"b": 1}]}, 2)
