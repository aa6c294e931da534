from datetime import UTC, datetime, timedelta

import pytest

from socialops.networks.errors import OutcomeUnknown, RateLimited, TransientError
from socialops.networks.retry import RetryPolicy, call_with_retries, retry_after

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Script:
    """A call that raises the given errors in turn, then returns 'ok'."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


DEFAULT_POLICY = RetryPolicy()


def run(call, policy=DEFAULT_POLICY):
    sleeps: list[float] = []
    result = call_with_retries(call, policy, sleep=sleeps.append, now=lambda: NOW)
    return result, sleeps


def test_transient_errors_are_retried_with_bounded_backoff():
    call = Script(TransientError("x", "502"), TransientError("x", "503"))
    result, sleeps = run(call, RetryPolicy(backoff_base=1, backoff_cap=1.5))
    assert result == "ok" and call.calls == 3
    assert len(sleeps) == 2 and all(0 <= s <= 1.5 for s in sleeps)


def test_gives_up_after_max_attempts():
    call = Script(*[TransientError("x", "500")] * 5)
    with pytest.raises(TransientError):
        run(call, RetryPolicy(max_attempts=3))
    assert call.calls == 3


def test_short_rate_limit_is_waited_out():
    call = Script(RateLimited("x", "429", retry_at=NOW + timedelta(seconds=20)))
    result, sleeps = run(call, RetryPolicy(max_sleep=60))
    assert result == "ok"
    assert 20 <= sleeps[0] <= 21


def test_long_rate_limit_is_raised_instead_of_sleeping():
    retry_at = NOW + timedelta(minutes=15)
    call = Script(RateLimited("x", "429", retry_at=retry_at))
    with pytest.raises(RateLimited) as excinfo:
        run(call, RetryPolicy(max_sleep=60))
    assert excinfo.value.retry_at == retry_at
    assert call.calls == 1
    assert "come back after 2026-11-20T12:15:00+00:00" in str(excinfo.value)


def test_outcome_unknown_is_never_retried():
    call = Script(OutcomeUnknown("x", "timeout after POST"))
    with pytest.raises(OutcomeUnknown):
        run(call)
    assert call.calls == 1


def test_policy_from_connection_extras():
    policy = RetryPolicy.from_extras({"max_attempts": "2", "max_sleep": 5})
    assert policy.max_attempts == 2 and policy.max_sleep == 5.0
    assert RetryPolicy.from_extras({}) == RetryPolicy()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", NOW + timedelta(seconds=120)),
        (" 1.5 ", NOW + timedelta(seconds=1.5)),
        ("Fri, 20 Nov 2026 12:05:00 GMT", NOW + timedelta(minutes=5)),
        (None, NOW + timedelta(seconds=42)),
        ("soon", NOW + timedelta(seconds=42)),
        ("inf", NOW + timedelta(seconds=42)),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date_else_the_default(header, expected):
    assert retry_after(header, NOW, timedelta(seconds=42)) == expected
