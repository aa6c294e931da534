"""Block Kit through slack_sdk.models, within Slack's limits: long values are cut, not raised."""

from __future__ import annotations

import re

from slack_sdk.models.blocks import SectionBlock

from socialops.notifications.blocks import (
    MAX_BLOCKS,
    MAX_HEADER_TEXT,
    MAX_SECTION_TEXT,
    Message,
    context,
    header,
    section,
)
from socialops.notifications.catalogue import Reader


def test_over_long_texts_are_cut_where_slack_sdk_would_raise():
    blocks = [section("é" * 10_000), header("h" * 500), context("c" * 10_000)]
    dicts = Message("t" * 50_000, blocks).block_dicts()  # slack_sdk validates: no raise
    assert len(dicts[0]["text"]["text"]) == MAX_SECTION_TEXT
    assert dicts[0]["text"]["text"].endswith("…")
    assert len(dicts[1]["text"]["text"]) == MAX_HEADER_TEXT
    assert dicts[1]["text"]["type"] == "plain_text"
    assert len(Message("t" * 50_000, blocks).text) == 3000


def test_blocks_are_slack_sdk_objects_and_json():
    message = Message("hello", [section("*a*")])
    assert isinstance(message.blocks[0], SectionBlock)
    assert message.block_dicts() == [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*a*", "verbatim": True}}
    ]


def test_long_lists_are_split_and_the_rest_counted():
    reader = Reader("fr")
    lines = [f"`row-{i}` · " + "x" * 200 for i in range(1000)]
    blocks = reader.with_list([section("titre")], lines)
    assert len(blocks) == MAX_BLOCKS
    dicts = [b.to_dict() for b in blocks]
    shown = sum(d["text"]["text"].count("• `row-") for d in dicts if d["type"] == "section")
    hidden = int(
        re.search(r"et (\d[\d\u202f]*) de plus", dicts[-1]["elements"][0]["text"])[1].replace(
            "\u202f", ""
        )
    )
    assert shown + hidden == 1000


def test_room_can_be_kept_for_what_follows_a_list():
    reader = Reader("en")
    blocks = reader.with_list([section("t")], ["x" * 2900] * 100, reserve=3)
    assert len(blocks) == MAX_BLOCKS - 3
    assert "… and" in blocks[-1].to_dict()["elements"][0]["text"]


def test_a_message_never_has_more_than_50_blocks():
    assert len(Message("t", [section(str(i)) for i in range(80)]).blocks) == MAX_BLOCKS
