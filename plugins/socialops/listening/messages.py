"""Listening's Slack messages: the crisis alert (one message per incident, each event a new
version of it) and a listening source that could not be read.

The alert says what happened (volume ×N over the usual for this time, the negative share
now vs usually), since when, on which networks, the top negative mentions with links and
their authors' reach, the most frequent words, and what to do. Mentions are written by
strangers: every piece of their text goes through the reader's escaping (no ping, no link,
no markup).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from socialops.i18n import N_, Percent
from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import Reader, network_name
from socialops.notifications.mrkdwn import Mrkdwn, code, escape, join, link, truncate
from socialops.publishing.pause import PAUSE_VARIABLE

if TYPE_CHECKING:
    import pandas as pd

    from socialops.analytics.crisis import IncidentEvent
    from socialops.config.schema import BrandConfig

TOP_MENTIONS = 3
TOP_TERMS = 8
QUOTE_LENGTH = 180
#: Words too common to say anything about a crisis (French and English), beside the
#: brand's own keywords.
STOPWORDS = frozenset(
    """a à au aux avec ce ces c'est dans de des du elle en est et il ils je j'ai la le les
    leur mais me mon ma mes ne nous on ou où par pas pour qu que qui sa se ses son sur ta
    te tes ton tu un une vos votre vous y ça the and for are but not you your our with this
    that have has was were they them their its it's from what when will just all any can
    out get got too very of to in on is at be an or so my me we i""".split()
)

SEVERITIES = {"warning": N_("warning"), "crisis": N_("crisis")}


def crisis_alert(
    config: BrandConfig,
    event: IncidentEvent,
    *,
    started: datetime,
    until: datetime,
    severity: str,
    mentions: pd.DataFrame,
    paused: bool,
    paused_now: bool,
) -> Message:
    """The incident's message as of ``event`` (a later event edits the same message);
    ``mentions`` are the stored ones, those from ``started`` to ``until`` are the incident's."""
    reader = Reader.for_brand(config)
    figures = event.figures
    current = event.severity or severity
    headline = reader.render(_headline(event.kind, SEVERITIES[current], config.brand.name))
    window = mentions[(mentions["created_at"] >= started) & (mentions["created_at"] < until)]
    negative = window[window["sentiment_label"] == "negative"]
    blocks = [section(headline)]
    blocks.append(section(reader.render(_what(figures, started))))
    networks = _networks(window)
    if networks:
        blocks.append(
            section(
                reader.render(N_("*Networks:* {networks}", networks=Mrkdwn(join(networks, ", "))))
            )
        )
    top = _top_negative(reader, negative)
    if top:
        blocks.append(section(reader.render(N_("*Top negative mentions:*"))))
        blocks.append(section(join(top)))
    terms = frequent_terms(negative if len(negative) else window, config)
    if terms:
        blocks.append(
            section(
                reader.render(
                    N_("*Most frequent words:* {terms}", terms=Mrkdwn(", ".join(map(code, terms))))
                )
            )
        )
    blocks.append(section(reader.render(_advice(event.kind, paused, paused_now))))
    blocks.append(context(reader.render(N_("Incident since {start}", start=started))))
    return Message(headline, blocks)


def _headline(kind: str, severity, brand: str):
    if kind == "cleared":
        return N_(
            ":white_check_mark: *All clear* — mentions of {brand} are back to usual", brand=brand
        )
    if kind == "escalated":
        return N_(
            ":rotating_light: *Crisis escalated: {severity}* — mentions of {brand}",
            severity=severity,
            brand=brand,
        )
    if kind == "de-escalated":
        return N_(
            ":warning: *Crisis calming down: now {severity}* — mentions of {brand}",
            severity=severity,
            brand=brand,
        )
    if kind == "reopened":
        return N_(
            ":rotating_light: *Crisis back: {severity}* — mentions of {brand}",
            severity=severity,
            brand=brand,
        )
    return N_(
        ":rotating_light: *Unusual mentions of {brand}: {severity}*",
        severity=severity,
        brand=brand,
    )


def _what(figures, started: datetime):
    share = figures.negative_share
    usual = figures.usual_negative_share
    if share is not None and usual is not None:
        return N_(
            "*Since {start}:* {observed} mentions in the last {minutes} minutes, ×{ratio} the "
            "usual for this time ({expected} expected); negative share {share} now vs {usual} "
            "usually.",
            start=started,
            observed=figures.observed,
            minutes=int(figures.window_minutes),
            ratio=round(figures.ratio, 1),
            expected=round(figures.expected, 1),
            share=Percent(share),
            usual=Percent(usual),
        )
    return N_(
        "*Since {start}:* {observed} mentions in the last {minutes} minutes, ×{ratio} the "
        "usual for this time ({expected} expected).",
        start=started,
        observed=figures.observed,
        minutes=int(figures.window_minutes),
        ratio=round(figures.ratio, 1),
        expected=round(figures.expected, 1),
    )


def _advice(kind: str, paused: bool, paused_now: bool):
    resume = code(f"airflow variables delete {PAUSE_VARIABLE}")
    if kind == "cleared":
        if paused:
            return N_(
                "*What to do:* the volume is back to usual. Publication is still paused: "
                "nothing resumes on its own. When you decide to resume, run {command} (or "
                "delete the Variable in Admin → Variables); waiting posts then go out, those "
                "past their grace window are reported missed.",
                command=resume,
            )
        return N_("*What to do:* nothing; the volume is back to usual.")
    steps = N_(
        "*What to do:* read the negative mentions above, answer the first ones with one "
        "calm, factual message, and hold any promotional post until the wave passes."
    )
    if paused_now:
        return N_(
            "{steps} *Publication is paused* (thresholds.crisis.pause_publication): "
            "scheduled posts wait in the queue, none are lost. To resume, run {command} (or "
            "delete the Variable in Admin → Variables).",
            steps=steps,
            command=resume,
        )
    if paused:
        return N_(
            "{steps} Publication stays paused until you run {command}.",
            steps=steps,
            command=resume,
        )
    return steps


def _networks(window) -> list[str]:
    counts = window["network"].value_counts()
    return [
        f"{escape(network_name(n) if n != 'web' else 'Web')} ({int(c)})" for n, c in counts.items()
    ]


def _top_negative(reader: Reader, negative) -> list[str]:
    if negative.empty:
        return []
    ranked = negative.assign(
        _reach=negative["author_reach"].fillna(0), _likes=negative["likes"].fillna(0)
    ).sort_values(["_reach", "_likes", "sentiment"], ascending=[False, False, True])
    lines = []
    for row in ranked.head(TOP_MENTIONS).itertuples():
        quote = escape(truncate(str(row.text or ""), QUOTE_LENGTH))
        author = escape("@" + str(row.author_handle).lstrip("@")) if row.author_handle else "?"
        reach = (
            reader.render(N_("{followers} followers", followers=int(row.author_reach)))
            if _known(row.author_reach)
            else ""
        )
        where = link(row.url, network_name(row.network) if row.network != "web" else "Web")
        lines.append(Mrkdwn(f"• {where} · {author} {reach}: “{quote}”".replace("  ", " ")))
    return lines


def frequent_terms(frame, config: BrandConfig, top: int = TOP_TERMS) -> list[str]:
    """The words most often written in ``frame``'s texts, without stop words, the brand's
    keywords and hashtags, links and handles."""
    own = {w.casefold() for k in config.listening.keywords for w in k.split()}
    own |= {h.lstrip("#").casefold() for h in config.listening.hashtags}
    counts: Counter[str] = Counter()
    for text in frame["text"].fillna(""):
        words = re.findall(r"(?<![@/\w])[^\W\d_][\w'’-]{2,}", re.sub(r"https?://\S+", " ", text))
        counts.update({w.casefold() for w in words if w.casefold() not in STOPWORDS | own})
    return [word for word, _ in counts.most_common(top)]


def _known(value: Any) -> bool:
    return value is not None and value == value


def source_failure(config: BrandConfig, source: str, network: str, error: BaseException) -> Message:
    """A listening source could not be read this time: why in plain words, and what follows
    (the error itself goes to the task log)."""
    from socialops.networks.errors import AuthError, QuotaExceeded, RateLimited

    reader = Reader.for_brand(config)
    name = network_name(network) if network != "web" else "Web"
    headline = reader.render(
        N_(":ear: *Listening: {network} not read* ({source})", network=name, source=source)
    )
    if isinstance(error, AuthError):
        why = N_(
            "*Why:* {network} refused the connection's credentials. *What to do:* renew them "
            "in the Airflow connection {conn}; until then this source is not read.",
            network=name,
            conn=code(error.conn_id or f"{network}_default"),
        )
    elif isinstance(error, QuotaExceeded | RateLimited):
        why = N_(
            "*Why:* {network}'s quota or rate limit is reached. *Next:* nothing to do; the "
            "next runs read from where this one stopped.",
            network=name,
        )
    elif network == "web":
        why = N_(
            "*Why:* the feed did not answer in time or is not a valid RSS/Atom feed. *Next:* "
            "it is tried again at the next run; if this repeats, check the URL in "
            "listening.feeds."
        )
    else:
        why = N_(
            "*Why:* {network} failed to answer. *Next:* it is tried again at the next run, "
            "from where it stopped.",
            network=name,
        )
    note = N_(
        "The other sources are read as usual; no mention is lost while the network keeps "
        "it (X search keeps 7 days)."
    )
    return Message(
        headline, [section(headline), section(reader.render(why)), context(reader.render(note))]
    )
