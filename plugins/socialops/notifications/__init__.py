"""What people read in Slack, and how it gets there (``docs/notifications.md``).

* :mod:`.mrkdwn`: escaping and links (user text can never ping or disguise a link);
* :mod:`.blocks`: messages within Slack's limits (:class:`~.blocks.Message`);
* :mod:`.catalogue`: the fr/en texts, numbers and dates;
* :mod:`.outbox`: the one way every feature sends: a notice written with the state change
  that caused it, delivered exactly once per dedup key;
* :mod:`.callbacks`: the failure alert of every DAG.

Sending itself is the Slack hook's (:mod:`socialops.hooks.slack`), which only the outbox
and the failure callback use.
"""

from socialops.notifications.blocks import Message
from socialops.notifications.mrkdwn import Mrkdwn, escape, link

__all__ = ["Message", "Mrkdwn", "escape", "link"]
