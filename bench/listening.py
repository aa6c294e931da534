"""Listening: mentions per second through the whole listening task, and the crisis watch.

* **Throughput**: :func:`socialops.listening.service.listen` (the body of one mapped listen
  task: the cursor read, the source's filtering and dedup, language and sentiment of every
  text, the upsert of the mentions and the cursor in one transaction) on one read of
  ``MENTIONS`` synthetic French/English mentions from a scripted network (no HTTP: the
  networks' own latency is not ours), on SQLite and PostgreSQL; then the same read again
  (nothing new: the cost of a quiet run).
* **Watch**: :func:`socialops.listening.service.watch` once over 24 days of stored mentions
  (the detector's history), then the next run 15 minutes later (resumed from its state).
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import machine_line, migrated_warehouse, table

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
MENTIONS, QUICK_MENTIONS = 20_000, 2_000
_TEXTS = (
    "J'adore ma bougie maison lumière, l'odeur est incroyable 😍 #maisonlumiere",
    "Commande jamais reçue, service client injoignable, franchement déçue maison lumière",
    "Les bougies maison lumière sont en vente où à Lyon ?",
    "Just lit my maisonlumiere candle and the whole flat smells amazing",
    "My candle from maison lumière cracked while burning, this is a safety issue!",
    "Does anyone know if maison lumière ships to the UK?",
)


@dataclass
class _Network:
    found: list[Any] = field(default_factory=list)

    def mentions(self, query, since):
        return [m for m in self.found if m.created_at >= since]

    def close(self):
        pass


def _mentions(count: int) -> list[Any]:
    from socialops.networks import records

    rng = random.Random(3)
    return [
        records.Mention(
            network="x",
            mention_id=str(10**18 + n),
            author_id=str(n % 977),
            author_handle=f"user{n % 977}",
            text=f"{rng.choice(_TEXTS)} {n}",
            created_at=NOW - timedelta(seconds=(count - n) * 3),
        )
        for n in range(count)
    ]


def throughput(url: str, count: int) -> dict[str, Any]:
    from socialops.config import load_config
    from socialops.listening import service
    from socialops.listening.sources import Context, Source
    from socialops.warehouse.engine import create_warehouse_engine

    config = load_config()
    config = config.model_copy(
        update={
            "listening": config.listening.model_copy(update={"first_lookback": timedelta(days=7)})
        }
    )
    engine = create_warehouse_engine(url)
    network = _Network(_mentions(count))
    context = Context(config, NOW, adapter=lambda: network)
    source = Source("x:search", "x", "search", "maisonlumiere")
    started = time.perf_counter()
    first = service.listen(engine, source, context)
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = service.listen(engine, source, context)
    quiet_seconds = time.perf_counter() - started
    started = time.perf_counter()
    service.watch(engine, config, NOW, set_variable=lambda *_: None)
    watch_seconds = time.perf_counter() - started
    started = time.perf_counter()
    service.watch(engine, config, NOW + timedelta(minutes=15), set_variable=lambda *_: None)
    resumed_seconds = time.perf_counter() - started
    engine.dispose()
    assert first["new"] == count and again["read"] == 0
    return {
        "mentions": count,
        "read_seconds": round(read_seconds, 3),
        "mentions_per_second": round(count / read_seconds),
        "quiet_read_seconds": round(quiet_seconds, 3),
        "watch_first_seconds": round(watch_seconds, 3),
        "watch_resumed_seconds": round(resumed_seconds, 3),
    }


def _warm_up() -> None:
    """Import what a worker has imported before its first task (scipy alone takes seconds)."""
    import scipy.stats  # noqa: F401

    from socialops.analytics import crisis  # noqa: F401
    from socialops.analytics.sentiment import score_many

    score_many(["warm up", "on chauffe"])


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    _warm_up()
    count = QUICK_MENTIONS if quick else MENTIONS
    results = {}
    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    with tempfile.TemporaryDirectory() as workdir:
        for backend in backends:
            with migrated_warehouse(backend, pg_url=pg_url or "", workdir=workdir) as url:
                results[backend] = throughput(url, count)
    return results


def report(data: dict[str, Any]) -> list[str]:
    rows = [
        [
            backend,
            f"{r['mentions']:,}",
            f"{r['read_seconds']:.2f}",
            f"{r['mentions_per_second']:,}",
            f"{r['quiet_read_seconds']:.3f}",
            f"{r['watch_first_seconds']:.2f}",
            f"{r['watch_resumed_seconds']:.2f}",
        ]
        for backend, r in data["results"].items()
    ]
    return [
        "## Listening: mentions per second through a listen task, and the crisis watch",
        "",
        machine_line(data["machine"]),
        "",
        *table(
            [
                "warehouse",
                "mentions read",
                "listen (s)",
                "mentions/s",
                "quiet rerun (s)",
                "watch, first (s)",
                "watch, next (s)",
            ],
            rows,
        ),
        "",
        "One read of a scripted network (no HTTP), scored (language, sentiment) and stored "
        "with its cursor in one transaction; the quiet rerun reads the same answer and stores "
        "nothing. The watch runs the detector over 24 days of 5-minute intervals, then "
        "resumes from its state 15 minutes later.",
    ]
