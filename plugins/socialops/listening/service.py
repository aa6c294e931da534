"""Listening's work: read one source, score its mentions, store them with the cursor; watch
the stored mentions for a crisis and announce it once.

:func:`listen` is one mapped task of ``listen_mentions``. :func:`watch` runs the detector of
:mod:`socialops.analytics.crisis` from its stored state over the brand's mentions per
interval (the live run and ``python -m socialops crisis backtest`` run the same code), and
turns each event of an incident into a version of one Slack message (the outbox's
``updates`` key: opened, escalated, calmer, all clear), pausing publication on a ``crisis``
when ``thresholds.crisis.pause_publication`` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from socialops.listening import store
from socialops.listening.sources import Context, Position, Reading, Source, read

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from socialops.analytics.crisis import Incident, IncidentEvent
    from socialops.config.schema import BrandConfig

log = logging.getLogger(__name__)

#: The detector's interval: mentions are counted per 5 minutes.
STEP = timedelta(minutes=5)
#: The cursor key of the detector's state for the brand's series.
SCOPE = "brand"
#: An event older than this when first seen (the first run over a stored history) is
#: recorded, not announced: the alert is about now.
ANNOUNCE_WITHIN = timedelta(hours=1)
WARNING_LEVEL, CRISIS = "warning", "crisis"


def scored_rows(reading: Reading, now: datetime) -> list[dict[str, Any]]:
    """The reading's mentions as ``mentions`` rows, with language and sentiment (fr/en)."""
    from socialops.analytics.sentiment import score_many

    results = score_many([m.text or "" for m in reading.mentions])
    return [
        {
            "network": m.network,
            "mention_id": m.mention_id,
            "kind": m.kind,
            "author_id": m.author_id,
            "author_handle": m.author_handle,
            "text": m.text,
            "lang": result.lang,
            "sentiment": result.score,
            "sentiment_label": result.label,
            "created_at": m.created_at,
            "in_reply_to": m.in_reply_to,
            "url": m.url,
            "likes": m.likes,
            "matched_query": reading.matched.get(m.mention_id),
            "needs_reply": needs_reply(m, result.label, reading),
            "source": reading.source.key,
            "author_reach": m.author_reach,
            "extracted_at": now,
        }
        for m, result in zip(reading.mentions, results, strict=True)
    ]


def needs_reply(mention, label: str, reading: Reading) -> bool | None:
    """A comment on an own post that asks something or complains, and that the brand has
    not answered in its thread since (None for a mention that is not a comment)."""
    if mention.kind != "comment":
        return None
    asks = "?" in (mention.text or "") or label == "negative"
    return asks and not reading.answered_after(mention)


def listen(
    engine: Engine,
    source: Source,
    context: Context,
    *,
    before_cursor: Callable[[Connection], None] | None = None,
) -> dict[str, Any]:
    """Read ``source`` from its cursor, store the new mentions and the cursor together."""
    position = Position.from_dict(store.read_position(engine, source.key))
    reading = read(source, position, context)
    rows = scored_rows(reading, context.now)
    new = store.save(
        engine,
        source.key,
        rows,
        reading.position.as_dict(),
        context.now,
        answered={(source.network, post): at for post, at in reading.answered.items()},
        before_cursor=before_cursor,
    )
    for note in reading.notes:
        log.info("%s: %s", source.key, note)
    negative = sum(row["sentiment_label"] == "negative" for row in rows)
    return {"source": source.key, "read": len(rows), "new": new, "negative": negative}


# -- the crisis watch -----------------------------------------------------------------------


@dataclass
class Watch:
    """What one watch did: the events it saw, the notices it wrote, whether it paused."""

    events: list[dict[str, Any]] = field(default_factory=list)
    notices: int = 0
    paused: bool = False

    def summary(self) -> dict[str, Any]:
        return {"events": self.events, "notices": self.notices, "paused": self.paused}


def watch(
    engine: Engine,
    config: BrandConfig,
    now: datetime,
    *,
    set_variable: Callable[[str, str], None] | None = None,
) -> Watch:
    """Run the detector over the intervals completed since its last run and announce
    each new event of an incident (``set_variable`` writes the publication pause)."""
    from socialops.analytics.crisis import HISTORY, CrisisSettings, DetectorState, detect

    settings = CrisisSettings.from_thresholds(
        config.thresholds.crisis, timezone=config.brand.timezone
    )
    key = f"crisis:{SCOPE}"
    stored = store.read_position(engine, key)
    state = DetectorState.from_dict(stored["state"]) if stored and stored.get("state") else None
    end = floor_time(now, STEP)  # the interval in progress is not counted yet
    if state is None:
        start = end - HISTORY
    else:
        start = max(state.series_start, state.last_timestamp + STEP - HISTORY)
    mentions = store.mentions_since(engine, start)
    series = _series(mentions, start, end)
    outcome = Watch()
    if series.empty or (state and series["timestamp"].iloc[-1] <= state.last_timestamp):
        return outcome
    detection = detect(series, settings, state=state)
    incidents = {incident.start: incident for incident in detection.incidents}
    from socialops.warehouse.engine import session_scope

    with session_scope(engine) as session:
        for event in detection.events:
            outcome.events.append(
                {"time": event.time.isoformat(), "kind": event.kind, "severity": event.severity}
            )
            written, paused = _announce(
                session, config, _incident_of(event, incidents), event, mentions, now, set_variable
            )
            outcome.notices += written
            outcome.paused |= paused
        new_state = detection.state.as_dict() if detection.state else None
        store.write_position(session.connection(), key, {"state": new_state}, now)
    return outcome


def _series(mentions, start: datetime, end: datetime):
    from socialops.analytics.crisis import mention_series

    return mention_series(mentions, step=STEP, start=start, end=end)


def _incident_of(event: IncidentEvent, incidents: dict[datetime, Incident]) -> Incident:
    """The incident an event belongs to: the latest that started at or before it."""
    starts = [start for start in incidents if start <= event.time]
    return incidents[max(starts)]


def _announce(session, config, incident, event, mentions, now, set_variable):
    """Record one event of ``incident`` and write its notices (a new version of the
    incident's message and, after the first, a reply in its thread), pausing publication on
    a crisis when configured. Returns (notices written, paused now)."""
    from socialops.listening import messages
    from socialops.notifications.outbox import Notice, add_notice
    from socialops.publishing.pause import pause

    connection = session.connection()
    started = incident.start
    known = store.incident(connection, SCOPE, started)
    number = (known["events"] if known else 0) + 1
    updates = f"crisis:{SCOPE}:{started.isoformat()}"
    announced = store.announced(connection, updates)
    history = now - event.time > ANNOUNCE_WITHIN and not announced
    # An incident nobody was told about ends (or calms down) in silence: an all-clear for an
    # alert that was never sent is noise.
    history = history or (event.kind in ("cleared", "de-escalated") and not announced)
    was_paused = bool(known and known["paused_publication"])
    pausing = (
        event.severity == CRISIS
        and config.thresholds.crisis.pause_publication
        and not was_paused
        and not history
        and set_variable is not None
    )
    if pausing:
        pause(set_variable, f"crisis alert of {started.isoformat(timespec='minutes')}")
    reached = {known["severity"] if known else None, event.severity}
    severity = CRISIS if CRISIS in reached else WARNING_LEVEL
    store.write_incident(
        connection,
        {
            "scope": SCOPE,
            "started_at": started,
            "severity": severity,
            "current": event.severity,
            "ended_at": event.time if event.kind == "cleared" else None,
            "reason": known["reason"] if known and event.kind == "cleared" else event.reason,
            "events": number,
            "paused_publication": was_paused or pausing,
            "updated_at": now,
        },
    )
    if history:
        log.info("crisis event %s of %s is history: recorded, not announced", event.kind, started)
        return 0, False
    message = messages.crisis_alert(
        config,
        event,
        started=started,
        until=event.time + STEP,
        severity=severity,
        mentions=mentions,
        paused=was_paused or pausing,
        paused_now=pausing,
    )
    channel = config.slack.channels.alerts
    # The alert shows where the incident stands (each event edits it); every event after the
    # first is also a reply in the alert's thread, so the thread tells what happened when.
    replied = announced
    written = int(
        add_notice(session, Notice.of(f"{updates}:{number}", channel, message, updates=updates))
    )
    if replied:
        reply = Notice.of(f"{updates}:{number}:thread", channel, message, thread=updates)
        written += int(add_notice(session, reply))
    return written, pausing


def floor_time(moment: datetime, step: timedelta) -> datetime:
    """``moment`` rounded down to a multiple of ``step`` since the epoch."""
    seconds = int(step.total_seconds())
    stamp = int(moment.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(stamp, moment.tzinfo)
