"""The messages socialops sends to Slack, in French and English (``brand.locale``).

Every function is pure: data in, :class:`~socialops.notifications.slack.Message` out. Values
are escaped when they enter a template (:func:`_render`), so callers pass raw user text
(post texts, error messages, row values) and cannot forget to escape it.

>>> msg = post_published("fr", network="x", account="maisonlumiere", entry_id="2026-11-20-atelier",
...                      url="https://x.com/maisonlumiere/status/1")
>>> SlackSender().send("#cm-digest", msg)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from socialops.networks.registry import display_name
from socialops.notifications.slack import (
    MAX_BLOCKS,
    Message,
    Mrkdwn,
    context,
    escape,
    link,
    list_sections,
    pack_lines,
    section,
)

Locale = Literal["fr", "en"]
LOCALES: tuple[str, ...] = ("fr", "en")


#: key → locale → template. Templates are trusted mrkdwn; every ``{value}`` is escaped.
TEXTS: dict[str, dict[str, str]] = {
    "post_published": {
        "fr": ":white_check_mark: Publié sur {network} ({account}) : {link}",
        "en": ":white_check_mark: Published on {network} ({account}): {link}",
    },
    "post_published_entry": {
        "fr": "Entrée du calendrier `{entry_id}`",
        "en": "Calendar entry `{entry_id}`",
    },
    "post_link_label": {"fr": "voir la publication", "en": "view the post"},
    "publication_failed": {
        "fr": ":x: *Échec de publication* sur {network} pour l'entrée `{entry_id}`",
        "en": ":x: *Publication failed* on {network} for entry `{entry_id}`",
    },
    "publication_failed_reason": {"fr": "*Raison :* {reason}", "en": "*Reason:* {reason}"},
    # Plain phrases (see `phrase`) that the publication flow passes as a reason or an action.
    "publication_missed_reason": {
        "fr": "prévue à {when}, il y a plus de {minutes} min (délai de grâce) ; pas de publication en retard",
        "en": "due at {when}, more than {minutes} min ago (grace window); not published late",
    },
    "publication_missed_action": {
        "fr": "elle attend : changez son heure dans le calendrier pour la publier, ou annulez-la",
        "en": "it waits: change its time in the calendar to publish it, or cancel it",
    },
    "publication_unverifiable_action": {
        "fr": "une tentative précédente est peut-être partie et {network} ne peut pas être "
        "interrogé : vérifiez le compte {account}, puis passez la publication à 'published' ou "
        "'pending' dans l'entrepôt",
        "en": "an earlier attempt may have gone out and {network} cannot be searched: check the "
        "account {account}, then set the publication to 'published' or 'pending' in the warehouse",
    },
    "publication_refused_action": {
        "fr": "corrigez l'entrée {entry} pour {network} dans le calendrier : le réseau la refuse telle quelle",
        "en": "fix entry {entry} for {network} in the calendar: the network refused it as it is",
    },
    "publication_failed_action": {"fr": "*À faire :* {action}", "en": "*What to do:* {action}"},
    "rejected_rows": {
        "fr": ":warning: *{count} ligne(s) du calendrier rejetée(s)* ({source}). Les autres lignes sont publiées normalement.",
        "en": ":warning: *{count} calendar row(s) rejected* ({source}). The other rows are published as usual.",
    },
    "rejected_row": {
        "fr": "`{entry_id}` · {field} : {problem}",
        "en": "`{entry_id}` · {field}: {problem}",
    },
    "publication_paused": {
        "fr": ":double_vertical_bar: *Publication en pause* : {count} publication(s) en attente. {reason}",
        "en": ":double_vertical_bar: *Publication paused*: {count} post(s) waiting. {reason}",
    },
    "publication_paused_resume": {
        "fr": "Pour reprendre : remettez `publication.paused` à `false` une fois la situation vérifiée.",
        "en": "To resume: set `publication.paused` back to `false` once the situation is checked.",
    },
    "paused_entry": {
        "fr": "`{entry_id}` · {network} · prévue le {when}",
        "en": "`{entry_id}` · {network} · due {when}",
    },
    "data_quality_failure": {
        "fr": ":mag: *Contrôle qualité des données en échec* : {check}",
        "en": ":mag: *Data-quality check failed*: {check}",
    },
    "data_quality_action": {
        "fr": "Les rapports qui dépendent de ces données sont suspendus jusqu'à correction.",
        "en": "Reports that depend on this data are held until it is fixed.",
    },
    "extraction_failure": {
        "fr": ":satellite_antenna: *Extraction {network} en échec* pour {account} : {error}",
        "en": ":satellite_antenna: *{network} extraction failed* for {account}: {error}",
    },
    "extraction_action": {
        "fr": "Les métriques de ce jour seront reprises au prochain passage. {action}",
        "en": "This day's metrics will be picked up on the next run. {action}",
    },
    "crisis_alert": {
        "fr": ":rotating_light: *Alerte crise sur {network}* : {negative} mentions négatives en {hours} h ({share} % des mentions).",
        "en": ":rotating_light: *Crisis alert on {network}*: {negative} negative mentions in {hours} h ({share}% of mentions).",
    },
    "crisis_paused": {
        "fr": "La publication automatique est *mise en pause*.",
        "en": "Automatic publication is *paused*.",
    },
    "crisis_not_paused": {
        "fr": "La publication continue : mettez-la en pause si nécessaire.",
        "en": "Publication continues: pause it if needed.",
    },
    "crisis_samples": {"fr": "Exemples de mentions :", "en": "Sample mentions:"},
    "crisis_sample": {"fr": "{author} : « {text} »", "en": "{author}: “{text}”"},
    "task_failure": {
        "fr": ":red_circle: *Tâche en échec* `{dag_id}.{task_id}` (run `{run_id}`) : {error}",
        "en": ":red_circle: *Task failed* `{dag_id}.{task_id}` (run `{run_id}`): {error}",
    },
    "task_failure_log": {"fr": "Journal de la tâche : {link}", "en": "Task log: {link}"},
    "task_failure_log_label": {"fr": "ouvrir", "en": "open"},
    "more": {"fr": "… et {count} de plus.", "en": "… and {count} more."},
}


@dataclass(frozen=True)
class Rejection:
    """One calendar row refused by validation."""

    entry_id: str
    field: str
    problem: str


@dataclass(frozen=True)
class PausedEntry:
    entry_id: str
    network: str
    scheduled_at: datetime | str


@dataclass(frozen=True)
class MentionSample:
    author: str
    text: str


def _check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(
            f"no Slack messages in locale {locale!r}; brand.locale must be one of {', '.join(LOCALES)}"
        )
    return locale


def _render(key: str, locale: str, **values: object) -> Mrkdwn:
    """The ``key`` template in ``locale`` with every value escaped (Mrkdwn values kept as is)."""
    template = TEXTS[key][_check_locale(locale)]
    return Mrkdwn(template.format(**{name: escape(value) for name, value in values.items()}))


def phrase(locale: str, key: str, **values: object) -> str:
    """A catalogue text as plain text, for a value that a message builder escapes later."""
    return TEXTS[key][_check_locale(locale)].format(**values)


def local_time(value: datetime, timezone: str) -> str:
    """How messages show a time: in the brand's time zone, to the minute."""
    return _when(value.astimezone(ZoneInfo(timezone)))


def _network(network: str) -> str:
    return display_name(network)


def _number(value: float, locale: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    # French groups thousands with a narrow no-break space and uses a decimal comma.
    return text.replace(",", "\u202f").replace(".", ",") if locale == "fr" else text


def _more(locale: str) -> str:
    return TEXTS["more"][_check_locale(locale)]


def _when(value: datetime | str) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z").strip() if isinstance(value, datetime) else value


def post_published(
    locale: Locale, *, network: str, account: str, entry_id: str, url: str | None
) -> Message:
    """Confirmation that a calendar entry went out, with the link to the post."""
    target = link(url, _render("post_link_label", locale)) if url else escape("—")
    headline = _render(
        "post_published", locale, network=_network(network), account=account, link=target
    )
    return Message(
        headline,
        [section(headline), context(_render("post_published_entry", locale, entry_id=entry_id))],
    )


def publication_failed(
    locale: Locale, *, network: str, entry_id: str, reason: str, action: str
) -> Message:
    """A post that could not be published: why (the error), and what a person should do."""
    headline = _render("publication_failed", locale, network=_network(network), entry_id=entry_id)
    blocks = [
        section(headline),
        section(_render("publication_failed_reason", locale, reason=reason)),
        section(_render("publication_failed_action", locale, action=action)),
    ]
    return Message(f"{headline} — {escape(reason)}", blocks)


def rejected_rows(locale: Locale, rejections: Sequence[Rejection], *, source: str) -> Message:
    """One summary of the calendar rows refused by validation, each with its field and fix."""
    headline = _render("rejected_rows", locale, count=len(rejections), source=source)
    lines = [
        _render("rejected_row", locale, entry_id=r.entry_id, field=r.field, problem=r.problem)
        for r in rejections
    ]
    return Message(headline, _with_list(headline, lines, locale))


def publication_paused(
    locale: Locale, entries: Sequence[PausedEntry], *, reason: str = ""
) -> Message:
    """The posts held back by the kill switch, so nobody thinks they went out."""
    headline = _render("publication_paused", locale, count=len(entries), reason=reason)
    lines = [
        _render(
            "paused_entry",
            locale,
            entry_id=e.entry_id,
            network=_network(e.network),
            when=_when(e.scheduled_at),
        )
        for e in entries
    ]
    return Message(
        headline, _with_list(headline, lines, locale, _render("publication_paused_resume", locale))
    )


def data_quality_failure(locale: Locale, *, check: str, problems: Sequence[str]) -> Message:
    """A data-quality check that failed, with the offending rows or values."""
    headline = _render("data_quality_failure", locale, check=check)
    lines = [escape(problem) for problem in problems]
    return Message(
        headline, _with_list(headline, lines, locale, _render("data_quality_action", locale))
    )


def extraction_failure(
    locale: Locale, *, network: str, account: str, error: str, action: str = ""
) -> Message:
    """A network's metric extraction that failed for an account (e.g. expired token)."""
    headline = _render(
        "extraction_failure", locale, network=_network(network), account=account, error=error
    )
    return Message(
        headline, [section(headline), context(_render("extraction_action", locale, action=action))]
    )


def crisis_alert(
    locale: Locale,
    *,
    network: str,
    negative_mentions: int,
    window_hours: float,
    negative_share: float,
    samples: Sequence[MentionSample] = (),
    publication_paused: bool = False,
) -> Message:
    """A burst of negative mentions, with a few of them, and whether publication was paused."""
    headline = _render(
        "crisis_alert",
        locale,
        network=_network(network),
        negative=_number(negative_mentions, locale),
        hours=_number(window_hours, locale),
        share=_number(round(negative_share * 100), locale),
    )
    status = _render("crisis_paused" if publication_paused else "crisis_not_paused", locale)
    blocks = [section(headline), section(status)]
    if samples:
        lines = [
            _render("crisis_sample", locale, author=s.author, text=s.text) for s in samples[:10]
        ]
        blocks += [context(_render("crisis_samples", locale)), *list_sections(lines)]
    return Message(f"{headline} {status}", blocks)


def task_failure(
    locale: Locale,
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    error: str,
    log_url: str | None = None,
) -> Message:
    """The short alert of the failure callback: which task of which run, and the error message."""
    headline = _render(
        "task_failure", locale, dag_id=dag_id, task_id=task_id, run_id=run_id, error=error
    )
    blocks = [section(headline)]
    if log_url:
        blocks.append(
            context(
                _render(
                    "task_failure_log",
                    locale,
                    link=link(log_url, _render("task_failure_log_label", locale)),
                )
            )
        )
    return Message(headline, blocks)


def _with_list(
    headline: str, lines: Sequence[str], locale: str, note: str | None = None
) -> list[dict]:
    """Headline, optional note, then the lines in as many sections as fit in 50 blocks.

    Lines that do not fit are counted in a last "… and N more" block rather than dropped silently.
    """
    head = [section(headline), *([context(note)] if note else [])]
    groups = pack_lines(lines)
    room = MAX_BLOCKS - len(head)
    if len(groups) > room:
        hidden = sum(len(group) for group in groups[room - 1 :])
        return [
            *head,
            *(section("\n".join(g)) for g in groups[: room - 1]),
            context(_more(locale).format(count=hidden)),
        ]
    return [*head, *(section("\n".join(g)) for g in groups)]


__all__ = [
    "LOCALES",
    "TEXTS",
    "MentionSample",
    "PausedEntry",
    "Rejection",
    "crisis_alert",
    "data_quality_failure",
    "extraction_failure",
    "post_published",
    "publication_failed",
    "publication_paused",
    "rejected_rows",
    "task_failure",
]
