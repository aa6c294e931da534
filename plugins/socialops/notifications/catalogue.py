"""The messages socialops sends to Slack, in French and English (``brand.locale``).

Every function is pure: data in, :class:`~socialops.notifications.blocks.Message` out. Values
are escaped when they enter a template (:func:`_render`), so callers pass raw user text
(post texts, error messages, row values) and cannot forget to escape it.

>>> msg = post_published("fr", network="x", account="maisonlumiere", entry_id="2026-11-20-atelier",
...                      url="https://x.com/maisonlumiere/status/1")
>>> SlackSender().send("#cm-digest", msg)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from socialops.networks.registry import display_name
from socialops.notifications.blocks import (
    MAX_BLOCKS,
    context,
    pack_lines,
    section,
)
from socialops.notifications.mrkdwn import Mrkdwn, escape

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
    "task_failure": {
        "fr": ":red_circle: *Tâche en échec* `{dag_id}.{task_id}` (run `{run_id}`) : {error}",
        "en": ":red_circle: *Task failed* `{dag_id}.{task_id}` (run `{run_id}`): {error}",
    },
    "task_failure_log": {"fr": "Journal de la tâche : {link}", "en": "Task log: {link}"},
    "task_failure_log_label": {"fr": "ouvrir", "en": "open"},
    "more": {"fr": "… et {count} de plus.", "en": "… and {count} more."},
}


def check_locale(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(
            f"no Slack messages in locale {locale!r}; brand.locale must be one of {', '.join(LOCALES)}"
        )
    return locale


def render(key: str, locale: str, **values: object) -> Mrkdwn:
    """The ``key`` template in ``locale`` with every value escaped (Mrkdwn values kept as is)."""
    template = TEXTS[key][check_locale(locale)]
    return Mrkdwn(template.format(**{name: escape(value) for name, value in values.items()}))


def phrase(locale: str, key: str, **values: object) -> str:
    """A catalogue text as plain text, for a value that a message builder escapes later."""
    return TEXTS[key][check_locale(locale)].format(**values)


def local_time(value: datetime, timezone: str) -> str:
    """How messages show a time: in the brand's time zone, to the minute."""
    return when(value.astimezone(ZoneInfo(timezone)))


def network_name(network: str) -> str:
    return display_name(network)


def number(value: float, locale: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    # French groups thousands with a narrow no-break space and uses a decimal comma.
    return text.replace(",", "\u202f").replace(".", ",") if locale == "fr" else text


def more(locale: str) -> str:
    return TEXTS["more"][check_locale(locale)]


def when(value: datetime | str) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z").strip() if isinstance(value, datetime) else value


def with_list(
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
            context(more(locale).format(count=hidden)),
        ]
    return [*head, *(section("\n".join(g)) for g in groups)]
