from __future__ import annotations

import re
from datetime import date

import pytest
from tests.support.messages import EVIL_SHOWN, hostile_digest

from socialops.notifications.blocks import MAX_BLOCKS
from socialops.notifications.catalogue import Reader
from socialops.reports.messages import digest_message, digest_notice, slot_label
from socialops.reports.service import Digest

READERS = [Reader("fr", "Europe/Paris"), Reader("en", "Europe/Paris")]


def shown(message) -> str:
    parts = [message.text]
    for block in message.block_dicts():
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(parts)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.locale)
def test_every_part_is_there_with_its_values_escaped(reader):
    text = shown(digest_message(reader, hostile_digest()))
    assert EVIL_SHOWN in text and "<!channel>" not in text
    assert "<https://instagram.com/p/1?a=1&amp;b=%3C2%3E|" in text  # the best post's link
    assert re.search("12[,\u202f\u00a0]345 ", text)  # followers, the reader's way
    assert "▲" in text  # reach went up against the day before
    assert "linkedin" in text.lower()  # the network without figures is named


def test_the_two_languages_say_it_naturally():
    fr, en = (shown(digest_message(r, hostile_digest())) for r in READERS)
    assert "Point du matin — mar. 24 nov. 2026" in fr
    assert "Morning digest — Tue, 24 Nov 2026" in en
    assert "3 publications prévues aujourd’hui" in fr
    assert "3 posts scheduled today" in en
    assert "mar. 18:00" in fr and "Tue 18:00" in en
    assert "confiance élevée" in fr and "high confidence" in en


def test_long_lists_are_cut_and_counted_within_slack_limits():
    message = digest_message(READERS[1], hostile_digest(items=200))
    assert len(message.blocks) <= MAX_BLOCKS
    assert "… and 190 more." in shown(message)


def test_an_empty_digest_says_so_and_lists_nothing():
    message = digest_message(READERS[1], Digest(today=date(2026, 11, 24), day=date(2026, 11, 23)))
    text = shown(message)
    assert "No owned account in the configuration has figures yet." in text
    assert "not configured yet" in text  # listening stores nothing
    for part in ("Scheduled today", "Open alerts", "Live campaigns", "Best times", "Best post"):
        assert part not in text


def test_same_content_same_key_new_content_a_new_version_of_the_day():
    reader = READERS[1]
    day = date(2026, 11, 24)
    first = digest_notice("#cm-digest", digest_message(reader, hostile_digest()), day)
    again = digest_notice("#cm-digest", digest_message(reader, hostile_digest()), day)
    changed = digest_notice("#cm-digest", digest_message(reader, hostile_digest(items=4)), day)
    assert first.dedup_key == again.dedup_key
    assert changed.dedup_key != first.dedup_key
    assert first.updates == changed.updates == "reports:digest:2026-11-24"


def test_slot_labels_follow_the_locale():
    assert slot_label(READERS[0], 0, 9) == "lun. 09:00"
    assert slot_label(READERS[1], 6, 21) == "Sun 21:00"
