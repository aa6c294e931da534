"""User text from the calendar, a network's answer or a mention reaches Slack inert.

End to end: hostile calendar cells (pings, bold, code, a disguised link) are synced, one
entry is published and one refused with a hostile error, and the outbox is delivered to the
sandbox's Slack. Nothing Slack received may ping or format what a person wrote.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from tests.support.publishing import NOW, ScriptedNetwork

from socialops.calendar.sources import write_csv
from socialops.config import load_config
from socialops.hooks.slack import SlackSender
from socialops.networks.errors import InvalidRequest
from socialops.notifications.outbox import deliver_pending
from socialops.publishing import PublicationLedger, PublicationNotices, publish_one
from socialops.publishing.service import sync
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import Publication

HOSTILE = "@channel @here <!channel> <!here> *gras* `code` _it_ ~barré~ <https://evil.test|ok>"
PING = re.compile(r"<!(channel|here|everyone)>|<@U|(?<![\w\u2060])@(channel|here|everyone)\b")


@pytest.fixture
def config(tmp_path):
    base = load_config()
    calendar = base.publication.calendar.model_copy(update={"path": str(tmp_path / "cal.csv")})
    publication = base.publication.model_copy(update={"calendar": calendar})
    return base.model_copy(update={"publication": publication})


def row(entry_id, **cells):
    due = (NOW - timedelta(minutes=5)).isoformat()
    base = {"entry_id": entry_id, "scheduled_at": due, "networks": "x", "status": "approved"}
    return {**base, "text": f"Bonjour {HOSTILE}", **cells}


def slack_texts(sandbox) -> list[str]:
    """Every text Slack received: the fallback and each text object of the blocks."""
    found = []
    for messages in sandbox.world.slack.values():
        for message in messages:
            found.append(message.text)
            for block in message.blocks or []:
                found += re.findall(r'"text": "((?:[^"\\]|\\.)*)"', json.dumps(block))
    return found


@pytest.mark.integration
def test_calendar_and_network_text_reaches_slack_inert(
    config, warehouse_engine, sandbox_connections
):
    write_csv(
        config.publication.calendar.path,
        [
            row("ok"),
            row("refused"),
            row("bad", networks=f"x|{HOSTILE}", status=HOSTILE),  # a rejected row
        ],
    )
    sync(config, warehouse_engine, now=NOW)
    network = ScriptedNetwork()
    network.script = ["ok", InvalidRequest("x", f"text refused: {HOSTILE}")]
    notices = PublicationNotices.for_brand(config)
    ledger = PublicationLedger(warehouse_engine)
    with session_scope(warehouse_engine) as session:
        ids = list(
            session.scalars(Publication.__table__.select().with_only_columns(Publication.id))
        )
    for publication_id in ids:
        publish_one(
            ledger,
            publication_id,
            lambda: network,
            owner="run-1",
            now=NOW,
            grace=timedelta(hours=2),
            notices=notices,
            media_root=Path("."),
        )
    delivery = deliver_pending(warehouse_engine, SlackSender("slack_default"), now=NOW)
    assert delivery.stopped_by is None and delivery.sent >= 3  # rejected row, published, refused
    texts = slack_texts(sandbox_connections)
    assert any("Bonjour" in t or "gras" in t for t in texts)  # the user text is shown...
    for text in texts:
        assert not PING.search(text), text  # ...but never pings
        assert "<https://evil" not in text, text
        for markup in ("*gras*", "`code`", "_it_", "~barré~"):
            assert markup not in text, (markup, text)
