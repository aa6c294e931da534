"""The message catalogue: both languages, escaping of every user value, Slack limits."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime

import pytest

from socialops.metrics import messages as metrics_messages
from socialops.metrics.messages import data_quality_failure, extraction_failure
from socialops.notifications import callbacks, catalogue
from socialops.notifications.blocks import MAX_BLOCKS, MAX_SECTION_TEXT, Message
from socialops.notifications.callbacks import task_failure
from socialops.notifications.catalogue import TEXTS
from socialops.publishing import messages as publishing_messages
from socialops.publishing.messages import (
    PausedEntry,
    Rejection,
    post_published,
    publication_failed,
    publication_paused,
    rejected_rows,
)

#: Every module that builds messages from the catalogue.
MESSAGE_MODULES = (publishing_messages, metrics_messages, callbacks)

EVIL = "<!channel> & <@U123>"


def _all_text(message: Message) -> str:
    parts = [message.text]
    for block in message.blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(parts)


def _examples(locale: str) -> dict[str, Message]:
    """Every message, with hostile text in every user-provided value."""
    return {
        "post_published": post_published(
            locale, network="x", account=EVIL, entry_id=EVIL, url="https://x.com/m/status/1"
        ),
        "publication_failed": publication_failed(
            locale, network="linkedin", entry_id=EVIL, reason=EVIL, action=EVIL
        ),
        "rejected_rows": rejected_rows(locale, [Rejection(EVIL, EVIL, EVIL)], source=EVIL),
        "publication_paused": publication_paused(
            locale,
            [PausedEntry(EVIL, "instagram", datetime(2026, 11, 21, 18, tzinfo=UTC))],
            reason=EVIL,
        ),
        "data_quality_failure": data_quality_failure(locale, check=EVIL, problems=[EVIL]),
        "extraction_failure": extraction_failure(
            locale, network="youtube", account=EVIL, error=EVIL, action=EVIL
        ),
        "task_failure": task_failure(
            locale,
            dag_id=EVIL,
            task_id="t",
            run_id=EVIL,
            error=EVIL,
            log_url="https://airflow/log?a=1&b=2",
        ),
    }


def test_every_template_exists_in_both_languages_with_the_same_fields():
    for key, by_locale in TEXTS.items():
        assert set(by_locale) == {"fr", "en"}, key
        fields = {locale: set(re.findall(r"\{(\w+)\}", text)) for locale, text in by_locale.items()}
        assert fields["fr"] == fields["en"], key


def test_every_public_message_function_is_covered():
    public = {
        name
        for module in MESSAGE_MODULES
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and value.__module__ == module.__name__
        and value.__annotations__.get("return") == "Message"
    }
    assert public == set(_examples("en"))


def test_plain_phrases_and_times_for_other_builders():
    assert catalogue.phrase("fr", "publication_refused_action", entry="e1", network="x").startswith(
        "corrigez l'entrée e1 pour x"
    )
    with pytest.raises(ValueError, match="brand.locale must be one of fr, en"):
        catalogue.phrase("de", "publication_missed_action")
    when = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert catalogue.local_time(when, "Europe/Paris") == "2026-11-22 11:00 CET"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_user_values_are_escaped_everywhere(locale):
    for name, message in _examples(locale).items():
        text = _all_text(message)
        assert "<!channel>" not in text and "<@U123>" not in text, name
        assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in text, name


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_messages_are_within_slack_limits(locale):
    for name, message in _examples(locale).items():
        assert message.text and message.blocks, name
        assert len(message.blocks) <= MAX_BLOCKS
        assert all(
            len(b["text"]["text"]) <= MAX_SECTION_TEXT
            for b in message.blocks
            if b["type"] == "section"
        )


def test_languages_differ():
    assert _examples("fr")["publication_failed"].text.startswith(
        ":x: *Échec de publication* sur LinkedIn"
    )
    assert _examples("en")["publication_failed"].text.startswith(
        ":x: *Publication failed* on LinkedIn"
    )


def test_post_published_links_to_the_post():
    message = post_published(
        "fr",
        network="instagram",
        account="maisonlumiere",
        entry_id="e1",
        url="https://instagram.com/p/abc",
    )
    assert (
        message.text
        == ":white_check_mark: Publié sur Instagram (maisonlumiere) : <https://instagram.com/p/abc|voir la publication>"
    )
    assert message.blocks[1]["elements"][0]["text"] == "Entrée du calendrier `e1`"


def test_publication_failed_says_why_and_what_to_do():
    message = publication_failed(
        "en", network="x", entry_id="e1", reason="token expired", action="renew x_default"
    )
    texts = [b["text"]["text"] for b in message.blocks]
    assert texts[1:] == ["*Reason:* token expired", "*What to do:* renew x_default"]


def test_long_rejection_lists_are_split_and_counted():
    rejections = [
        Rejection(f"row-{i}", "text", "trop long de 12 caractères " + "x" * 200)
        for i in range(1000)
    ]
    message = rejected_rows("fr", rejections, source="include/calendar/calendar.csv")
    assert len(message.blocks) == MAX_BLOCKS
    shown = sum(
        b["text"]["text"].count("• `row-") for b in message.blocks if b["type"] == "section"
    )
    hidden = int(re.search(r"et (\d+) de plus", message.blocks[-1]["elements"][0]["text"])[1])
    assert shown + hidden == 1000
    assert message.text.startswith(":warning: *1000 ligne(s) du calendrier rejetée(s)*")


def test_paused_list_shows_each_entry_and_how_to_resume():
    message = publication_paused(
        "en",
        [
            PausedEntry("e1", "x", datetime(2026, 11, 21, 18, tzinfo=UTC)),
            PausedEntry("e2", "linkedin", "2026-11-22 09:00"),
        ],
    )
    assert "publication.paused" in message.blocks[1]["elements"][0]["text"]
    assert (
        message.blocks[2]["text"]["text"]
        == "• `e1` · X · due 2026-11-21 18:00 UTC\n• `e2` · LinkedIn · due 2026-11-22 09:00"
    )


def test_task_failure_has_the_log_link():
    message = task_failure(
        "en",
        dag_id="publish_posts",
        task_id="publish",
        run_id="r1",
        error="boom",
        log_url="https://airflow/log?a=1&b=2",
    )
    assert message.text == ":red_circle: *Task failed* `publish_posts.publish` (run `r1`): boom"
    assert (
        message.blocks[1]["elements"][0]["text"]
        == "Task log: <https://airflow/log?a=1&amp;b=2|open>"
    )


def test_unknown_locale_is_refused():
    with pytest.raises(ValueError, match="brand.locale must be one of fr, en"):
        post_published("de", network="x", account="a", entry_id="e", url=None)
