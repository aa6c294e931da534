import pytest

from socialops.hooks.x import XHook
from socialops.operators.base import NetworkOperator, by_network
from socialops.operators.extract import METRICS_OPERATORS
from socialops.operators.publish import PUBLISH_OPERATORS


class Unbound(NetworkOperator):
    def execute(self, context):
        return None


def test_an_operator_without_network_says_so():
    with pytest.raises(ValueError, match="Unbound needs a network"):
        Unbound(task_id="t")


def test_hook_comes_from_the_network_and_connection():
    operator = Unbound(task_id="t", network="x", conn_id="x_brand")
    assert isinstance(operator.hook, XHook) and operator.hook.conn_id == "x_brand"


@pytest.mark.parametrize("registry", [METRICS_OPERATORS, PUBLISH_OPERATORS])
def test_every_network_has_its_operators(registry):
    assert set(registry) == {"x", "youtube", "facebook", "instagram", "linkedin"}
    assert all(cls.network == network for network, cls in registry.items())
    assert by_network(Unbound) == {}
