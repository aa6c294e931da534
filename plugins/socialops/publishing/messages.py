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
from socialops.calendar.sync import (
    HOLD_PREFIX,
    ROW_REMOVED,
    EditedAfterPublication,
    HeldRemoval,
    RemovedRow,
)
from socialops.config.schema import BrandConfig
from socialops.networks.errors import AuthError, NetworkError
from socialops.networks.records import Receipt
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import (
    Locale,
    check_locale,
    local_time,
    network_name,
    phrase,
    render,
    when,
    with_list,
)
from socialops.notifications.mrkdwn import Mrkdwn, escape, link
from socialops.notifications.outbox import Notice
from socialops.publishing.reconcile import Choice
from socialops.publishing.store import DRAFT, Claim, ExternalIdTaken

#: The notices of the ledger and the calendar sync that the shared catalogue does not have
#: yet (key → locale → template, as in :mod:`socialops.notifications.catalogue`, where they
#: belong once its texts are converted). Templates are trusted mrkdwn; values are escaped.
TEXTS: dict[str, dict[str, str]] = {
    "live_although_withdrawn": {
        "fr": ":warning: *En ligne malgré le calendrier* : `{entry_id}` sur {network} "
        "({account}) : {link}",
        "en": ":warning: *Live although withdrawn*: `{entry_id}` on {network} ({account}): {link}",
    },
    "live_although_withdrawn_detail": {
        "fr": "{reason} pendant qu'une tentative était incertaine, mais la publication est "
        "partie : elle est enregistrée comme publiée (ses statistiques seront collectées).",
        "en": "{reason} while an attempt was in doubt, but the post went out: it is recorded "
        "as published (its metrics will be collected).",
    },
    "live_although_withdrawn_action": {
        "fr": "*À faire :* supprimez-la sur {network} si elle ne doit pas rester en ligne.",
        "en": "*What to do:* delete it on {network} if it must not stay online.",
    },
    "withdrawn_not_found": {
        "fr": ":information_source: `{entry_id}` sur {network} ({account}) : {reason} pendant "
        "qu'une tentative était incertaine. Aucune publication trouvée sur le compte : {outcome}",
        "en": ":information_source: `{entry_id}` on {network} ({account}): {reason} while an "
        "attempt was in doubt. No post was found on the account: {outcome}",
    },
    "withdrawn_outcome_cancelled": {
        "fr": "elle est annulée et ne sera pas publiée.",
        "en": "it is cancelled and will not be published.",
    },
    "withdrawn_outcome_rejected": {
        "fr": "elle attend que la ligne soit corrigée.",
        "en": "it waits until the row is fixed.",
    },
    "withdrawn_outcome_pending": {
        "fr": "elle attend que l'entrée soit de nouveau approuvée.",
        "en": "it waits until the entry is approved again.",
    },
    "withdrawn_check": {
        "fr": "Si vous la voyez quand même sur le compte, supprimez-la.",
        "en": "If you see it on the account anyway, delete it.",
    },
    "reason_cancelled": {"fr": "l'entrée a été annulée", "en": "the entry was cancelled"},
    "reason_draft": {
        "fr": "l'entrée est repassée en brouillon",
        "en": "the entry went back to draft",
    },
    "reason_network_removed": {
        "fr": "{network} a été retiré de la ligne",
        "en": "{network} was removed from the row",
    },
    "reason_row_removed": {
        "fr": "la ligne a été supprimée du calendrier",
        "en": "the row was removed from the calendar",
    },
    "reason_held": {
        "fr": "la ligne est devenue invalide ({problem})",
        "en": "the row became invalid ({problem})",
    },
    "ambiguous_reason": {
        "fr": "{found} publication(s) trouvée(s) ({posts}) pour {count} tentatives "
        "incertaines au contenu identique ({entries}) : impossible de dire laquelle est à qui. "
        "Aucune n'est enregistrée ni republiée.",
        "en": "{found} post(s) found ({posts}) for {count} attempts in doubt with identical "
        "content ({entries}): nobody can tell which is whose. None is recorded, none is sent "
        "again.",
    },
    "hidden_reason": {
        "fr": "la seule publication correspondante que {network} montre ({posts}) est déjà "
        "enregistrée pour une autre entrée ; celle de cette entrée peut être cachée derrière. "
        "Rien n'est enregistré ni republié.",
        "en": "the only matching post {network} shows ({posts}) is already recorded for "
        "another entry; this entry's own post may be hidden behind it. Nothing is recorded, "
        "nothing is sent again.",
    },
    "hidden_action": {
        "fr": "vérifiez le compte {account} sur {network} : si la publication de cette entrée "
        "y est, passez sa publication à 'published' (avec son external_id) dans l'entrepôt, "
        "sinon à 'pending' pour la publier",
        "en": "check the account {account} on {network}: if this entry's post is there, set "
        "its publication to 'published' (with its external_id) in the warehouse, otherwise to "
        "'pending' to publish it",
    },
    "ambiguous_action": {
        "fr": "vérifiez le compte {account} sur {network}, puis dans l'entrepôt passez à "
        "'published' (avec son external_id) la publication à qui la publication appartient, "
        "et l'autre à 'pending' (pour la publier) ou 'cancelled'",
        "en": "check the account {account} on {network}, then in the warehouse set the "
        "publication the post belongs to to 'published' (with its external_id), and the other "
        "one to 'pending' (to publish it) or 'cancelled'",
    },
    "id_taken_action": {
        "fr": "{network} a répondu avec une publication déjà enregistrée pour l'entrée "
        "{owner} : rien n'est enregistré pour {entry}. Vérifiez le compte {account}, puis "
        "modifiez le texte de {entry} dans le calendrier pour la republier",
        "en": "{network} answered with a post already recorded for entry {owner}: nothing is "
        "recorded for {entry}. Check the account {account}, then edit the text of {entry} in "
        "the calendar to publish it again",
    },
    "backed_off": {
        "fr": ":hourglass: `{entry_id}` sur {network} ({account}) attend : {network} limite "
        "les publications jusqu'à {retry}. Elle sera retentée à ce moment-là (fin du délai de "
        "grâce : {deadline}).",
        "en": ":hourglass: `{entry_id}` on {network} ({account}) waits: {network} limits posts "
        "until {retry}. It will be retried then (its grace window ends {deadline}).",
    },
    "missed_by_back_off_reason": {
        "fr": "{network} limite les publications jusqu'à {retry}, après la fin de son délai de "
        "grâce ({deadline}) ; pas de publication en retard",
        "en": "{network} limits posts until {retry}, after the end of its grace window "
        "({deadline}); not published late",
    },
    "missed_last_error": {
        "fr": "Dernière tentative : {error}",
        "en": "Last attempt: {error}",
    },
    "edited_after_publication": {
        "fr": ":pencil2: `{entry_id}` a changé après sa publication sur {network} ({link}) : "
        "le nouveau contenu n'est *pas* publié (une entrée ne part qu'une fois par réseau).",
        "en": ":pencil2: `{entry_id}` changed after its {network} post went out ({link}): the "
        "new content is *not* published (an entry goes out once per network).",
    },
    "edited_after_publication_action": {
        "fr": "*À faire :* pour publier le nouveau contenu, donnez à la ligne un nouvel "
        "entry_id ; pour corriger la publication en ligne, modifiez-la ou supprimez-la sur "
        "{network}.",
        "en": "*What to do:* to publish the new content, give the row a new entry_id; to "
        "correct the live post, edit or delete it on {network}.",
    },
    "rows_removed": {
        "fr": ":wastebasket: *{count} ligne(s) supprimée(s) du calendrier* ({source}) : "
        "leurs publications prévues sont annulées.",
        "en": ":wastebasket: *{count} row(s) removed from the calendar* ({source}): their "
        "planned posts are cancelled.",
    },
    "rows_removed_note": {
        "fr": "Une publication incertaine n'est annulée qu'après vérification sur le réseau. "
        "Pour en rétablir une, remettez sa ligne (même entry_id).",
        "en": "A post in doubt is cancelled only once the network is checked. To bring one "
        "back, put its row back (same entry_id).",
    },
    "removed_row": {
        "fr": "`{entry_id}` · {networks} · prévue le {when}",
        "en": "`{entry_id}` · {networks} · due {when}",
    },
    "removal_held": {
        "fr": ":octagonal_sign: *Synchronisation du calendrier retenue* : {count} des "
        "{planned} lignes prévues manquent dans {source} (plus de {pct} %). Rien n'est annulé : "
        "elles restent prévues et seront publiées à leur heure ; les autres lignes sont "
        "synchronisées normalement.",
        "en": ":octagonal_sign: *Calendar sync held*: {count} of the {planned} planned rows "
        "are missing from {source} (more than {pct}%). Nothing is cancelled: they stay planned "
        "and will be published at their time; the other rows are synced as usual.",
    },
    "removal_held_action": {
        "fr": "*À faire :* si le fichier est incomplet, remettez les lignes manquantes. Si "
        "vous les avez retirées exprès, passez leur statut à `cancelled`, ou donnez la valeur "
        "`{code}` à la Variable Airflow `{variable}` pour les annuler toutes.",
        "en": "*What to do:* if the file is incomplete, put the missing rows back. If you "
        "removed them on purpose, set their status to `cancelled`, or set the Airflow Variable "
        "`{variable}` to `{code}` to cancel them all.",
    },
}


def text(key: str, locale: str, **values: object) -> Mrkdwn:
    """A template of :data:`TEXTS` with every value escaped (Mrkdwn values kept as is)."""
    template = TEXTS[key][check_locale(locale)]
    return Mrkdwn(template.format(**{name: escape(value) for name, value in values.items()}))


def plain(key: str, locale: str, **values: object) -> str:
    """A template of :data:`TEXTS` as plain text, for a value escaped later."""
    return TEXTS[key][check_locale(locale)].format(**values)


def withdrawal(locale: str, reason: str, network: str) -> str:
    """Why the calendar withdrew a publication, in ``locale`` (``reason``: the ledger's)."""
    if reason.startswith(HOLD_PREFIX):
        return plain("reason_held", locale, problem=reason.removeprefix(HOLD_PREFIX))
    if reason == ROW_REMOVED:
        return plain("reason_row_removed", locale)
    if reason.startswith(DRAFT):
        return plain("reason_draft", locale)
    if reason.endswith("was removed from the row"):
        return plain("reason_network_removed", locale, network=network_name(network))
    return plain("reason_cancelled", locale)


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


# The builders of the ledger's and the sync's notices, used through PublicationNotices only
# (tests/publishing/test_messages.py checks their escaping and Slack's limits in both
# languages).


def _about_post(
    key: str, locale: Locale, *, network: str, account: str, entry_id: str, **values: object
) -> Mrkdwn:
    """A :data:`TEXTS` line about one entry's post on one account of a network."""
    return text(
        key, locale, entry_id=entry_id, network=network_name(network), account=account, **values
    )


def _post_link(url: str | None, locale: Locale) -> Mrkdwn:
    return link(url, render("post_link_label", locale)) if url else escape("—")


def _live_although_withdrawn_message(
    locale: Locale, *, network: str, account: str, entry_id: str, url: str | None, reason: str
) -> Message:
    """A post the calendar withdrew while it was in doubt, found live: the link, what to do."""
    headline = _about_post(
        "live_although_withdrawn",
        locale,
        network=network,
        account=account,
        entry_id=entry_id,
        link=_post_link(url, locale),
    )
    reason = withdrawal(locale, reason, network)
    detail = text("live_although_withdrawn_detail", locale, reason=reason[:1].upper() + reason[1:])
    action = text("live_although_withdrawn_action", locale, network=network_name(network))
    return Message(headline, [section(headline), section(detail), section(action)])


def _withdrawn_not_found_message(
    locale: Locale, *, network: str, account: str, entry_id: str, reason: str, state: str
) -> Message:
    """A publication withdrawn while in doubt, not found on the network: what became of it."""
    headline = _about_post(
        "withdrawn_not_found",
        locale,
        network=network,
        account=account,
        entry_id=entry_id,
        reason=withdrawal(locale, reason, network),
        outcome=plain(f"withdrawn_outcome_{state}", locale),
    )
    return Message(headline, [section(headline), context(text("withdrawn_check", locale))])


def _backed_off_message(
    locale: Locale, *, network: str, account: str, entry_id: str, retry: str, deadline: str
) -> Message:
    """A post a rate limit holds for a long time: when it will be retried."""
    headline = _about_post(
        "backed_off",
        locale,
        network=network,
        account=account,
        entry_id=entry_id,
        retry=retry,
        deadline=deadline,
    )
    return Message(headline, [section(headline)])


def _edited_after_publication_message(
    locale: Locale, *, network: str, entry_id: str, url: str | None
) -> Message:
    """An entry changed after its post went out: the change is not published, what to do."""
    name = network_name(network)
    headline = text(
        "edited_after_publication",
        locale,
        entry_id=entry_id,
        network=name,
        link=_post_link(url, locale),
    )
    action = text("edited_after_publication_action", locale, network=name)
    return Message(headline, [section(headline), section(action)])


def _removed_rows_message(
    locale: Locale, rows: Sequence[tuple[str, str, str]], *, headline: Mrkdwn, note: Mrkdwn
) -> Message:
    """Rows gone from the calendar (entry, networks, when): cancelled or held, as
    ``headline`` says."""
    lines = [
        text("removed_row", locale, entry_id=entry, networks=networks, when=due)
        for entry, networks, due in rows
    ]
    return Message(headline, with_list(headline, lines, locale, note))


def _digest(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16]


def problems_digest(problems: Sequence[Problem]) -> str:
    """Names a set of calendar problems (the same problems give the same digest)."""
    return _digest([str(p) for p in problems])


def _missed_key(entry_id: str, network: str, scheduled_at: datetime) -> str:
    return f"publication:{entry_id}:{network}:missed:{scheduled_at.isoformat()}"


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
            f"publication:{claim.publication_id}:failed:"
            f"{_digest([type(error).__name__, str(error)])}",
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
        self,
        entry_id: str,
        network: str,
        scheduled_at: datetime,
        grace: timedelta,
        *,
        last_error: str | None = None,
    ) -> Notice:
        minutes = str(int(grace.total_seconds() // 60))
        reason = self._phrase(
            "publication_missed_reason", when=self._local(scheduled_at), minutes=minutes
        )
        if last_error:
            reason += ". " + plain("missed_last_error", self.locale, error=last_error)
        return self._failure(
            _missed_key(entry_id, network, scheduled_at),
            network,
            entry_id,
            reason,
            self._phrase("publication_missed_action"),
        )

    def missed_by_back_off(self, claim: Claim, retry_at: datetime, grace: timedelta) -> Notice:
        """Missed because the network's back-off ends after the grace window: said at once."""
        return self._failure(
            _missed_key(claim.entry_id, claim.network, claim.scheduled_at),
            claim.network,
            claim.entry_id,
            plain(
                "missed_by_back_off_reason",
                self.locale,
                network=network_name(claim.network),
                retry=self._local(retry_at),
                deadline=self._local(claim.scheduled_at + grace),
            ),
            self._phrase("publication_missed_action"),
        )

    def backed_off(self, claim: Claim, retry_at: datetime, deadline: datetime) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:back-off:{retry_at.isoformat()}",
            _backed_off_message(
                self.locale,
                network=claim.network,
                account=claim.account,
                entry_id=claim.entry_id,
                retry=self._local(retry_at),
                deadline=self._local(deadline),
            ),
        )

    def live_although_withdrawn(self, claim: Claim, receipt: Receipt, reason: str) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:live-although-withdrawn:{receipt.external_id}",
            _live_although_withdrawn_message(
                self.locale,
                network=claim.network,
                account=claim.account,
                entry_id=claim.entry_id,
                url=receipt.url,
                reason=reason,
            ),
        )

    def withdrawn_not_found(self, claim: Claim, reason: str, state: str) -> Notice:
        return self._notice(
            f"publication:{claim.publication_id}:withdrawn:{claim.attempts}:{state}",
            _withdrawn_not_found_message(
                self.locale,
                network=claim.network,
                account=claim.account,
                entry_id=claim.entry_id,
                reason=reason,
                state=state,
            ),
        )

    def ambiguous(self, claim: Claim, entry_ids: Sequence[str], choice: Choice) -> Notice:
        """Posts found that cannot be told apart: a person decides which is whose."""
        posts = ", ".join(r.url or r.external_id for r in choice.seen) or "—"
        values = {"account": claim.account, "network": network_name(claim.network)}
        if choice.hidden:
            reason = plain("hidden_reason", self.locale, posts=posts, **values)
            action = plain("hidden_action", self.locale, **values)
        else:
            reason = plain(
                "ambiguous_reason",
                self.locale,
                found=len(choice.seen),
                posts=posts,
                count=len(entry_ids),
                entries=", ".join(entry_ids),
            )
            action = plain("ambiguous_action", self.locale, **values)
        return self._failure(
            f"publication:{claim.publication_id}:ambiguous:"
            f"{_digest([*entry_ids, *(r.external_id for r in choice.seen)])}",
            claim.network,
            claim.entry_id,
            reason,
            action,
        )

    def id_taken(self, claim: Claim, error: ExternalIdTaken) -> Notice:
        return self._failure(
            f"publication:{claim.publication_id}:id-taken:{error.receipt.external_id}",
            claim.network,
            claim.entry_id,
            str(error),
            plain(
                "id_taken_action",
                self.locale,
                network=network_name(claim.network),
                owner=error.owner_entry,
                entry=claim.entry_id,
                account=claim.account,
            ),
        )

    def edited_after_publication(self, event: EditedAfterPublication) -> Notice:
        return self._notice(
            f"calendar:edited-after-publication:{event.publication_id}:{event.content}",
            _edited_after_publication_message(
                self.locale, network=event.network, entry_id=event.entry_id, url=event.url
            ),
        )

    def rows_removed(self, rows: Sequence[RemovedRow], source: str, now: datetime) -> Notice:
        """One message for the rows gone from the file whose posts this sync cancels."""
        headline = text("rows_removed", self.locale, count=len(rows), source=source)
        return self._notice(
            f"calendar:removed:{_digest([r.entry_id for r in rows])}:{now.isoformat()}",
            _removed_rows_message(
                self.locale,
                self._removed_lines(rows),
                headline=headline,
                note=text("rows_removed_note", self.locale),
            ),
        )

    def removal_held(
        self, held: HeldRemoval, source: str, *, variable: str, occurrence: int
    ) -> Notice:
        """The sync kept the vanished rows' posts planned: how to confirm or restore."""
        pct = f"{held.threshold_pct:g}"
        headline = text(
            "removal_held",
            self.locale,
            count=len(held.rows),
            planned=held.planned,
            source=source,
            pct=pct,
        )
        action = text("removal_held_action", self.locale, code=held.code, variable=variable)
        return self._notice(
            f"calendar:removal-held:{held.code}:{occurrence}",
            _removed_rows_message(
                self.locale, self._removed_lines(held.rows), headline=headline, note=action
            ),
        )

    def _removed_lines(self, rows: Sequence[RemovedRow]) -> list[tuple[str, str, str]]:
        return [
            (
                r.entry_id,
                ", ".join(network_name(n) for n in r.networks),
                self._local(r.scheduled_at),
            )
            for r in rows
        ]

    def rejected_rows(
        self, problems: Sequence[Problem], source: str, *, occurrence: int = 1
    ) -> Notice:
        """``occurrence``: how many times this set of problems has appeared (a set that
        returns after being fixed is announced again)."""
        rejections = [
            Rejection(
                entry_id=p.entry_id or f"row {p.row}",
                field=f"{p.field} [{p.network}]" if p.network else p.field,
                problem=f"row {p.row}: {p.message} — {p.fix}",
            )
            for p in problems
        ]
        return self._notice(
            f"calendar:rejected:{problems_digest(problems)}:{occurrence}",
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
