"""The task bodies of ``listen_mentions``: plain functions of a :class:`~socialops.runtime.Run`
returning small dicts for XCom.

:func:`plan` (the sources) → :func:`listen` for each source (mapped; one failing source is
announced and fails its own task only) → :func:`watch` (the crisis detector, always runs)
→ the outbox's delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from socialops.runtime import Run

log = logging.getLogger(__name__)


def prepare_warehouse(run: Run) -> None:
    from socialops.warehouse.engine import ensure_schema

    ensure_schema(run.engine)


def plan(run: Run, network: str) -> list[dict[str, Any]]:
    """``network``'s sources to read this run (``web``: the feeds), as the mapped task's
    arguments ``{"source": {...}}``."""
    from socialops.listening.sources import plan as plan_sources

    return [
        {"source": source.as_kwargs()}
        for source in plan_sources(run.config)
        if source.network == network
    ]


def listen(
    run: Run,
    source: dict[str, Any],
    *,
    connect: Callable[[str, str | None], Any] | None = None,
    fetch: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Read one source into the warehouse. A failure is announced in the alerts channel
    (once a day per source and kind of error) and raised again: its cursor did not move."""
    from socialops.listening.service import listen as listen_source
    from socialops.listening.sources import FEED, Context, Source

    item = Source(**source)
    if connect is None:
        from socialops.hooks import connect
    adapter = None if item.kind == FEED else (lambda: connect(item.network, item.conn_id))
    context = Context(run.config, run.now, adapter=adapter, fetch=fetch)
    try:
        summary = listen_source(run.engine, item, context)
    except Exception as exc:
        log.exception("listening source %s failed", item.key)
        _announce_failure(run, item, exc)
        raise
    log.info("listening %s: %s", item.key, summary)
    return summary


def _announce_failure(run: Run, source, error: Exception) -> None:
    from socialops.listening.messages import source_failure
    from socialops.notifications.outbox import Notice, add_notices

    message = source_failure(run.config, source.key, source.network, error)
    key = f"listening-failure:{source.key}:{type(error).__name__}:{run.now.date().isoformat()}"
    add_notices(run.engine, [Notice.of(key, run.config.slack.channels.alerts, message)])


def watch(run: Run, set_variable: Callable[[str, str], None] | None = None) -> dict[str, Any]:
    """The crisis watch over the stored mentions (see :func:`socialops.listening.service.watch`)."""
    from socialops.listening.service import watch as watch_mentions

    if set_variable is None:
        set_variable = airflow_set_variable
    return watch_mentions(run.engine, run.config, run.now, set_variable=set_variable).summary()


def airflow_set_variable(name: str, value: str) -> None:
    """Write an Airflow Variable (the publication pause)."""
    from airflow.sdk import Variable

    Variable.set(name, value)
