"""Influencer scoring against the sandbox, on SQLite and PostgreSQL: who is a candidate,
what is stored, the weekly shortlist, a candidate that goes private or disappears, a
network that cannot read profiles."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from tests.competitors.test_service import block_text
from tests.influencers.conftest import DAY, add_mentions

from socialops.analytics.influence import COMPONENTS
from socialops.influencers.service import NetworkScoring, announce_shortlist, candidates_from
from socialops.notifications.catalogue import Reader
from socialops.warehouse.models import InfluencerScore, NotificationOutbox


def score(network, config, engine, adapters, day=DAY):
    candidates = candidates_from(config, engine, network, day)
    return NetworkScoring(adapters(network), engine, config).run(candidates, day)


def test_candidates_are_configured_plus_mention_authors_never_brand_rival_or_excluded(
    config, warehouse_engine
):
    add_mentions(warehouse_engine, {"fan_big": (2, 0), "fan_small": (1, 0), "brand": (3, 0),
                                    "rival": (1, 0), "nope": (4, 0),
                                    "genuine": (2, 1)})  # fmt: skip

    found = {c.handle: c for c in candidates_from(config, warehouse_engine, "x", DAY)}

    assert set(found) == {"genuine", "bought", "locked", "vanished", "fan_big", "fan_small"}
    assert (found["genuine"].source, found["genuine"].brand_mentions) == ("configured", 2)
    assert found["genuine"].negative_brand_mentions == 1
    assert found["fan_big"].source == "mentions"


def test_scores_with_components_stored_and_the_unreadable_named(config, warehouse_engine, adapters):
    add_mentions(warehouse_engine, {"fan_big": (2, 0), "fan_small": (1, 0)})

    result = score("x", config, warehouse_engine, adapters)

    assert sorted(result.scored) == ["bought", "fan_big", "genuine"]
    assert result.below_floor == ["fan_small"]  # 200 followers < reach_floor 1 000
    assert {(u.handle, u.code) for u in result.unscored} == {
        ("locked", "protected"),
        ("vanished", "not_found"),
    }
    with warehouse_engine.connect() as connection:
        rows = {r.handle: r for r in connection.execute(select(InfluencerScore.__table__))}
    genuine, bought = rows["genuine"], rows["bought"]
    assert set(COMPONENTS) <= set(genuine.components)
    assert (genuine.components["tier"], bought.components["tier"]) == ("micro", "mid")
    assert genuine.score > bought.score
    assert bought.components["authenticity"] < 0.5
    assert {"mass_following", "no_profile_picture", "young_account"} <= set(bought.flags)
    assert genuine.engagement_rate > bought.engagement_rate
    # 3 timelines + 1 lookup: the 7 candidates in one users lookup.
    assert result.api_calls["GET /2/users/by"] == 1


def test_a_rerun_writes_nothing(config, warehouse_engine, adapters):
    first = score("x", config, warehouse_engine, adapters)
    again = score("x", config, warehouse_engine, adapters)
    assert first.loaded["inserted"] == len(first.scored) == 2
    assert again.loaded == {"inserted": 0, "updated": 0, "unchanged": 2}


def test_a_network_that_cannot_read_profiles(config, warehouse_engine, adapters):
    result = score("linkedin", config, warehouse_engine, adapters)
    assert result.scored == []
    assert [(u.handle, u.code) for u in result.unscored] == [("some-member", "no_api")]


def test_a_candidate_that_goes_private_next_week(config, warehouse_engine, adapters, server):
    score("x", config, warehouse_engine, adapters)
    server.sandbox.world.account("x", "genuine").protected = True

    later = score("x", config, warehouse_engine, adapters, day=DAY + timedelta(days=7))

    assert "genuine" not in later.scored
    assert ("genuine", "protected") in {(u.handle, u.code) for u in later.unscored}


def test_the_weekly_shortlist(config, warehouse_engine, adapters):
    result = score("x", config, warehouse_engine, adapters)
    unscored = [{"network": "x", "handle": u.handle, "code": u.code, "detail": u.detail}
                for u in result.unscored]  # fmt: skip

    summary = announce_shortlist(
        config, warehouse_engine, DAY, unscored, reader=Reader("en", "Europe/Paris"),
        channel="#digest",
    )  # fmt: skip

    assert summary["shortlist"][0] == "genuine"
    assert "bought" in summary["flagged"] and "bought" not in summary["shortlist"]
    with warehouse_engine.connect() as connection:
        (blocks,) = connection.execute(select(NotificationOutbox.blocks)).scalars().all()
    text = block_text(blocks)
    assert "*Shortlist*" in text and "genuine (X, `micro`), carried by" in text
    assert ":new: new" in text  # first scoring: everyone is new
    assert "`mass_following`" in text
    assert "locked (X): its posts are visible to approved followers only" in text


def test_two_fake_signals_put_a_candidate_apart(config, warehouse_engine, adapters, server):
    pod = server.sandbox.world.account("x", "genuine")
    pod.following = 6000  # mass following, on top of an engagement far above its tier's norm
    score("x", config, warehouse_engine, adapters)

    summary = announce_shortlist(
        config, warehouse_engine, DAY, [], reader=Reader("fr", "Europe/Paris"), channel="#d"
    )

    assert "genuine" in summary["flagged"] and "genuine" not in summary["shortlist"]
    with warehouse_engine.connect() as connection:
        (blocks,) = connection.execute(select(NotificationOutbox.blocks)).scalars().all()
    assert "`mass_following`" in block_text(blocks) and "Signalés" in block_text(blocks)
