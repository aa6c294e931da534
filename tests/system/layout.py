"""The shape of the system test's deployment, shared by its fixtures and its tests."""

from __future__ import annotations

from tests.support.deployment import Worker

#: 30 approved entries due now across the five networks. X's are few: its pool has one
#: slot, so they go out one after the other, after the killed one's retry.
ENTRIES = {"x": 3, "youtube": 6, "facebook": 7, "instagram": 7, "linkedin": 7}
#: X has its own queue and worker (as it would with its own IP and rate budget) and one
#: pool slot, so that exactly one X publication is in flight at a time.
X_QUEUE = "socialops_x"
X_WORKER = Worker("x-worker", queues=(X_QUEUE,), concurrency=1)
#: Every other task: the default queue.
GENERAL_WORKER = Worker("general", queues=("default",), concurrency=2)
