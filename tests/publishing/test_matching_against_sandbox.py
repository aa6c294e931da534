"""A worker killed before the create call, with neighbours on the account: the retry
publishes, it never takes a neighbour for ours (issue 9, docs/exactly-once.md). The real X
and YouTube adapters against the sandbox, below Airflow."""

from datetime import UTC, datetime, timedelta

import pytest

from socialops.config import load_config
from socialops.hooks import connect
from socialops.networks import Draft, idempotency_key
from socialops.networks.x.adapter import XAdapter
from socialops.networks.youtube.adapter import YouTubeAdapter
from socialops.paths import INCLUDE_DIR
from socialops.publishing import PublicationLedger, PublicationNotices, publish_one
from socialops.publishing.tasks import media_root

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # the sandbox fixture's frozen clock
VIDEO = "media/atelier-coulisses.mp4"
OWNER = "publish_posts/manual__1/publish_{}[0]#{}".format


@pytest.fixture
def publish(warehouse_engine, sandbox_connections):
    ledger = PublicationLedger(warehouse_engine)
    config = load_config()

    def run(publication_id, network, *, owner, now=NOW):
        return publish_one(
            ledger,
            publication_id,
            lambda: connect(network),
            owner=owner,
            now=now,
            grace=timedelta(hours=2),
            notices=PublicationNotices.for_brand(config),
            media_root=media_root(config),
        )

    return run


def killed_before_the_create_call(*args, **kwargs):
    raise SystemExit("SIGKILL: the worker died before sending the post")


def post_neighbours(network, *drafts):
    adapter = connect(network)
    try:
        return [
            adapter.publish(d, idempotency_key(f"n{n}", network, d)) for n, d in enumerate(drafts)
        ]
    finally:
        adapter.close()


CASES = {
    "x": (
        XAdapter,
        {"text": "Nouvelle bougie Ambre", "link": "https://maisonlumiere.example/ambre"},
        [
            # the same words with another link, and in capitals with our link
            Draft("maisonlumiere", "Nouvelle bougie Ambre", link="https://maisonlumiere.example/vanille"),
            Draft("maisonlumiere", "NOUVELLE BOUGIE AMBRE", link="https://maisonlumiere.example/ambre"),
        ],
    ),
    "youtube": (
        YouTubeAdapter,
        {"text": "Dans les coulisses de l'atelier", "link": "https://maisonlumiere.example",
         "media": VIDEO, "title": "Couler une bougie à la main"},
        [
            # the same description under another title, and the same title with another link
            Draft("maisonlumiere", "Dans les coulisses de l'atelier", link="https://maisonlumiere.example",
                  media=(str(INCLUDE_DIR / "calendar" / VIDEO),), title="Couler une bougie"),
            Draft("maisonlumiere", "Dans les coulisses de l'atelier", link="https://maisonlumiere.example/a",
                  media=(str(INCLUDE_DIR / "calendar" / VIDEO),), title="Couler une bougie à la main"),
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("network", sorted(CASES))
def test_killed_before_create_then_published_not_matched_to_a_neighbour(
    network, plan_on, warehouse_engine, publish, sandbox_connections
):
    adapter_class, row, neighbours = CASES[network]
    theirs = post_neighbours(network, *neighbours)
    (pid,) = plan_on(
        warehouse_engine,
        {"entry_id": "k1", "scheduled_at": (NOW - timedelta(minutes=5)).isoformat(),
         "networks": network, **row},
        now=NOW,
    )  # fmt: skip

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(adapter_class, "publish", killed_before_the_create_call)
        with pytest.raises(SystemExit):
            publish(pid, network, owner=OWNER(network, 1))
    # Airflow's retry of the killed try: it reconciles at once, finds only neighbours.
    retry = publish(pid, network, owner=OWNER(network, 2), now=NOW + timedelta(seconds=40))

    assert (retry.state, retry.detail) == ("published", "published")
    assert retry.external_id not in {r.external_id for r in theirs}
    ours = sandbox_connections.world.post(network, retry.external_id)
    assert row["text"] in ours.text and ours.created_at >= NOW - timedelta(minutes=5)
    if network == "youtube":
        assert ours.title == row["title"]
