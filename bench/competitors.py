"""The competitor watch of the example brand: API calls per network against the minimum.

The default sandbox world (``include/scenarios/default.yaml``, clock frozen) and the example
configuration's competitors; each network's watch of one day runs in this process against
the sandbox over real HTTP, on a SQLite warehouse, twice: the first day (handles to resolve)
and the next (ids known, YouTube looks channels up 50 per call). The minimum is what the APIs
allow for the same work (:data:`MINIMUM_CALLS`).
"""

from __future__ import annotations

import math
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import machine_line, migrated_warehouse
from bench import table as markdown_table

DAY = date(2026, 11, 20)
NOW = datetime.fromisoformat("2026-11-21T05:30:00+00:00")


def pages(items: int, size: int) -> int:
    return max(1, math.ceil(items / size))


def minimum_calls(network: str, asked: int, posts: list[int], *, ids_known: bool) -> int:
    """The fewest requests to look up ``asked`` accounts and list the posts of the readable
    ones (``posts``: how many each has in the window)."""
    if network == "x":
        return pages(asked, 100) + sum(pages(n, 100) for n in posts)
    if network == "instagram":
        # The own account's id (once), then one discovery per account: profile and media.
        return 1 + asked
    if network == "youtube":
        lookups = pages(asked, 50) if ids_known else asked  # forHandle takes one handle
        return 1 + lookups + sum(pages(n, 50) + pages(n, 50) for n in posts)  # + OAuth token
    if network == "facebook":
        # The Pages 50 per call; to list posts, the own Page's id (once) and one listing each.
        return pages(asked, 50) + (1 + len(posts) if posts else 0)
    return 0  # LinkedIn: nothing to ask


def run(pg_url: str, *, quick: bool) -> dict[str, Any]:
    from sqlalchemy import func, select

    from socialops.competitors.service import (
        POSTS_PURPOSE,
        PURPOSE,
        NetworkWatch,
        targets_from_config,
    )
    from socialops.config import load_config
    from socialops.networks import ConnectionSettings, build_adapter
    from socialops.notifications.catalogue import Reader
    from socialops.sandbox import Sandbox, SandboxServer, emulator_types
    from socialops.sandbox.scenario import load_scenario
    from socialops.warehouse.engine import create_warehouse_engine
    from socialops.warehouse.models import CompetitorPost
    from socialops.warehouse.unreadable import unreadable

    config = load_config()
    networks = sorted({a.network for c in config.competitors for a in c.accounts})
    spec = load_scenario()
    figures: dict[str, Any] = {"days": {}}
    with (
        tempfile.TemporaryDirectory() as workdir,
        migrated_warehouse("sqlite", pg_url=pg_url, workdir=Path(workdir)) as url,
    ):
        engine = create_warehouse_engine(url)
        world = lambda: spec.build_world(now=NOW)  # noqa: E731
        with SandboxServer(Sandbox(world, emulator_types(networks))) as server:
            for label, day in (("first day", DAY), ("next day", DAY + timedelta(days=1))):
                rows = []
                for network in networks:
                    emulator = type(server.sandbox.emulators[network])
                    settings = ConnectionSettings.from_json(
                        emulator.connection(server.url), emulator.conn_id
                    )
                    adapter = build_adapter(network, settings)
                    targets = targets_from_config(config, network)
                    skipped = unreadable(engine, PURPOSE, network, day)
                    no_posts = unreadable(engine, POSTS_PURPOSE, network, day)
                    result = NetworkWatch(
                        adapter,
                        engine,
                        reader=Reader.for_brand(config),
                        channel=config.slack.channels.digest,
                        window_days=config.competitor_watch.window_days,
                        retry_days=config.competitor_watch.retry_unreadable_days,
                    ).run(targets, day)
                    adapter.close()
                    with engine.connect() as connection:
                        posts = [
                            connection.execute(
                                select(func.count()).where(
                                    CompetitorPost.network == network,
                                    CompetitorPost.handle == handle,
                                )
                            ).scalar()
                            for handle in result.watched
                            if handle.casefold() not in no_posts
                        ]
                    made = sum(result.api_calls.values())
                    asked = len([t for t in targets if t.key not in skipped])
                    least = minimum_calls(network, asked, posts, ids_known=day != DAY)
                    rows.append(
                        {
                            "network": network,
                            "asked": asked,
                            "accounts": len(result.watched),
                            "posts": sum(posts),
                            "calls": made,
                            "minimum": least,
                            "by_endpoint": result.api_calls,
                        }
                    )
                figures["days"][label] = rows
        engine.dispose()
    return figures


def report(data: dict[str, Any]) -> list[str]:
    lines = [
        "## Competitor watch: API calls of the example brand",
        "",
        machine_line(data["machine"]),
        "",
    ]
    lines.append(
        "Each network's watch of one day against the default sandbox world (clock frozen), "
        "the first day (handles to resolve, unreadable accounts found) and the next (ids known, "
        "unreadable accounts and hidden posts not asked again); the minimum is what the APIs "
        "allow for the same lookups and listings (`bench/competitors.py`)."
    )
    lines.append("")
    for label, rows in data["results"]["days"].items():
        lines += [f"**{label}**", ""]
        lines += markdown_table(
            ["network", "accounts asked", "read", "posts read", "calls", "minimum"],
            [
                [r["network"], r["asked"], r["accounts"], r["posts"], r["calls"], r["minimum"]]
                for r in rows
            ],
        )
        lines.append("")
    return lines
