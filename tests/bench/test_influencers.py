"""The influencer benchmark's helpers: the AUC, the labelled generator, the report."""

from __future__ import annotations

import pytest

from bench import influencers


def test_roc_auc_by_hand():
    # Pairs (positive, negative): (0.9, 0.1) (0.9, 0.4) (0.35, 0.1) (0.35, 0.4) → 3 of 4.
    assert influencers.roc_auc([0.9, 0.35, 0.1, 0.4], [1, 1, 0, 0]) == 0.75
    assert influencers.roc_auc([0.5, 0.5], [1, 0]) == 0.5  # a tie counts half


def test_synthetic_candidates_are_seeded_and_labelled():
    first = influencers.synthetic_candidates(2_000, seed=3)
    again = influencers.synthetic_candidates(2_000, seed=3)
    assert first.equals(again)
    assert first["label"].mean() == pytest.approx(influencers.FAKE_SHARE, abs=0.05)
    assert {"network", "handle", "bio", "avg_likes", "created_at"} <= set(first.columns)


def test_separation_and_report():
    figures = influencers.separation(influencers.synthetic_candidates(3_000), "synthetic")
    assert figures["auc_authenticity"] > figures["auc_following_followers_ratio"]
    speed = {"rows": 10, "seconds": 0.5, "cpu_seconds": 0.4, "load_average": 1.0}
    speed |= {"rows_per_second": 20}
    speed |= {"rss_before_scoring_mb": 100.0, "rss_peak_mb": 120.0, "scored": 10}
    machine = {"date": "d", "cpu": "c", "cores": 2, "memory_gb": 1, "platform": "p"}
    machine |= {"python": "3.11", "sqlite": "3"}
    lines = influencers.report(
        {"machine": machine, "results": {"speed": speed, "separation": [figures]}}
    )
    assert lines[0] == "## Influencer scoring"
    assert any(line.startswith("| synthetic | 3,000 |") for line in lines)
