"""The notices of the ledger and the calendar sync: what the stored reasons say, their keys
and channels, their links and long lists.

Escaping, Slack's limits, both languages and the French of every builder are the shared
guards' business (tests/notifications/, over tests/support/messages.py's examples).
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from tests.support.messages import RECEIPT, WITHDRAWALS, examples

from socialops.calendar.sync import EditedAfterPublication, HeldRemoval, RemovedRow
from socialops.networks.records import Draft
from socialops.notifications.catalogue import Reader
from socialops.publishing.messages import PublicationNotices, withdrawal_reason
from socialops.publishing.reconcile import Choice
from socialops.publishing.store import Claim, ExternalIdTaken

FR, EN = Reader("fr", "Europe/Paris"), Reader("en", "Europe/Paris")
WHEN = datetime(2026, 11, 24, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "english", "french"),
    [
        ("cancelled", "the entry was cancelled", "l'entrée a été annulée"),
        ("draft", "the entry went back to draft", "l'entrée est repassée en brouillon"),
        ("network_removed", "LinkedIn was removed from its row", "LinkedIn a été retiré"),
        ("row_removed", "its row was removed from the calendar", "sa ligne a été supprimée"),
        ("held", "its row became invalid", "sa ligne est devenue invalide"),
    ],
)
def test_each_stored_withdrawal_is_said_in_the_brands_language(kind, english, french):
    reason = withdrawal_reason(WITHDRAWALS[kind], "linkedin")
    assert EN.render(reason).startswith(english)
    assert FR.render(reason).startswith(french)


def test_the_problem_that_held_a_row_is_not_repeated_in_english():
    """It is in the calendar problems message, in the brand's language."""
    reason = FR.render(withdrawal_reason(WITHDRAWALS["held"], "x"))
    assert "text" not in reason and "row 2" not in reason


CLAIM = Claim(
    publication_id=7,
    owner="run",
    entry_id="e1",
    network="linkedin",
    account="maison",
    idempotency_key="linkedin:e1:abc",
    state="unconfirmed",
    attempts=2,
    scheduled_at=WHEN,
    last_attempt_at=WHEN,
    draft=Draft(account="maison", text="Bonjour"),
)


def notices(**channels) -> dict[str, list]:
    """Every notice method the ledger and the sync add, as the service calls them."""
    publication = PublicationNotices("#digest", alerts_channel="#alerts", locale="en", **channels)
    row = RemovedRow("e1", WHEN, ("x",))
    held = HeldRemoval("0123456789", (row,), planned=2, threshold_pct=50)
    return {
        "backed_off": publication.backed_off(CLAIM, WHEN + timedelta(hours=1), WHEN),
        "live": publication.live_although_withdrawn(CLAIM, RECEIPT, WITHDRAWALS["cancelled"]),
        "withdrawn": publication.withdrawn_not_found(CLAIM, WITHDRAWALS["held"], "rejected"),
        "ambiguous": publication.ambiguous(
            CLAIM, ["e0", "e1"], Choice(ambiguous=True, seen=(RECEIPT,)), "posts found: 1"
        ),
        "id_taken": publication.id_taken(CLAIM, ExternalIdTaken(CLAIM, RECEIPT, "e0")),
        "edited": publication.edited_after_publication(
            EditedAfterPublication(7, "e1", "x", "9", "https://x.com/m/status/9", "c0ffee")
        ),
        "removed": publication.rows_removed([row], "csv:c.csv", WHEN),
        "held": publication.removal_held(held, "csv:c.csv", variable="v", occurrence=2),
    }


def test_keys_say_what_is_announced_so_it_is_announced_once():
    keys = {name: [n.dedup_key for n in found] for name, found in notices().items()}
    assert keys["backed_off"] == ["publication:7:back-off:2026-11-24T11:00:00+00:00"]
    assert keys["live"] == [f"publication:7:live-although-withdrawn:{RECEIPT.external_id}"]
    assert keys["withdrawn"] == ["publication:7:withdrawn:2:rejected"]
    assert keys["id_taken"] == [f"publication:7:id-taken:{RECEIPT.external_id}"]
    assert keys["edited"] == ["calendar:edited-after-publication:7:c0ffee"]
    assert keys["held"] == ["calendar:removal-held:0123456789:2"]
    assert keys["removed"][0].startswith("calendar:removed:")
    assert keys["removed"][0].endswith(":2026-11-24T10:00:00+00:00")
    assert keys["ambiguous"][0].startswith("publication:7:ambiguous:")


def test_everything_goes_to_alerts_and_engineer_details_to_ops():
    without_ops = notices()
    assert {n.channel for found in without_ops.values() for n in found} == {"#alerts"}
    with_ops = notices(ops_channel="#ops")
    for name in ("ambiguous", "id_taken"):  # a person decides: the engineer gets the details
        alert, ops = with_ops[name]
        assert (alert.channel, ops.channel, ops.dedup_key) == (
            "#alerts",
            "#ops",
            alert.dedup_key + ":ops",
        )
    assert "posts found: 1" in json.dumps(with_ops["ambiguous"][1].blocks)
    assert "is already recorded for entry e0" in json.dumps(with_ops["id_taken"][1].blocks)
    assert all(
        len(found) == 1 for name, found in with_ops.items() if name not in ("ambiguous", "id_taken")
    )


def test_the_live_post_is_linked_and_long_lists_are_counted_not_dropped():
    english = examples(EN)
    live = english["live_although_withdrawn_cancelled"].text
    assert "<https://linkedin.com/p/1?a=1&amp;b=%3C2%3E|view the post>" in live
    removed = english["rows_removed"]
    assert removed.text.startswith(":wastebasket: *3,000 rows removed from the calendar*")
    blocks = json.dumps(removed.block_dicts())
    assert "more." in blocks  # "… and N more." counts the rows beyond Slack's 50 blocks
    assert examples(FR)["rows_removed"].text.startswith(
        ":wastebasket: *3\u202f000 lignes supprimées du calendrier*"
    )
