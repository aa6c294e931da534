"""The Slack messages of the publication flow, and the dedup keys that make them say things once.

Messages are built from the shared catalogue (:mod:`socialops.notifications.catalogue`,
which escapes every value) and written to the notification outbox in the same transaction as the
state change that caused them; the DAG's last task delivers them (:mod:`.outbox`). A dedup
key is derived from *what* is announced, so a run every five minutes does not repeat the
same rejected rows, pause list or failure: a new problem, or a changed list, is a new key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from socialops.calendar.entries import Problem
from socialops.config.schema import BrandConfig
from socialops.networks.errors import AuthError, NetworkError
from socialops.networks.records import Receipt
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import (
    Locale,
    local_time,
    network_name,
    phrase,
    render,
    when,
    with_list,
)
from socialops.notifications.mrkdwn import escape, link
from socialops.notifications.outbox import Notice
from socialops.publishing.store import Claim


@dataclass(frozen=True)
class PausedEntry:
    entry_id: str
    network: str
    scheduled_at: datetime | str


@dataclass(frozen=True)
class Rejection:
    """One calendar row refused by validation."""

    entry_id: str
    field: str
    problem: str


def post_published(
    locale: Locale, *, network: str, account: str, entry_id: str, url: str | None
) -> Message:
    """Confirmation that a calendar entry went out, with the link to the post."""
    target = link(url, render("post_link_label", locale)) if url else escape("—")
    headline = render(
        "post_published", locale, network=network_name(network), account=account, link=target
    )
    return Message(
        headline,
        [section(headline), context(render("post_published_entry", locale, entry_id=entry_id))],
    )


def publication_failed(
    locale: Locale, *, network: str, entry_id: str, reason: str, action: str
) -> Message:
    """A post that could not be published: why (the error), and what a person should do."""
    headline = render(
        "publication_failed", locale, network=network_name(network), entry_id=entry_id
    )
    blocks = [
        section(headline),
        section(render("publication_failed_reason", locale, reason=reason)),
        section(render("publication_failed_action", locale, action=action)),
    ]
    return Message(f"{headline} — {escape(reason)}", blocks)


def rejected_rows(locale: Locale, rejections: Sequence[Rejection], *, source: str) -> Message:
    """One summary of the calendar rows refused by validation, each with its field and fix."""
    headline = render("rejected_rows", locale, count=len(rejections), source=source)
    lines = [
        render("rejected_row", locale, entry_id=r.entry_id, field=r.field, problem=r.problem)
        for r in rejections
    ]
    return Message(headline, with_list(headline, lines, locale))


def publication_paused(
    locale: Locale, entries: Sequence[PausedEntry], *, reason: str = ""
) -> Message:
    """The posts held back by the kill switch, so nobody thinks they went out."""
    headline = render("publication_paused", locale, count=len(entries), reason=reason)
    lines = [
        render(
            "paused_entry",
            locale,
            entry_id=e.entry_id,
            network=network_name(e.network),
            when=when(e.scheduled_at),
        )
        for e in entries
    ]
    return Message(
        headline, with_list(headline, lines, locale, render("publication_paused_resume", locale))
    )


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


class PublicationNotices:
    """Builds the outbox :class:`Notice` of each event, in the brand's locale and time zone.

    Confirmations go to ``channel`` (the digest); everything that needs a person goes to
    ``alerts_channel`` (defaults to ``channel``).
    """

    def __init__(
        self,
        channel: str,
        *,
        alerts_channel: str | None = None,
        locale: str = "en",
        timezone: str = "UTC",
    ):
        self.channel = channel
        self.alerts_channel = alerts_channel or channel
        self.locale = locale
        self.timezone = timezone

    def _local(self, when: datetime) -> str:
        return local_time(when, self.timezone)

    def _phrase(self, key: str, **values: str) -> str:
        return phrase(self.locale, key, **values)

    def _notice(self, key: str, message: Message, *, alert: bool = True) -> Notice:
        channel = self.alerts_channel if alert else self.channel
        return Notice(key, channel, message.text, message.blocks)

    def published(self, claim: Claim, receipt: Receipt) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:published",
            post_published(
                self.locale,
                network=claim.network,
                account=claim.account,
                entry_id=claim.entry_id,
                url=receipt.url,
            ),
            alert=False,
        )

    def _failure(self, key: str, network: str, entry_id: str, reason: str, action: str) -> Notice:
        return self._notice(
            key,
            publication_failed(
                self.locale, network=network, entry_id=entry_id, reason=reason, action=action
            ),
        )

    def failed(self, claim: Claim, error: NetworkError) -> Notice:
        return self._failure(
            f"publication:{claim.publication_id}:failed:{_digest([type(error).__name__, str(error)])}",
            claim.network,
            claim.entry_id,
            str(error),
            self.what_to_do(error, claim),
        )

    def unverifiable(self, claim: Claim, error: NetworkError) -> Notice:
        return self._failure(
            f"publication:{claim.publication_id}:unverifiable",
            claim.network,
            claim.entry_id,
            str(error),
            self._phrase(
                "publication_unverifiable_action", network=claim.network, account=claim.account
            ),
        )

    def missed(
        self, entry_id: str, network: str, scheduled_at: datetime, grace: timedelta
    ) -> Notice:
        minutes = str(int(grace.total_seconds() // 60))
        return self._failure(
            f"publication:{entry_id}:{network}:missed:{scheduled_at.isoformat()}",
            network,
            entry_id,
            self._phrase(
                "publication_missed_reason", when=self._local(scheduled_at), minutes=minutes
            ),
            self._phrase("publication_missed_action"),
        )

    def rejected_rows(self, problems: Sequence[Problem], source: str) -> Notice:
        rejections = [
            Rejection(
                entry_id=p.entry_id or f"row {p.row}",
                field=f"{p.field} [{p.network}]" if p.network else p.field,
                problem=f"row {p.row}: {p.message} — {p.fix}",
            )
            for p in problems
        ]
        return self._notice(
            f"calendar:rejected:{_digest([str(p) for p in problems])}",
            rejected_rows(self.locale, rejections, source=source),
        )

    @classmethod
    def for_brand(cls, config: BrandConfig) -> PublicationNotices:
        channels = config.slack.channels
        return cls(
            channels.digest,
            alerts_channel=channels.alerts,
            locale=config.brand.locale,
            timezone=config.brand.timezone,
        )

    def paused(self, waiting: Sequence[tuple[int, str, str, datetime]], reason: str) -> Notice:
        entries = [
            PausedEntry(entry, network, self._local(when)) for _, entry, network, when in waiting
        ]
        return self._notice(
            f"publication:paused:{_digest([str(row[0]) for row in waiting])}",
            publication_paused(self.locale, entries, reason=reason),
        )

    def what_to_do(self, error: NetworkError, claim: Claim) -> str:
        """The action a person can take, in the words of the error's hint when it has one."""
        if isinstance(error, AuthError):
            return error.hint or f"renew the token in Airflow connection '{error.conn_id}'"
        return error.hint or self._phrase(
            "publication_refused_action", entry=claim.entry_id, network=claim.network
        )
