"""What people read in Slack, and how it gets there (``docs/notifications.md``).

* :mod:`.mrkdwn`: escaping and links (user text can never ping, format or disguise a link);
* :mod:`.blocks`: Block Kit through ``slack_sdk.models``, within Slack's limits
  (:class:`~.blocks.Message`);
* :mod:`.catalogue`: the reader's language (:class:`~.catalogue.Reader`): the gettext
  catalogues of ``locale/`` for the words, Babel for numbers, dates and durations;
* :mod:`.outbox`: the one way every feature sends: a notice written with the state change
  that caused it, delivered exactly once per dedup key, or edited in place (``updates``);
* :mod:`.ops`: the engineer's details, for the optional ops channel;
* :mod:`.callbacks`: the failure alert of every DAG.

Sending itself is the Slack hook's (:mod:`socialops.hooks.slack`), which only the outbox
and the failure callback use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from socialops.registry import lazy_exports

if TYPE_CHECKING:
    from socialops.notifications.blocks import Message
    from socialops.notifications.mrkdwn import Mrkdwn, escape, link

# Imported on first use: the failure callback of every DAG lives in this package, and a
# DAG file must not load Block Kit (slack_sdk) when it is parsed.
__getattr__ = lazy_exports(
    __name__,
    {
        "Message": "socialops.notifications.blocks",
        "Mrkdwn": "socialops.notifications.mrkdwn",
        "escape": "socialops.notifications.mrkdwn",
        "link": "socialops.notifications.mrkdwn",
    },
)

__all__ = ["Message", "Mrkdwn", "escape", "link"]
