"""The operator that reads one listening source of a network into the warehouse.

Mapped over the network's sources (``plan_<network>`` of ``listen_mentions``)::

    ListenOperator.partial(task_id="listen_x", network="x", pool="socialops_x")
    .expand_kwargs(plan_x)

A failure is announced in Slack by :func:`socialops.listening.tasks.listen` (once a day per
source and kind of error) before the task fails: a retryable error (``AirflowException``)
is retried, any other (refused credentials, spent quota) fails at once; the source's cursor
did not move, so the next run reads what this one missed. The other sources are unaffected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from socialops.operators.base import NetworkOperator


class ListenOperator(NetworkOperator):
    """Read ``source`` (a :class:`socialops.listening.sources.Source` as a dict) from its
    cursor, score its new mentions and store them with the cursor.

    :param source: the source's ``{key, network, kind, account, conn_id, url}``.
    :param as_of: act as if it were this ISO time (sandbox only).
    """

    template_fields: Sequence[str] = ("conn_id", "as_of")
    ui_color = "#fdf2e9"

    def __init__(self, *, source: dict[str, Any], as_of: str | None = None, **kwargs: Any):
        super().__init__(conn_id=source.get("conn_id"), **kwargs)
        self.source = source
        self.as_of = as_of

    def execute(self, context: Any) -> dict[str, Any]:
        from socialops.listening import tasks
        from socialops.networks.errors import NetworkError
        from socialops.notifications.callbacks import NotifiedFailure, NotifiedRetry
        from socialops.runtime import current_run

        run = current_run({"as_of": self.as_of})
        try:
            return tasks.listen(run, self.source, connect=lambda *_: self.hook.get_adapter())
        except NetworkError as exc:
            message = f"listening {self.source['key']}: {exc}"
            if exc.retryable:
                raise NotifiedRetry(message) from exc
            raise NotifiedFailure(message) from exc
