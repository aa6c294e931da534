import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.support.publishing import NOW

from socialops.networks.errors import (
    AuthError,
    DuplicateContent,
    InvalidRequest,
    RateLimited,
    TransientError,
)
from socialops.warehouse.engine import session_scope
from socialops.warehouse.models import NotificationOutbox, Publication


def publication(engine, publication_id):
    with session_scope(engine) as session:
        return session.get(Publication, publication_id)


def outbox(engine):
    """(dedup key, everything the message says) of each outbox row."""
    with session_scope(engine) as session:
        rows = session.scalars(select(NotificationOutbox).order_by(NotificationOutbox.id))
        return [(n.dedup_key, n.text + json.dumps(n.blocks, ensure_ascii=False)) for n in rows]


def test_publishes_stores_the_external_id_and_confirms_in_slack(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour <!channel> & co"})
    outcome = publish(pid)
    assert outcome.state == "published" and outcome.external_id == "1"
    stored = publication(warehouse_engine, pid)
    assert (stored.state, stored.external_id, stored.attempts, stored.lease_owner) == (
        "published",
        "1",
        1,
        None,
    )
    assert stored.url == "https://x.com/maisonlumiere/status/1"
    ((key, text),) = outbox(warehouse_engine)
    assert key.startswith("publication:entry:e1:")  # a version of the entry's one message
    assert "https://x.com/maisonlumiere/status/1" in text and "e1" in text
    assert "<!channel>" not in text  # user text never reaches Slack unescaped


def test_a_second_run_or_rerun_never_publishes_again(warehouse_engine, planned, publish, network):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    assert publish(pid).state == "published"
    assert publish(pid, owner="run-2").state == "skipped"
    assert publish(pid, owner="rerun", now=NOW + timedelta(days=3)).state == "skipped"
    assert len(network.posts) == 1


def test_a_held_lease_keeps_other_runs_out_until_it_expires(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    claim = publish.ledger.claim(pid, "run-1", NOW)
    assert claim is not None
    assert publish(pid, owner="run-2").state == "skipped"
    assert publish.ledger.due(NOW) == []
    assert network.posts == []


def test_timeout_after_apply_is_reconciled_not_reposted(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = ["apply-then-timeout"]
    first = publish(pid)
    assert first.state == "unconfirmed" and first.retryable
    assert publication(warehouse_engine, pid).state == "unconfirmed"
    second = publish(pid, owner="retry", now=NOW + timedelta(minutes=2))
    assert (second.state, second.detail, second.external_id) == ("published", "reconciliation", "1")
    assert len(network.posts) == 1
    assert network.api_calls == {"publish": 1, "find_published": 1}
    assert publication(warehouse_engine, pid).last_error == "confirmed by reconciliation"


def test_crash_between_the_call_and_the_commit_is_reconciled(
    warehouse_engine, planned, publish, network, monkeypatch
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})

    def worker_dies(*args, **kwargs):
        raise SystemExit("worker killed after the API call, before storing the id")

    with monkeypatch.context() as patch:
        patch.setattr(publish.ledger, "record_published", worker_dies)
        with pytest.raises(SystemExit):
            publish(pid)
    assert publication(warehouse_engine, pid).state == "publishing"
    # Until the dead worker's lease expires nobody touches it; then it is reconciled.
    assert publish(pid, owner="run-2", now=NOW + timedelta(minutes=5)).state == "skipped"
    later = publish(pid, owner="run-3", now=NOW + timedelta(minutes=31))
    assert (later.state, later.detail) == ("published", "reconciliation")
    assert len(network.posts) == 1


def test_the_retry_of_a_killed_try_reconciles_at_once(warehouse_engine, planned, publish, network):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    owner = "publish_posts/manual__1/publish_x[0]#{}".format

    def worker_killed(*args, **kwargs):
        raise SystemExit("SIGKILL after the API call, before storing the id")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(publish.ledger, "record_published", worker_killed)
        with pytest.raises(SystemExit):
            publish(pid, owner=owner(1))
    # Airflow's retry of the same task instance, seconds later: no 30-minute wait.
    retry = publish(pid, owner=owner(2), now=NOW + timedelta(seconds=40))
    assert (retry.state, retry.detail) == ("published", "reconciliation")
    assert len(network.posts) == 1
    assert network.api_calls == {"publish": 1, "find_published": 1}
    stored = publication(warehouse_engine, pid)
    assert (stored.state, stored.last_error, stored.lease_owner) == (
        "published",
        "confirmed by reconciliation",
        None,
    )


def test_unconfirmed_and_not_found_is_published_with_the_same_key(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = [TransientError("x", "boom")]
    publish(pid)
    with session_scope(warehouse_engine) as session:
        session.get(Publication, pid).state = "unconfirmed"  # e.g. the request never left
    assert publish(pid, owner="run-2").state == "published"
    assert len(network.posts) == 1 and network.api_calls["find_published"] == 1


def test_rate_limit_waits_until_the_reset_and_nothing_is_lost(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    reset = NOW + timedelta(minutes=15)
    network.script = [RateLimited("x", "429 Too Many Requests", retry_at=reset)]
    outcome = publish(pid)
    assert (outcome.state, outcome.retry_at, outcome.retryable) == ("pending", reset, False)
    stored = publication(warehouse_engine, pid)
    assert (stored.state, stored.lease_owner, stored.lease_until) == ("pending", None, reset)
    assert publish.ledger.due(NOW + timedelta(minutes=10)) == []
    assert publish(pid, owner="run-2", now=NOW + timedelta(minutes=10)).state == "skipped"
    assert publish.ledger.due(reset) == [pid]
    assert publish(pid, owner="run-4", now=reset).state == "published"
    assert len(network.posts) == 1 and network.api_calls["find_published"] == 0


def test_auth_error_fails_and_says_which_token_to_renew(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = [
        AuthError("x", "401 Unauthorized", conn_id="x_default", renew="the OAuth 2.0 user token")
    ] * 2
    outcome = publish(pid)
    assert outcome.state == "failed" and outcome.needs_person
    ((key, text),) = outbox(warehouse_engine)
    assert "renew the X token in the Airflow connection `x_default`" in text
    assert "401 Unauthorized" not in text  # the network's own words are for the log and ops
    assert publication(warehouse_engine, pid).last_error.startswith("AuthError: [x] 401")
    # Not retried every run; once the token may have been renewed, and then not announced twice.
    assert publish(pid, owner="run-2", now=NOW + timedelta(minutes=5)).state == "skipped"
    assert publish(pid, owner="run-3", now=NOW + timedelta(minutes=31)).state == "failed"
    assert len(outbox(warehouse_engine)) == 1


def test_refused_content_is_rejected_once(warehouse_engine, planned, publish, network):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = [InvalidRequest("x", "media type not allowed")]
    assert publish(pid).state == "rejected"
    assert publish(pid, owner="run-2").state == "skipped"
    ((key, text),) = outbox(warehouse_engine)
    assert "X refused the post as it is" in text and "media type not allowed" not in text
    assert "media type not allowed" in publication(warehouse_engine, pid).last_error


def test_a_duplicate_refusal_finds_our_own_post(warehouse_engine, planned, publish, network):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = ["apply-then-timeout"]
    publish(pid)
    with session_scope(warehouse_engine) as session:
        session.get(Publication, pid).state = "failed"  # as if a bug lost the uncertainty
    network.script = [
        DuplicateContent("x", "You are not allowed to create a Tweet with duplicate content.")
    ]
    outcome = publish(pid, owner="run-2")
    assert outcome.state == "published" and len(network.posts) == 1


def test_past_the_grace_window_it_is_missed_and_announced(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    outcome = publish(pid, now=NOW + timedelta(hours=3))
    assert outcome.state == "missed" and network.posts == []
    ((key, text),) = outbox(warehouse_engine)
    assert "missed" in key and "e1" in text


def test_an_unconfirmed_post_past_grace_is_still_reconciled_first(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = ["apply-then-timeout"]
    publish(pid)
    assert publish(pid, owner="late", now=NOW + timedelta(hours=5)).state == "published"


def test_without_search_an_unconfirmed_post_waits_for_a_person(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = ["apply-then-timeout"]
    publish(pid)
    network.searchable = False
    outcome = publish(pid, owner="run-2")
    assert outcome.state == "unconfirmed" and outcome.needs_person
    assert len(network.posts) == 1
    assert any("unverifiable" in key for key, _ in outbox(warehouse_engine))


def test_cancelled_and_draft_entries_are_never_claimed(warehouse_engine, planned, publish, network):
    ids = planned({"entry_id": "e1", "text": "Bonjour"}, {"entry_id": "e2", "text": "Salut"})
    planned(
        {"entry_id": "e1", "text": "Bonjour", "status": "cancelled"},
        {"entry_id": "e2", "text": "Salut", "status": "draft"},
    )
    assert [publish(pid).state for pid in ids] == ["skipped", "skipped"]
    assert publish.ledger.due(NOW) == [] and network.posts == []


def test_a_cancellation_landing_after_the_claim_still_stops_the_post(
    warehouse_engine, planned, publish, network, monkeypatch
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    real_claim = publish.ledger.claim_many

    def claim_then_cancel(*args, **kwargs):
        claims = real_claim(*args, **kwargs)
        planned({"entry_id": "e1", "text": "Bonjour", "status": "cancelled"})  # a sync in between
        return claims

    monkeypatch.setattr(publish.ledger, "claim_many", claim_then_cancel)
    outcome = publish(pid)
    assert outcome.state == "skipped" and "cancelled" in outcome.detail
    assert network.posts == []
    assert publication(warehouse_engine, pid).state == "cancelled"


def test_a_connection_that_cannot_be_built_releases_the_claim_and_says_what_to_fix(
    warehouse_engine, planned, notices
):
    from socialops.networks.errors import MisconfiguredConnection
    from socialops.publishing import PublicationLedger, publish_one

    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})

    def unusable():
        raise MisconfiguredConnection(
            "x",
            "extra max_attempts='many' is not a number",
            conn_id="x_default",
            extra="max_attempts",
        )

    outcome = publish_one(
        PublicationLedger(warehouse_engine),
        pid,
        unusable,
        owner="run-1",
        now=NOW,
        grace=timedelta(hours=2),
        notices=notices,
        media_root=".",
    )
    assert outcome.needs_person and outcome.state == "pending"
    stored = publication(warehouse_engine, pid)
    assert stored.lease_owner is None and stored.attempts == 0  # nothing was sent
    assert stored.lease_until == NOW + timedelta(minutes=30)  # not retried every run
    ((key, text),) = outbox(warehouse_engine)
    assert "max_attempts" in text


# -- a long back-off (LinkedIn's 429 holds until midnight UTC) ------------------------------


def test_a_back_off_past_the_grace_window_is_missed_at_once_with_its_reason(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})  # due at NOW - 5 min
    midnight = NOW.replace(hour=0, minute=0) + timedelta(days=1)
    network.script = [RateLimited("x", "429 daily limit", retry_at=midnight)]
    outcome = publish(pid)
    assert (outcome.state, outcome.retry_at) == ("missed", midnight)
    stored = publication(warehouse_engine, pid)
    assert (stored.state, stored.lease_until) == ("missed", None)
    assert "429 daily limit" in stored.last_error and midnight.isoformat() in stored.last_error
    ((key, text),) = outbox(warehouse_engine)
    assert key.startswith("publication:missed:")  # the grouped message of missed posts
    # In the brand's time zone (Europe/Paris): midnight UTC is 01:00.
    assert (
        "X asks to wait until Wed, 25 Nov 2026 at 01:00 UTC+1, after the end of its grace window"
    ) in text
    assert "not published within 2 hours of its time" in text
    # The plan's own missed sweep does not announce it a second time.
    publish.ledger.mark_missed(NOW + timedelta(hours=3), timedelta(hours=2), publish.notices)
    assert len(outbox(warehouse_engine)) == 1


def test_a_long_back_off_inside_the_grace_window_says_when_it_is_retried(
    warehouse_engine, planned, publish, network
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    retry = NOW + timedelta(minutes=45)
    network.script = [RateLimited("x", "429", retry_at=retry)]
    assert publish(pid).state == "pending"
    ((key, text),) = outbox(warehouse_engine)
    assert key == f"publication:{pid}:back-off:{retry.isoformat()}"
    assert "until Tue, 24 Nov 2026 at 11:50 UTC+1. It is tried again then" in text
    assert "(its grace window ends Tue, 24 Nov 2026 at 13:00 UTC+1)" in text
    assert publish(pid, owner="run-2", now=retry).state == "published"


def test_a_short_back_off_is_not_announced(warehouse_engine, planned, publish, network):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = [RateLimited("x", "429", retry_at=NOW + timedelta(minutes=15))]
    assert publish(pid).state == "pending"
    assert outbox(warehouse_engine) == []


def test_a_post_missed_after_failed_attempts_says_why_the_last_one_failed(
    warehouse_engine, planned, publish, network, notices
):
    (pid,) = planned({"entry_id": "e1", "text": "Bonjour"})
    network.script = [TransientError("x", "503 Service Unavailable")]
    assert publish(pid).state == "failed"
    publish.ledger.mark_missed(NOW + timedelta(hours=3), timedelta(hours=2), notices)
    ((key, text),) = outbox(warehouse_engine)
    assert key.startswith("publication:missed:")
    # What the last attempt left, in the CM's words; the network's own stays in last_error.
    assert "X failed or did not answer each time it was tried" in text
    assert "503" not in text and "not tried in time" not in text
