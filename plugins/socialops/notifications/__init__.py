"""Slack notifications: safe message building, a message catalogue (fr/en), the sender and
the DAG failure callback. See ``docs/notifications.md``.

>>> from socialops.notifications import SlackSender, messages
>>> SlackSender("slack_default").send("#cm-alertes", messages.crisis_alert("fr", ...))
"""

from socialops.notifications import messages
from socialops.notifications.slack import (
    Message,
    Mrkdwn,
    SlackConnectionMissing,
    SlackDeliveryError,
    SlackSender,
    escape,
    link,
)

__all__ = [
    "Message",
    "Mrkdwn",
    "SlackConnectionMissing",
    "SlackDeliveryError",
    "SlackSender",
    "escape",
    "link",
    "messages",
]
