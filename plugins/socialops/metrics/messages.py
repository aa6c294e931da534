"""The Slack messages of the nightly metrics: failed extractions and data-quality issues."""

from __future__ import annotations

from collections.abc import Sequence

from socialops.notifications.blocks import Message, context, section
from socialops.notifications.catalogue import (
    Locale,
    network_name,
    render,
    with_list,
)
from socialops.notifications.mrkdwn import escape


def data_quality_failure(locale: Locale, *, check: str, problems: Sequence[str]) -> Message:
    """A data-quality check that failed, with the offending rows or values."""
    headline = render("data_quality_failure", locale, check=check)
    lines = [escape(problem) for problem in problems]
    return Message(
        headline, with_list(headline, lines, locale, render("data_quality_action", locale))
    )


def extraction_failure(
    locale: Locale, *, network: str, account: str, error: str, action: str = ""
) -> Message:
    """A network's metric extraction that failed for an account (e.g. expired token)."""
    headline = render(
        "extraction_failure", locale, network=network_name(network), account=account, error=error
    )
    return Message(
        headline, [section(headline), context(render("extraction_action", locale, action=action))]
    )
