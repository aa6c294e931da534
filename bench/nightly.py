"""A nightly extraction of the reference brand: wall time, peak memory, API calls.

The sandbox shards (:mod:`bench.world`) run in a separate process so that the measured
process is what an Airflow worker would be: the extraction service, its adapters and the
warehouse client, nothing else. Its peak RSS (``ru_maxrss``) includes the Python, pandas,
SQLAlchemy and SDK imports, reported separately as the baseline.

The 20 accounts run one after the other in one process, the worst case for wall time: the
DAG maps them to parallel tasks, bounded by the per-network pools.

API calls are read from the sandbox's request log and divided by the true minimum the APIs
allow for the same work (:data:`MINIMUM_CALLS`), computed from their documented page sizes
and batch limits, not from our adapters' protocol (see :data:`API_LIMITS` for the sources).
"""

from __future__ import annotations

import json
import math
import multiprocessing
import resource
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench import machine_line, migrated_warehouse
from bench import table as markdown_table
from bench.world import (
    DAY,
    NETWORK_LOOKBACK,
    OLDER_POSTS_PER_ACCOUNT,
    POSTS_PER_ACCOUNT,
    SHARDS,
    TIMEZONE,
    shard_accounts,
)


def pages(items: int, size: int) -> int:
    """Requests needed to list or look up ``items`` at ``size`` per request (at least one)."""
    return max(1, math.ceil(items / size))


#: The documented page sizes and batch limits the minimum is computed from, with their source.
API_LIMITS: dict[str, tuple[int, str]] = {
    "x_timeline": (
        100,
        "X API v2 GET /2/users/:id/tweets, max_results 5-100 (x-api-v2.openapi.json)",
    ),
    "youtube_page": (
        50,
        "YouTube Data API v3 playlistItems.list maxResults 0-50 (youtube.v3.json)",
    ),
    "youtube_ids": (50, "YouTube Data API v3 videos.list: up to 50 ids per call (youtube.v3.json)"),
    "graph_page": (100, "Graph API cursor pagination, limit up to 100 per page of an edge"),
    "linkedin_page": (100, "LinkedIn Posts API q=author, count up to 100 per page"),
    "linkedin_stats": (
        50,
        "LinkedIn organizationalEntityShareStatistics shares=List(...): no documented maximum; "
        "50 URNs keep the URL under LinkedIn's request-line limit",
    ),
}


def listing_pages(posts: int, older: int, size: int, *, filtered: bool) -> int:
    """Pages of a newest-first listing of a window of ``posts``, ``older`` posts behind it.

    ``filtered``: the API cuts the listing at the window's start itself (X ``start_time``,
    Graph ``since``), so its last page is the window's. Otherwise (YouTube's uploads
    playlist, LinkedIn's posts) the listing only knows the window ended when it reads the
    first older post: one more item to read.
    """
    return pages(posts + (1 if older and not filtered else 0), size)


def _limit(name: str) -> int:
    return API_LIMITS[name][0]


def _graph_night(n: int, older: int) -> int:
    """The account node + its insights, then the edge's pages with the metrics expanded."""
    return 2 + listing_pages(n, older, _limit("graph_page"), filtered=True)


#: network → (minimum calls for one account with ``n`` posts in its window and ``older`` posts
#: behind it, why). Listings with metrics replace the id lookups where the API allows it.
MINIMUM_CALLS: dict[str, tuple[Callable[[int, int], int], str]] = {
    "x": (
        lambda n, older: 1 + listing_pages(n, older, _limit("x_timeline"), filtered=True),
        "user lookup (followers) + timeline pages of 100 with start_time, carrying "
        "public_metrics (non_public/organic_metrics for own posts under 30 days): no lookup",
    ),
    "youtube": (
        lambda n, older: (
            3
            + listing_pages(n, older, _limit("youtube_page"), filtered=False)
            + pages(n, _limit("youtube_ids"))
        ),
        "OAuth token + channels.list (statistics and uploads playlist in one call) + Analytics "
        "subscribers of the day + playlistItems pages of 50 up to the first older video (no "
        "date filter, no statistics) + videos.list of 50 ids",
    ),
    "facebook": (
        _graph_night,
        "Page (followers) + Page insights + feed pages of 100 with since, expanding "
        "insights.metric(...), reactions, comments, shares: no lookup",
    ),
    "instagram": (
        _graph_night,
        "Page → Instagram account with its profile and counts (one field expansion) + account "
        "insights + media pages of 100 with since, expanding insights.metric(...): no lookup",
    ),
    "linkedin": (
        lambda n, older: (
            3
            + listing_pages(n, older, _limit("linkedin_page"), filtered=False)
            + pages(n, _limit("linkedin_stats"))
        ),
        "handle → organization URN (none when the account's id is configured) + follower count "
        "+ page share statistics + posts pages of 100 up to the first older post (no date "
        "filter, no statistics) + share statistics of 50 posts",
    ),
}


# -- the sandbox, in its own process -----------------------------------------------------


def _serve(connection: Any, scale: int = 1) -> None:
    from bench.world import build_shard
    from socialops.sandbox import Sandbox, SandboxServer, emulator_types

    servers = []
    for shard in range(SHARDS):
        sandbox = Sandbox(
            lambda shard=shard: build_shard(shard, scale=scale),
            emulator_types(list(NETWORK_LOOKBACK)),
        )
        servers.append(SandboxServer(sandbox).start())
    connection.send([server.url for server in servers])
    connection.recv()  # any message: stop
    for server in servers:
        server.stop()


@contextmanager
def running_shards(scale: int = 1) -> Iterator[list[str]]:
    """The base URLs of the :data:`SHARDS` sandboxes (``scale`` times the reference posts),
    served by a child process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, scale), daemon=True)
    process.start()
    try:
        deadline = time.monotonic() + 300
        while not parent.poll(1):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the benchmark sandboxes did not start (exit code {process.exitcode})"
                )
        yield parent.recv()
    finally:
        if process.is_alive():
            parent.send("stop")
        process.join(30)
        if process.is_alive():
            process.terminate()


def _admin(base_url: str, method: str, path: str) -> Any:
    request = urllib.request.Request(f"{base_url}/_sandbox{path}", method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


# -- the measured run, in a fresh process --------------------------------------------------


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _extract_all(urls: list[str], warehouse_url: str, queue: Any) -> None:
    baseline = _rss_mb()
    from socialops.metrics import AccountExtraction, AccountTarget
    from socialops.networks import ConnectionSettings, build_adapter
    from socialops.sandbox import emulator_types
    from socialops.warehouse.engine import create_warehouse_engine

    emulators = {e.network: e for e in emulator_types(list(NETWORK_LOOKBACK))}
    engine = create_warehouse_engine(warehouse_url)
    imported = _rss_mb()
    per_network: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    changed = 0
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    for shard, url in enumerate(urls):
        for account in shard_accounts(shard):
            emulator = emulators[account.network]
            settings = ConnectionSettings.from_json(emulator.connection(url), emulator.conn_id)
            adapter = build_adapter(account.network, settings)
            began = time.perf_counter()
            result = AccountExtraction(
                adapter, engine, timezone=TIMEZONE, follower_change_pct=20.0
            ).run(
                AccountTarget(account.network, account.handle, NETWORK_LOOKBACK[account.network]),
                DAY,
            )
            adapter.close()
            per_network[account.network] += time.perf_counter() - began
            for table, loaded in result.loaded.items():
                rows[table] += loaded.received
                changed += loaded.inserted + loaded.updated
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    engine.dispose()
    queue.put(
        {
            "wall_seconds": round(elapsed, 2),
            "client_cpu_seconds": round(cpu, 2),
            "seconds_per_network": {k: round(v, 2) for k, v in sorted(per_network.items())},
            "rows": dict(rows),
            "rows_inserted_or_updated": changed,
            "rss_baseline_mb": round(baseline, 1),
            "rss_after_imports_mb": round(imported, 1),
            "rss_peak_mb": round(_rss_mb(), 1),
        }
    )


def _measured_run(urls: list[str], warehouse_url: str) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_extract_all, args=(urls, warehouse_url, queue))
    process.start()
    try:
        result = queue.get(timeout=1800)
    finally:
        process.join(60)
    if process.exitcode not in (0, None):
        raise RuntimeError(f"the measured nightly run failed (exit code {process.exitcode})")
    return result


# -- API calls -------------------------------------------------------------------------------


def _endpoint(request: dict[str, Any]) -> str:
    """``GET /v21.0/:id/insights``: the request's path with ids masked, and its ``part``."""
    path = "/".join(
        ":id" if sum(ch.isdigit() for ch in segment) >= 5 else segment
        for segment in request["path"].split("/")
    )
    part = request["query"].get("part") if isinstance(request["query"], dict) else None
    return f"{request['method']} {path}" + (f" (part={part})" if part else "")


def api_calls(urls: list[str]) -> dict[str, Any]:
    """Calls made per network (from the request logs) against :data:`MINIMUM_CALLS`."""
    made: Counter[str] = Counter()
    repeated: Counter[str] = Counter()
    endpoints: dict[str, Counter[str]] = {network: Counter() for network in MINIMUM_CALLS}
    for url in urls:
        seen: set[str] = set()
        for request in _admin(url, "GET", "/requests"):
            made[request["network"]] += 1
            endpoints[request["network"]][_endpoint(request)] += 1
            key = json.dumps([request["method"], request["path"], request["query"]], sort_keys=True)
            if key in seen and request["method"] == "GET":
                repeated[request["network"]] += 1
            seen.add(key)
    return {
        network: {
            **call_ratio(network, made[network]),
            "repeated_calls": repeated[network],
            "per_account": {
                name: count / SHARDS for name, count in sorted(endpoints[network].items())
            },
        }
        for network in MINIMUM_CALLS
    }


def call_ratio(network: str, calls: int) -> dict[str, Any]:
    """``calls`` made for the network's :data:`SHARDS` accounts against the true minimum."""
    minimum, why = MINIMUM_CALLS[network]
    least = SHARDS * minimum(POSTS_PER_ACCOUNT[network], OLDER_POSTS_PER_ACCOUNT)
    return {
        "accounts": SHARDS,
        "posts": SHARDS * POSTS_PER_ACCOUNT[network],
        "older_posts": SHARDS * OLDER_POSTS_PER_ACCOUNT,
        "calls": calls,
        "minimum": least,
        "ratio": round(calls / least, 3),
        "minimum_is": why,
    }


# -- client time, sandbox time, scaling ---------------------------------------------------
#: Multiples of the reference night's posts measured by :func:`scaling` (the first is the
#: reference night itself); quick runs measure the first only.
SCALES = (1, 10)


def timed_run(urls: list[str], warehouse_url: str) -> dict[str, Any]:
    """One measured run, with the time the sandboxes spent answering it (their request
    logs, cleared first): ``client_seconds`` is the wall time minus that wait."""
    for url in urls:
        _admin(url, "DELETE", "/requests")
    figures = _measured_run(urls, warehouse_url)
    log = [request for url in urls for request in _admin(url, "GET", "/requests")]
    waited = sum(request["seconds"] for request in log)
    return figures | {
        "requests": len(log),
        "sandbox_seconds": round(waited, 2),
        "client_seconds": round(figures["wall_seconds"] - waited, 2),
    }


def scaling(pg_url: str | None, *, quick: bool, reference: dict[str, Any]) -> list[dict[str, Any]]:
    """The nightly run at each of :data:`SCALES` (the reference runs reused for ×1), in a
    sandbox of that many posts: first night and rerun per warehouse."""
    import tempfile

    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    reference_posts = SHARDS * sum(POSTS_PER_ACCOUNT.values())
    measured = [{"posts": reference_posts, "runs": reference}]
    for scale in SCALES[1:] if not quick else ():
        runs: dict[str, Any] = {}
        with running_shards(scale) as urls, tempfile.TemporaryDirectory() as workdir:
            for backend in backends:
                with migrated_warehouse(backend, pg_url=pg_url or "", workdir=workdir) as url:
                    runs[backend] = {
                        "first_night": timed_run(urls, url),
                        "rerun_same_day": timed_run(urls, url),
                    }
        measured.append({"posts": reference_posts * scale, "runs": runs})
    return measured


def report_scaling(results: dict[str, Any]) -> list[str]:
    """The RESULTS.md table of :func:`scaling`."""
    rows = []
    for measured in results.get("scaling", []):
        for backend, runs in measured["runs"].items():
            for label, run in (
                ("first night", runs["first_night"]),
                ("rerun", runs["rerun_same_day"]),
            ):
                if "sandbox_seconds" not in run:
                    continue
                rows.append(
                    [
                        f"{measured['posts']:,}",
                        backend,
                        label,
                        f"{run['wall_seconds']:.1f} s",
                        f"{run['client_seconds']:.1f} s",
                        f"{run['client_cpu_seconds']:.1f} s",
                        f"{run['sandbox_seconds']:.1f} s",
                        f"{run['requests']:,}",
                        f"{1000 * run['wall_seconds'] / measured['posts']:.2f} ms",
                        f"{run['rss_peak_mb']:.0f} MB",
                    ]
                )
    if not rows:
        return []
    lines = [
        "",
        "### Client and sandbox time, 10k and 100k posts",
        "",
        "The same night with 10× the posts in the same windows (`bench/nightly.py`, `SCALES`; "
        "the ×10 run only in full mode). *Sandbox* sums the time the sandboxes spent on each "
        "request, from the parsed request to the last byte of its answer (their request log); "
        "*client* is the wall time minus that wait: the extraction, the adapters and the "
        "warehouse. *Client CPU* is the measured process's user + system time.",
        "",
    ]
    lines += markdown_table(
        [
            "posts",
            "warehouse",
            "run",
            "wall time",
            "client",
            "client CPU",
            "sandbox",
            "requests",
            "wall per 1k posts",
            "peak RSS",
        ],
        rows,
    )
    return lines


# -- the benchmark ----------------------------------------------------------------------------


def run(pg_url: str | None, *, quick: bool = False) -> dict[str, Any]:
    import tempfile

    backends = ["sqlite"] + (["postgresql"] if pg_url else [])
    results: dict[str, Any] = {
        "workload": {
            "networks": len(NETWORK_LOOKBACK),
            "accounts": SHARDS * len(NETWORK_LOOKBACK),
            "posts_in_windows": SHARDS * sum(POSTS_PER_ACCOUNT.values()),
            "lookback_days": NETWORK_LOOKBACK,
            "day": DAY.isoformat(),
        },
        "runs": {},
    }
    with running_shards() as urls, tempfile.TemporaryDirectory() as workdir:
        for backend in backends:
            with migrated_warehouse(backend, pg_url=pg_url or "", workdir=workdir) as url:
                for url_ in urls:
                    _admin(url_, "DELETE", "/requests")
                first = timed_run(urls, url)
                if "api_calls" not in results:
                    results["api_calls"] = api_calls(urls)
                rerun = timed_run(urls, url)
                results["runs"][backend] = {"first_night": first, "rerun_same_day": rerun}
    results["scaling"] = scaling(pg_url, quick=quick, reference=results["runs"])
    return results


def report(data: dict[str, Any]) -> list[str]:
    """The RESULTS.md section of a result file."""
    results = data["results"]
    work = results["workload"]
    lines = [
        "## Nightly run of the reference brand",
        "",
        machine_line(data["machine"]),
        "",
        f"{work['networks']} networks × {work['accounts'] // work['networks']} accounts, "
        f"{work['posts_in_windows']:,} posts in the lookback windows "
        f"({', '.join(f'{k} {v} d' for k, v in work['lookback_days'].items())}), day "
        f"{work['day']}. The 20 accounts run one after the other in one fresh process "
        "(`bench/nightly.py`); the sandbox runs in another process on the same machine.",
        "",
    ]
    rows = []
    for backend, runs in results["runs"].items():
        for label, run in (("first night", runs["first_night"]), ("rerun", runs["rerun_same_day"])):
            rows.append(
                [
                    backend,
                    label,
                    f"{run['wall_seconds']:.1f} s",
                    f"{run['rss_peak_mb']:.0f} MB",
                    f"{run['rss_after_imports_mb']:.0f} MB",
                    f"{run['rows']['post_metrics_daily']:,}",
                    f"{run['rows_inserted_or_updated']:,}",
                ]
            )
    lines += markdown_table(
        [
            "warehouse",
            "run",
            "wall time",
            "peak RSS",
            "RSS after imports",
            "post metric rows",
            "rows inserted/updated",
        ],
        rows,
    )
    first = next(iter(results["runs"].values()))["first_night"]
    lines += [
        "",
        "Seconds per network (first night, "
        + next(iter(results["runs"]))
        + "): "
        + ", ".join(f"{k} {v}" for k, v in first["seconds_per_network"].items())
        + ".",
        *report_scaling(results),
        "",
        *api_calls_section(results["api_calls"]),
    ]
    return lines


def api_calls_section(calls: dict[str, Any]) -> list[str]:
    """The RESULTS.md table of the calls made against the true minimum, per network."""
    lines = [
        "## API calls against the true minimum",
        "",
        "Read from the sandbox's request log for the first night. The minimum is what the APIs "
        "allow for the same work, from their documented page sizes and batch limits (X timeline "
        "100 per page, Graph `limit` 100, YouTube 50, LinkedIn posts 100 and statistics 50; "
        "`bench/nightly.py` `API_LIMITS` and `MINIMUM_CALLS`, docs/performance.md): listings "
        "that take the metrics fields of the id lookup (X, Facebook, Instagram) need no lookup, "
        "and a listing without a date filter (YouTube, LinkedIn) must read the first post older "
        "than the window. Each account also has older posts behind its window, so stopping "
        "early is measured. A repeated call is an identical GET (method, path, query) sent twice.",
        "",
    ]
    rows = [
        [
            network,
            c["accounts"],
            f"{c['posts']:,} (+{c.get('older_posts', 0):,} older)",
            c["calls"],
            c["minimum"],
            f"{c['calls'] / c['minimum']:.2f}",
            c["repeated_calls"],
            c["minimum_is"],
        ]
        for network, c in calls.items()
    ]
    made = sum(c["calls"] for c in calls.values())
    least = sum(c["minimum"] for c in calls.values())
    rows.append(["all", "", "", made, least, f"{made / least:.2f}", "", ""])
    headers = ["network", "accounts", "posts", "calls", "minimum", "calls ÷ minimum"]
    lines += markdown_table([*headers, "repeated", "minimum is"], rows)
    extra = {n: c for n, c in calls.items() if c["calls"] > c["minimum"]}
    if extra:
        lines += ["", "Calls per account of the networks above their minimum:", ""]
        lines += [
            f"* {network}: "
            + ", ".join(f"`{name}` ×{count:g}" for name, count in c.get("per_account", {}).items())
            for network, c in extra.items()
        ]
    return lines
