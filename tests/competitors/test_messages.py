"""The competitor watch's messages: what they say next matches what the watch does, in both
languages, with the names people wrote escaped."""

from __future__ import annotations

from datetime import date

import pytest
from tests.competitors.test_service import block_text

from socialops.competitors import messages
from socialops.competitors.messages import UnreadableAccount
from socialops.notifications.catalogue import Reader
from socialops.visibility import REASONS, reason_code

RETRY = date(2026, 11, 27)


def unreadable(**overrides) -> UnreadableAccount:
    fields = {"network": "instagram", "handle": "perso", "owner": "Rival <!channel>",
              "code": "not_professional", "detail": "...", "retry_on": RETRY}  # fmt: skip
    return UnreadableAccount(**{**fields, **overrides})


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_unreadable_account_names_the_reason_and_the_day_it_is_tried_again(locale):
    message = messages.unreadable(Reader(locale, "Europe/Paris"), unreadable())
    text = block_text(message.block_dicts())
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert ("27 Nov 2026" if locale == "en" else "27 nov. 2026") in text
    assert ("business or creator" if locale == "en" else "professionnels ou créateurs") in text


def test_posts_only_says_the_audience_is_still_followed():
    item = unreadable(network="facebook", code="page_public_content", posts=True)
    text = block_text(messages.unreadable(Reader("en"), item).block_dicts())
    assert "audience is still followed" in text and "Page Public Content Access" in text


def test_an_unknown_reason_keeps_the_networks_words_for_the_task_log():
    item = unreadable(code="other", detail="weird <b>error</b>")
    text = block_text(messages.unreadable(Reader("en"), item).block_dicts())
    assert "weird" not in text and "details are in the task log" in text


@pytest.mark.parametrize(
    ("detail", "code"),
    [
        ("no such account (renamed or deleted)", "not_found"),
        ("[facebook] rival: reading the posts of a Page the token does not manage needs "
         "Meta's Page Public Content Access feature (app review)", "page_public_content"),
        ("[linkedin] LinkedIn's API gives no data on pages the connection does not administer",
         "no_api"),
        ("@locked is protected: its posts are not public", "protected"),
        ("suspended or withheld by X", "suspended"),
        ("something new", "other"),
    ],
)  # fmt: skip
def test_reason_codes_of_the_adapters_words(detail, code):
    assert reason_code(detail) == code
    assert code == "other" or code in REASONS
