"""Every message, in both languages, with hostile values: nothing pings, nothing formats,
nothing breaks a link, nothing exceeds Slack's limits (tests/support/messages.py builds them)."""

from __future__ import annotations

import inspect
import json
import re

import pytest
from tests.support.messages import BUILDERS, EVIL_SHOWN, MESSAGE_MODULES, examples

from socialops.notifications.blocks import MAX_BLOCKS, MAX_HEADER_TEXT, MAX_SECTION_TEXT
from socialops.notifications.catalogue import Reader

READERS = [Reader("fr", "Europe/Paris"), Reader("en", "Europe/Paris")]


def texts(message) -> list[str]:
    """Every text Slack shows of ``message``: the fallback and each text object."""
    found = [message.text]
    for block in message.block_dicts():
        if "text" in block:
            found.append(block["text"]["text"])
        found += [element["text"] for element in block.get("elements", [])]
    return found


def test_every_message_builder_has_an_example():
    public = {
        name
        for module in MESSAGE_MODULES
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
        and inspect.signature(value).return_annotation == "Message"
    }
    assert public == BUILDERS
    names = set(examples(READERS[0]))
    assert all(any(name.startswith(builder) for name in names) for builder in BUILDERS)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.locale)
def test_user_values_cannot_ping_format_or_link(reader):
    for name, message in examples(reader).items():
        for text in texts(message):
            assert "<!channel>" not in text and "<@U123>" not in text, name
            assert "<https://evil" not in text, name
            assert not re.search(r"@(channel|here|everyone)\b", text), name
            assert text.count("`") % 2 == 0, (name, text)  # no code span left open
            for match in re.finditer(r"&lt;!channel&gt;.*?fin", text):
                part, in_code = match.group(), text[: match.start()].count("`") % 2 == 1
                assert "\n" not in part, (name, part)  # no new line: no fake line, no quote
                # Inside a code span only a backtick could act; elsewhere every markup sign.
                markup = r"`" if in_code else r"[*~`]|(?<![^\W_])_|_(?![^\W_])"
                assert not re.search(markup, part), (name, part)


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.locale)
def test_hostile_values_are_shown_not_dropped(reader):
    shown = {name: "\n".join(texts(m)) for name, m in examples(reader).items()}
    for name in (
        "entry_published",
        "rejected_rows",
        "publication_paused_variable",
        "publications_missed",
        "publication_failed_auth",
        "live_although_withdrawn_held",
        "withdrawn_not_found_cancelled_cancelled",
        "publication_backed_off",
        "publications_missed_back_off",
        "edited_after_publication",
        "rows_removed",
        "removal_held",
        "publication_failed_ambiguous",
        "publication_failed_ambiguous_hidden",
        "publication_failed_id_taken",
        "extraction_failure_AuthError",
        "data_quality_failure_negative_count",
        "task_failure",
        "ops_details",
        "digest_message",
    ):
        assert EVIL_SHOWN in shown[name], name


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.locale)
def test_messages_are_within_slack_limits_and_valid_block_kit(reader):
    for name, message in examples(reader).items():
        blocks = message.block_dicts()  # slack_sdk validates each block here
        assert message.text and blocks, name
        assert len(blocks) <= MAX_BLOCKS, name
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT, name
                assert block["text"]["verbatim"] is True, name
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= MAX_HEADER_TEXT, name
        json.dumps(blocks)  # what the outbox stores


def test_the_languages_differ_and_follow_the_locale():
    fr, en = (examples(reader) for reader in READERS)
    assert fr["publication_failed_invalid"].text.startswith(":x: *Échec de publication* sur X")
    assert en["publication_failed_invalid"].text.startswith(":x: *Publication failed* on X")
    assert "mar. 24 nov. 2026 à 18:30 UTC+1" in "\n".join(texts(fr["entry_published"]))
    assert "Tue, 24 Nov 2026 at 18:30 UTC+1" in "\n".join(texts(en["entry_published"]))


@pytest.mark.parametrize("reader", READERS, ids=lambda r: r.locale)
def test_our_own_markup_is_never_escaped_twice(reader):
    """Escaping a rendered part again would show ˋcodeˋ, ∗bold∗ or &amp;lt; in our words."""
    for name, message in examples(reader).items():
        for text in texts(message):
            # (the media cell is split at "|" and new lines: EVIL ends early there)
            ours = re.sub(r"&lt;!channel&gt;.*?(fin|&lt;https:)", "", text)
            assert not re.search("[\u02cb\u2217\u223c]|&amp;(lt|gt|amp);", ours), (name, ours)
