"""Publication bursts: 2,000 calendar entries due at once (400 per network), published
through the real steps of ``publish_posts`` against the sandbox.

The run is what the DAG's tasks do, without Airflow: the calendar sync (then the same sync
again, the calendar unchanged), the plan (chunks of ``publication.chunk_size`` per
connection), then each chunk through :func:`socialops.publishing.service.publish_chunk`
with a fresh adapter, as one mapped task would, one after the other in this process (the
DAG runs them in parallel, several per network: these are one worker's figures). Beside
it, a smaller burst published the way the DAG did before chunks: one task per post, a
fresh adapter each.

The sandbox runs in another process, its own limits lifted (X's 100 posts per 15 minutes,
Instagram's 100 per day, YouTube's daily quota, Graph's hourly usage, which the Meta
adapters pace themselves on): the figures are the code's, not the limits'. Statements are
counted with SQLAlchemy's ``before_cursor_execute`` event, transaction control (BEGIN,
SAVEPOINT, RELEASE) apart; transactions are commits.
"""

from __future__ import annotations

import csv
import multiprocessing
import shutil
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import machine_line, migrated_warehouse
from bench import table as markdown_table

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
NETWORKS = ("x", "facebook", "instagram", "linkedin", "youtube")
MEDIA = Path(__file__).resolve().parents[1] / "include" / "calendar" / "media"
CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")


# -- the sandbox, in its own process, limits lifted ------------------------------------------


def _serve(connection: Any) -> None:
    from socialops.sandbox import SandboxServer, create_sandbox, meta_api, x_api, youtube_api

    x_api.LIMITS["POST /2/tweets"] = (0, 10**6)
    youtube_api.DAILY_QUOTA = 10**9
    meta_api.InstagramEmulator.quota_total = 10**6
    meta_api.GraphEmulator.calls_per_hour = 10**6  # the frozen clock never lets usage decay
    server = SandboxServer(create_sandbox(now=NOW)).start()
    connection.send(server.url)
    while (tag := connection.recv()) != "stop":
        # A burst's tag: how many posts carry it, and the calls made since the last burst.
        with server.sandbox.lock:
            posts = list(server.sandbox.world.posts.values())
            calls = Counter(r["network"] for r in server.sandbox.requests)
            server.sandbox.requests.clear()
        tagged = sum(1 for p in posts if tag in (p.text or "") or tag in (p.title or ""))
        connection.send((tagged, dict(calls)))
    server.stop()


@contextmanager
def running_sandbox():
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    try:
        if not parent.poll(120):
            raise RuntimeError("the benchmark sandbox did not start")
        url = parent.recv()

        def posts_tagged(tag: str) -> tuple[int, dict[str, int]]:
            parent.send(tag)
            return parent.recv()

        yield url, posts_tagged
    finally:
        if process.is_alive():
            parent.send("stop")
        process.join(30)
        if process.is_alive():
            process.terminate()


# -- the calendar -----------------------------------------------------------------------------


def write_calendar(folder: Path, entries: int, tag: str) -> Path:
    """``entries`` approved entries due 5 minutes ago, one network each, in turn."""
    shutil.copytree(MEDIA, folder / "media", dirs_exist_ok=True)
    due = (NOW - timedelta(minutes=5)).isoformat()
    rows = []
    for i in range(entries):
        network = NETWORKS[i % len(NETWORKS)]
        row = {
            "entry_id": f"{tag}-{i:05d}",
            "scheduled_at": due,
            "networks": network,
            "text": f"Rafale {tag} n°{i}: la collection Ambre, coulée à la main à l'atelier.",
            "status": "approved",
            "media": "",
            "title": "",
        }
        if network == "instagram":
            row["media"] = "media/atelier-ambre.jpg"
        if network == "youtube":
            row["media"] = "media/atelier-coulisses.mp4"
            row["title"] = f"Rafale {tag} n°{i}"
        rows.append(row)
    path = folder / "calendar.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


class Counting:
    """Statements and transactions sent on an engine, per phase."""

    def __init__(self, engine: Any):
        from sqlalchemy import event

        self.statements = 0
        self.transactions = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)

    def _statement(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        if sql.lstrip().split(None, 1)[0].upper() not in CONTROL:
            self.statements += 1

    def _commit(self, conn: Any) -> None:
        self.transactions += 1

    def mark(self) -> tuple[int, int]:
        return self.statements, self.transactions


def burst(
    sandbox: tuple[str, Any], warehouse_url: str, folder: Path, entries: int, *, chunked: bool
) -> dict[str, Any]:
    """Sync, plan and publish a burst of ``entries``; what it cost."""
    from sqlalchemy import func, select

    from socialops.config import load_config
    from socialops.networks import ConnectionSettings, build_adapter
    from socialops.publishing import PublicationLedger, PublicationNotices
    from socialops.publishing.service import media_root, plan_due, publish_chunk, publish_one
    from socialops.publishing.service import sync as sync_calendar
    from socialops.sandbox import emulator_types
    from socialops.warehouse.engine import create_warehouse_engine, session_scope
    from socialops.warehouse.models import NotificationOutbox, Publication

    sandbox_url, posts_tagged = sandbox
    tag = f"{'c' if chunked else 'o'}{entries}{time.time_ns() % 10**6}"
    posts_tagged(tag)  # forget the calls of earlier bursts
    calendar = write_calendar(folder, entries, tag)
    base = load_config()
    publication = base.publication.model_copy(
        update={"calendar": base.publication.calendar.model_copy(update={"path": str(calendar)})}
    )
    config = base.model_copy(update={"publication": publication})
    emulators = {e.network: e for e in emulator_types(list(NETWORKS))}
    engine = create_warehouse_engine(warehouse_url)
    counting = Counting(engine)
    figures: dict[str, Any] = {"entries": entries, "chunk_size": config.publication.chunk_size}

    def phase(name: str, work: Any) -> Any:
        statements, transactions = counting.mark()
        started = time.perf_counter()
        result = work()
        figures[name] = {
            "seconds": round(time.perf_counter() - started, 3),
            "statements": counting.statements - statements,
            "transactions": counting.transactions - transactions,
        }
        return result

    phase("sync", lambda: sync_calendar(config, engine, now=NOW))
    phase("sync_unchanged", lambda: sync_calendar(config, engine, now=NOW))
    plans = phase("plan", lambda: plan_due(config, engine, now=NOW, paused=None))
    figures["chunks"] = {network: len(chunks) for network, chunks in plans.items()}

    ledger = PublicationLedger(engine)
    notices = PublicationNotices.for_brand(config)
    grace = timedelta(minutes=config.publication.grace_minutes)
    root = media_root(config)
    adapters = Counter()
    seconds_per_network: Counter[str] = Counter()

    def adapter_for(network: str, conn_id: str):
        def build():
            adapters[network] += 1
            emulator = emulators[network]
            settings = ConnectionSettings.from_json(emulator.connection(sandbox_url), conn_id)
            return build_adapter(network, settings)

        return build

    def publish_all() -> Counter[str]:
        states: Counter[str] = Counter()
        for network, chunks in plans.items():
            started = time.perf_counter()
            for index, chunk in enumerate(chunks):
                owner = f"publish_posts/bench/publish_{network}[{index}]#1"
                if chunked:
                    outcomes = publish_chunk(
                        ledger,
                        chunk["publication_ids"],
                        adapter_for(network, chunk["conn_id"]),
                        owner=owner,
                        clock=lambda: NOW,
                        grace=grace,
                        notices=notices,
                        media_root=root,
                    )
                else:  # one task per post, each with its own adapter
                    outcomes = [
                        publish_one(
                            ledger,
                            publication_id,
                            adapter_for(network, chunk["conn_id"]),
                            owner=f"{owner[:-2]}-{publication_id}#1",
                            now=NOW,
                            grace=grace,
                            notices=notices,
                            media_root=root,
                        )
                        for publication_id in chunk["publication_ids"]
                    ]
                states.update(outcome.state for outcome in outcomes)
            seconds_per_network[network] += time.perf_counter() - started
        return states

    states = phase("publish", publish_all)
    on_network, calls = posts_tagged(tag)
    with session_scope(engine) as session:
        published = session.scalar(
            select(func.count(func.distinct(Publication.external_id))).where(
                Publication.state == "published"
            )
        )
        confirmations = session.scalar(select(func.count()).select_from(NotificationOutbox))
    engine.dispose()
    publish = figures["publish"]
    figures.update(
        states=dict(states),
        published=published,
        posts_on_network=on_network,
        api_calls_per_post={
            network: round(count * len(NETWORKS) / entries, 2)
            for network, count in sorted(calls.items())
        },
        outbox_messages=confirmations,
        adapters_built=dict(adapters),
        seconds_per_network={k: round(v, 2) for k, v in seconds_per_network.items()},
        posts_per_second=round(published / publish["seconds"], 1),
        statements_per_post=round(publish["statements"] / entries, 2),
        transactions_per_post=round(publish["transactions"] / entries, 2),
    )
    return figures


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    entries = 200 if quick else 2000
    one_per_task = 50 if quick else 200
    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    results: dict[str, Any] = {"entries": entries, "one_per_task_entries": one_per_task}
    with running_sandbox() as sandbox, tempfile.TemporaryDirectory() as workdir:
        for backend in backends:
            results[backend] = {}
            for mode, count, chunked in (
                ("chunked", entries, True),
                ("one_per_task", one_per_task, False),
            ):
                folder = Path(workdir) / f"{backend}-{mode}"
                folder.mkdir()
                with migrated_warehouse(backend, pg_url=pg_url or "", workdir=folder) as url:
                    results[backend][mode] = burst(sandbox, url, folder, count, chunked=chunked)
    return results


def report(data: dict[str, Any]) -> list[str]:
    results = data["results"]
    rows = []
    for backend in ("sqlite", "postgresql"):
        for mode in ("chunked", "one_per_task"):
            figures = results.get(backend, {}).get(mode)
            if not figures:
                continue
            rows.append(
                [
                    backend,
                    f"chunks of {figures['chunk_size']}, one adapter each"
                    if mode == "chunked"
                    else "one task and adapter per post",
                    f"{figures['entries']:,}",
                    f"{figures['published']:,} / {figures['posts_on_network']:,}",
                    figures["posts_per_second"],
                    figures["statements_per_post"],
                    figures["transactions_per_post"],
                    sum(figures["adapters_built"].values()),
                    f"{figures['sync']['seconds']} s / {figures['sync_unchanged']['seconds']} s",
                    f"{figures['sync_unchanged']['statements']}",
                ]
            )
    calls = []
    for mode in ("chunked", "one_per_task"):
        figures = results.get("sqlite", {}).get(mode)
        if figures:
            per_post = ", ".join(f"{n} {c}" for n, c in figures["api_calls_per_post"].items())
            calls.append(f"API calls per post ({mode.replace('_', ' ')}): {per_post}.")
    return [
        "## Publication bursts",
        "",
        machine_line(data["machine"]),
        "",
        f"{results['entries']:,} calendar entries due at once, one network each (a fifth per "
        "network), synced, planned and published through the steps of `publish_posts` "
        "against the sandbox with its limits lifted, one chunk after the other in one "
        "process (`bench/bursts.py`). Statements exclude transaction control.",
        "",
        *markdown_table(
            [
                "warehouse",
                "publish tasks",
                "entries",
                "published / on the network",
                "posts/s",
                "statements/post",
                "transactions/post",
                "adapters built",
                "sync: first / unchanged",
                "statements of the unchanged sync",
            ],
            rows,
        ),
        "",
        *calls,
        "",
    ]
