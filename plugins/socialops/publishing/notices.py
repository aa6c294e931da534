"""The Slack messages of the publication flow, with the dedup keys that make them say things once.

Messages go to the notification outbox (written in the same transaction as the state change
that caused them) and are delivered by the DAG's last task. A dedup key is derived from
*what* is announced, so that a run every five minutes does not repeat the same rejected
rows, pause list or failure: a new problem, or a changed list, is a new key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from socialops.calendar.entries import Problem
from socialops.networks.errors import AuthError, NetworkError
from socialops.networks.records import Receipt
from socialops.publishing.ledger import Claim, Notice

TEMPLATES: dict[str, dict[str, str]] = {
    "post_published": {
        "en": ":white_check_mark: Published on {network} (@{account}), entry {entry}: {url}",
        "fr": ":white_check_mark: Publié sur {network} (@{account}), entrée {entry} : {url}",
    },
    "publication_failed": {
        "en": ":x: Entry {entry} was not published on {network} (@{account}): {reason}\nWhat to do: {action}",
        "fr": ":x: L'entrée {entry} n'a pas été publiée sur {network} (@{account}) : {reason}\nÀ faire : {action}",
    },
    "publication_missed": {
        "en": ":warning: Entry {entry} on {network} was due at {scheduled_at}, more than {grace_minutes} min ago, "
        "and was not published. It waits: change its time in the calendar to publish it.",
        "fr": ":warning: L'entrée {entry} sur {network} était prévue à {scheduled_at}, il y a plus de "
        "{grace_minutes} min, et n'a pas été publiée. Elle attend : changez son heure dans le calendrier pour la publier.",
    },
    "rejected_rows": {
        "en": ":memo: {count} calendar row(s) of {source} cannot be published until fixed "
        "(the other rows go out as planned):\n{rows}",
        "fr": ":memo: {count} ligne(s) du calendrier {source} ne peuvent pas être publiées avant correction "
        "(les autres partent comme prévu) :\n{rows}",
    },
    "publication_paused": {
        "en": ":double_vertical_bar: Publication is paused ({reason}). {count} due post(s) wait:\n{entries}",
        "fr": ":double_vertical_bar: La publication est en pause ({reason}). {count} publication(s) en attente :\n{entries}",
    },
}

#: Listing more than this many rows in one message helps nobody; the rest is counted.
MAX_LISTED = 20


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


class PublicationNotices:
    """Builds the outbox :class:`Notice` of each event for one channel, locale and time zone."""

    def __init__(self, channel: str, *, locale: str = "en", timezone: str = "UTC"):
        self.channel = channel
        self.locale = locale
        self.tz = ZoneInfo(timezone)

    def _local(self, when: datetime) -> str:
        return when.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    def _notice(self, key: str, message: str, **params: object) -> Notice:
        escaped = {
            name: escape(str(value)) if isinstance(value, str) else value
            for name, value in params.items()
        }
        template = TEMPLATES[message].get(self.locale) or TEMPLATES[message]["en"]
        return Notice(key, self.channel, template.format(**escaped))

    def published(self, claim: Claim, receipt: Receipt) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:published",
            "post_published",
            network=claim.network,
            account=claim.account,
            entry=claim.entry_id,
            url=receipt.url,
        )

    def failed(self, claim: Claim, error: NetworkError) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:failed:{_digest([type(error).__name__, str(error)])}",
            "publication_failed",
            network=claim.network,
            account=claim.account,
            entry=claim.entry_id,
            reason=str(error),
            action=what_to_do(error, claim),
        )

    def unverifiable(self, claim: Claim, error: NetworkError) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:unverifiable",
            "publication_failed",
            network=claim.network,
            account=claim.account,
            entry=claim.entry_id,
            reason=str(error),
            action=(
                "an earlier attempt may have gone out and this network cannot be searched: check "
                f"@{claim.account} on {claim.network}, then set the publication to published or pending"
            ),
        )

    def missed(
        self, entry_id: str, network: str, scheduled_at: datetime, grace: timedelta
    ) -> Notice:
        return self._notice(
            f"publication:{entry_id}:{network}:missed:{scheduled_at.isoformat()}",
            "publication_missed",
            network=network,
            entry=entry_id,
            scheduled_at=self._local(scheduled_at),
            grace_minutes=int(grace.total_seconds() // 60),
        )

    def rejected_rows(self, problems: Sequence[Problem], source: str) -> Notice:
        lines = [str(p) for p in problems]
        return self._notice(
            f"calendar:rejected:{_digest(lines)}",
            "rejected_rows",
            source=source,
            count=len({(p.row, p.entry_id) for p in problems}),
            rows="\n".join(f"• {line}" for line in lines[:MAX_LISTED])
            + (f"\n… +{len(lines) - MAX_LISTED}" if len(lines) > MAX_LISTED else ""),
        )

    def paused(self, waiting: Sequence[tuple[int, str, str, datetime]], reason: str) -> Notice:
        lines = [f"{entry} ({network}, {self._local(when)})" for _, entry, network, when in waiting]
        return self._notice(
            f"publication:paused:{_digest([str(row[0]) for row in waiting])}",
            "publication_paused",
            reason=reason,
            count=len(waiting),
            entries="\n".join(f"• {line}" for line in lines[:MAX_LISTED])
            + (f"\n… +{len(lines) - MAX_LISTED}" if len(lines) > MAX_LISTED else ""),
        )


def escape(text: str) -> str:
    """Slack's three control characters; a calendar text can then never ping ``<!channel>``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def what_to_do(error: NetworkError, claim: Claim) -> str:
    """The action a person can take, in the words of the error's hint when it has one."""
    if isinstance(error, AuthError):
        return error.hint or f"renew the token in Airflow connection '{error.conn_id}'"
    if error.hint:
        return error.hint
    return (
        f"fix entry {claim.entry_id} for {claim.network} in the calendar (the network refused it)"
    )
