from datetime import UTC, datetime

import pytest

from socialops.calendar.entries import parse_rows, parse_time, resolve_accounts
from socialops.networks.idempotency import idempotency_key

OWNED = {"x": ["maisonlumiere"], "linkedin": ["maison-lumiere"], "youtube": ["maisonlumiere"]}


def parse(*rows, timezone="Europe/Paris"):
    return parse_rows(list(rows), timezone=timezone, owned_accounts=OWNED, source="csv:test")


def row(**cells):
    base = {
        "entry_id": "e1",
        "scheduled_at": "2026-11-24 18:30",
        "networks": "x",
        "text": "Bonjour",
        "status": "approved",
    }
    return {**base, **cells}


def test_a_naive_time_is_in_the_brand_time_zone_and_stored_in_utc():
    (entry,) = parse(row()).entries
    assert entry.scheduled_at == datetime(2026, 11, 24, 17, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-11-24T17:30:00Z", datetime(2026, 11, 24, 17, 30, tzinfo=UTC)),
        ("2026-11-24T18:30:00+01:00", datetime(2026, 11, 24, 17, 30, tzinfo=UTC)),
        ("2026-07-01 18:30", datetime(2026, 7, 1, 16, 30, tzinfo=UTC)),  # summer time
    ],
)
def test_times_with_an_offset_keep_it(raw, expected):
    from zoneinfo import ZoneInfo

    assert parse_time(raw, ZoneInfo("Europe/Paris")) == expected


def test_several_networks_variants_and_lists():
    (entry,) = parse(
        row(
            networks="X | linkedin",
            text_linkedin="Long LinkedIn text",
            media="a.jpg|b c.jpg",
            tags="noel, lancement",
        )
    ).entries
    assert entry.networks == ("x", "linkedin")
    assert entry.text_for("x") == "Bonjour"
    assert entry.text_for("linkedin") == "Long LinkedIn text"
    assert entry.media == ("a.jpg", "b c.jpg")
    assert entry.tags == ("noel", "lancement")
    assert entry.accounts == {"x": "maisonlumiere", "linkedin": "maison-lumiere"}


def test_status_defaults_to_draft_and_blank_lines_are_skipped():
    parsed = parse(row(status=""), {"entry_id": "", "text": " "})
    assert [e.status for e in parsed.entries] == ["draft"]
    assert parsed.problems == []


@pytest.mark.parametrize(
    "cells, field, words",
    [
        ({"entry_id": ""}, "entry_id", "unique id"),
        ({"scheduled_at": "24/11/2026 18h30"}, "scheduled_at", "2026-11-24 18:30"),
        ({"scheduled_at": "2026-11-24"}, "scheduled_at", "2026-11-24 18:30"),
        ({"networks": "x|tiktok"}, "networks", "'tiktok'"),
        ({"networks": ""}, "networks", "separated by '|'"),
        ({"status": "ok"}, "status", "draft, approved, cancelled"),
        ({"account": "linkedin:someone-else", "networks": "linkedin"}, "account", "maison-lumiere"),
        ({"text": ""}, "text", "write the post's text"),
    ],
)
def test_structural_problems_name_the_row_field_and_fix(cells, field, words):
    parsed = parse(row(**cells))
    assert parsed.entries == []
    (problem,) = parsed.problems
    assert problem.row == 2 and problem.field == field and problem.network is None
    assert words in str(problem)
    assert str(problem).startswith("row 2")


def test_a_duplicate_id_rejects_the_second_row_and_names_the_first():
    parsed = parse(row(), row(text="Other"))
    assert len(parsed.entries) == 1
    (problem,) = parsed.problems
    assert problem.row == 3 and "already used on row 2" in problem.message


def test_a_cancelled_row_needs_no_valid_content():
    (entry,) = parse(
        row(status="cancelled", text="", networks="x|tiktok", scheduled_at="soon")
    ).entries
    assert entry.status == "cancelled"
    assert entry.networks == ("x",)


def test_content_hash_follows_content_not_approval():
    (a,) = parse(row()).entries
    (b,) = parse(row(approver="Camille")).entries
    (c,) = parse(row(text="Bonsoir")).entries
    assert a.content_hash == b.content_hash != c.content_hash
    assert idempotency_key("e1", "x", a.text) != idempotency_key("e1", "x", c.text)


def test_accounts_can_be_given_per_network():
    owned = {"x": ["a", "b"], "linkedin": ["c"]}
    assert resolve_accounts("x:@b", ["x", "linkedin"], owned) == {"x": "b", "linkedin": "c"}
    assert resolve_accounts("", ["x"], owned) == {"x": "a"}
    with pytest.raises(ValueError, match="owns no youtube account"):
        resolve_accounts("", ["youtube"], owned)
