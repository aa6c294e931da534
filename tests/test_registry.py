import pytest

from socialops.registry import load


def test_loads_the_registered_attribute_lazily():
    assert load({"path": "os.path:join"}, "path", "helper")("a", "b") == "a/b"


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown network 'myspace'; expected one of x, youtube"):
        load({"x": "a:b", "youtube": "c:d"}, "myspace", "network")
