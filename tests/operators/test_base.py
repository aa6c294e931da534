import pytest

from socialops.hooks import NetworkHook
from socialops.operators.base import NetworkOperator


class Bound(NetworkOperator):
    def execute(self, context):
        return None


def test_an_operator_needs_a_known_network():
    with pytest.raises(TypeError):
        Bound(task_id="t")
    with pytest.raises(ValueError, match="unknown network 'myspace'"):
        Bound(task_id="t", network="myspace")


def test_hook_comes_from_the_network_and_connection():
    operator = Bound(task_id="t", network="x", conn_id="x_brand")
    assert isinstance(operator.hook, NetworkHook)
    assert (operator.hook.network, operator.hook.conn_id) == ("x", "x_brand")
