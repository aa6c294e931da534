from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Engine, select, text

from socialops.warehouse.models import Account, CalendarEntry, Post, PostMetricsDaily
from socialops.warehouse.upsert import (
    MERGE_WORK_MEM,
    UpsertError,
    UpsertResult,
    raw_copy,
    upsert,
)

DAY = date(2026, 11, 20)
# The daily facts a rerun rewrites in place (migration 0009).
REWRITTEN_TABLES = (
    "post_metrics_daily",
    "account_metrics_daily",
    "competitor_snapshots",
    "competitor_posts",
)
EXTRACTED = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)


def metric_rows(count: int = 3, **overrides) -> list[dict]:
    return [
        {
            "network": "x",
            "post_id": f"p{i}",
            "day": DAY,
            "likes": 10 * i,
            "impressions": None,
            "extracted_at": EXTRACTED,
        }
        | overrides
        for i in range(count)
    ]


def stored_metrics(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                PostMetricsDaily.post_id,
                PostMetricsDaily.likes,
                PostMetricsDaily.impressions,
                PostMetricsDaily.extracted_at,
            )
        )
        return {post_id: rest for post_id, *rest in rows}


def test_first_load_inserts_and_identical_rerun_changes_nothing(warehouse_engine):
    first = upsert(warehouse_engine, "post_metrics_daily", metric_rows())
    assert first == UpsertResult(3, 3, 0, 0, table="post_metrics_daily")

    again = upsert(warehouse_engine, "post_metrics_daily", metric_rows())
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_later_values_overwrite_and_only_changed_rows_count(warehouse_engine):
    upsert(warehouse_engine, "post_metrics_daily", metric_rows())
    later = metric_rows(4, extracted_at=EXTRACTED + timedelta(days=1))
    later[1]["likes"] = 99
    later[2]["impressions"] = 500  # NULL -> value is a change

    result = upsert(warehouse_engine, PostMetricsDaily, later)

    assert (result.inserted, result.updated, result.unchanged) == (1, 2, 1)
    stored = stored_metrics(warehouse_engine)
    assert stored["p1"][:2] == [99, None]
    assert stored["p2"][:2] == [20, 500]
    # The new stamp travels with a real change, and only with one.
    assert stored["p1"][2] == EXTRACTED + timedelta(days=1)
    assert stored["p0"][2] == EXTRACTED


def test_a_value_becoming_unreported_is_a_change(warehouse_engine):
    upsert(warehouse_engine, "post_metrics_daily", metric_rows(1))
    result = upsert(warehouse_engine, "post_metrics_daily", metric_rows(1, likes=None))
    assert result.updated == 1
    assert stored_metrics(warehouse_engine)["p0"][0] is None


def test_a_new_bookkeeping_stamp_alone_rewrites_nothing(warehouse_engine):
    upsert(warehouse_engine, "post_metrics_daily", metric_rows())
    result = upsert(
        warehouse_engine, "post_metrics_daily", metric_rows(extracted_at=datetime.now(UTC))
    )
    assert (result.updated, result.unchanged) == (0, 3)
    assert stored_metrics(warehouse_engine)["p0"][2] == EXTRACTED


def test_columns_left_out_of_update_keep_their_first_value(warehouse_engine):
    post = {
        "network": "x",
        "external_id": "1",
        "account_id": "42",
        "created_at": datetime(2026, 11, 1, 9, tzinfo=UTC),
        "text": "hello",
        "first_seen_at": datetime(2026, 11, 1, 10, tzinfo=UTC),
    }
    upsert(warehouse_engine, Post, [post])
    edited = post | {"text": "hello, edited", "first_seen_at": datetime(2026, 11, 5, tzinfo=UTC)}

    result = upsert(warehouse_engine, Post, [edited], update=["text"])

    assert result.updated == 1
    with warehouse_engine.connect() as connection:
        stored = connection.execute(select(Post.text, Post.first_seen_at, Post.kind)).one()
    assert stored == ("hello, edited", datetime(2026, 11, 1, 10, tzinfo=UTC), "post")


def test_explicit_compare_columns_decide_what_counts_as_a_change(warehouse_engine):
    upsert(warehouse_engine, "post_metrics_daily", metric_rows(1))
    result = upsert(
        warehouse_engine, "post_metrics_daily", metric_rows(1, likes=7), compare=["impressions"]
    )
    assert result.unchanged == 1
    assert stored_metrics(warehouse_engine)["p0"][0] == 0


def test_key_may_be_a_unique_constraint(warehouse_engine):
    account = {"network": "x", "handle": "rival", "role": "competitor", "owner_name": "Rival"}
    upsert(warehouse_engine, Account, [account], key=["network", "handle"])
    result = upsert(
        warehouse_engine, Account, [account | {"owner_name": "Rival SA"}], key=("network", "handle")
    )
    assert result.updated == 1
    with warehouse_engine.connect() as connection:
        assert connection.execute(select(Account.id, Account.owner_name)).all() == [(1, "Rival SA")]


def test_json_documents_compare_by_content_not_key_order(warehouse_engine):
    seen = datetime(2026, 11, 21, tzinfo=UTC)
    alert = {
        "fingerprint": "mentions-spike:x",
        "kind": "mentions_spike",
        "severity": "warning",
        "title": "Mentions spike on X",
        "first_seen_at": seen,
        "last_seen_at": seen,
        "details": {"count": 40, "baseline": [3, 4]},
    }
    upsert(warehouse_engine, "alerts", [alert], key=["fingerprint"])
    reordered = alert | {"details": {"baseline": [3, 4], "count": 40}}
    assert upsert(warehouse_engine, "alerts", [reordered], key=["fingerprint"]).unchanged == 1


def test_rows_repeating_a_key_collapse_to_the_last_one(warehouse_engine):
    rows = metric_rows(2) + [metric_rows(1, likes=5)[0]]
    result = upsert(warehouse_engine, "post_metrics_daily", rows)
    assert (result.received, result.inserted, result.duplicates) == (3, 2, 1)
    assert stored_metrics(warehouse_engine)["p0"][0] == 5


def test_dataframe_with_gaps_loads_as_nulls_and_reloads_as_a_no_op(warehouse_engine):
    frame = pd.DataFrame(
        {
            "entry_id": ["e1", "e2", "e3"],
            "scheduled_at": pd.to_datetime(
                ["2026-11-21 09:00", "2026-11-22 18:30", "2026-11-23 08:00"]
            ).tz_localize("Europe/Paris"),
            "updated_at": pd.to_datetime(["2026-11-20 10:00"] * 3),  # naive: taken as UTC
            "networks": [["x"], ["x", "linkedin"], ["youtube"]],
            "text": ["one", "two", "three"],
            "variants": [{"x": "one!"}, None, None],
            "approver": ["ana", pd.NA, None],
            "source_row": [2, None, 4],  # pandas stores this as float64 with NaN
            "content_hash": ["h1", "h2", "h3"],
        }
    )

    assert upsert(warehouse_engine, CalendarEntry, frame).inserted == 3
    assert upsert(warehouse_engine, CalendarEntry, frame).unchanged == 3

    with warehouse_engine.connect() as connection:
        stored = {
            row.entry_id: row
            for row in connection.execute(select(CalendarEntry).order_by(CalendarEntry.entry_id))
        }
    assert stored["e1"].scheduled_at == datetime(2026, 11, 21, 8, tzinfo=UTC)
    assert stored["e1"].updated_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert stored["e1"].variants == {"x": "one!"} and stored["e2"].variants is None
    assert stored["e2"].networks == ["x", "linkedin"]
    assert [stored[e].approver for e in ("e1", "e2", "e3")] == ["ana", None, None]
    assert [stored[e].source_row for e in ("e1", "e2", "e3")] == [2, None, 4]
    assert stored["e1"].status == "draft"  # server default for a column not loaded


def test_iso_strings_and_decimals_are_accepted(warehouse_engine):
    rows = [
        {
            "campaign_id": "c1",
            "day": "2026-11-20",
            "spend": Decimal("12.50"),
            "clicks": "31",
            "source": "csv",
            "extracted_at": "2026-11-21T01:00:00+01:00",
        }
    ]
    assert upsert(warehouse_engine, "campaign_spend_daily", rows).inserted == 1
    assert upsert(warehouse_engine, "campaign_spend_daily", rows).unchanged == 1
    with warehouse_engine.connect() as connection:
        day, spend, clicks, extracted_at = connection.execute(
            text("SELECT day, spend, clicks, extracted_at FROM campaign_spend_daily")
        ).one()
    assert float(spend) == 12.5 and clicks == 31


def test_empty_input_does_nothing(warehouse_engine):
    assert upsert(warehouse_engine, "posts", []) == UpsertResult(0, 0, 0, 0, table="posts")
    assert upsert(warehouse_engine, "posts", pd.DataFrame()).received == 0


def test_a_connection_makes_the_load_part_of_the_callers_transaction(warehouse_engine):
    with warehouse_engine.connect() as connection:
        upsert(connection, "post_metrics_daily", metric_rows())
        connection.rollback()
    assert stored_metrics(warehouse_engine) == {}


def test_sqlite_chunks_count_across_batches(sqlite_engine):
    upsert(sqlite_engine, "post_metrics_daily", metric_rows(5))
    rows = metric_rows(12)
    rows[0]["likes"] = -1
    result = upsert(sqlite_engine, "post_metrics_daily", rows, chunk_size=4)
    assert (result.inserted, result.updated, result.unchanged) == (7, 1, 4)


def test_raw_copy_appends_and_refuses_existing_keys(warehouse_engine):
    assert raw_copy(warehouse_engine, "post_metrics_daily", metric_rows(3)) == 3
    assert len(stored_metrics(warehouse_engine)) == 3
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        raw_copy(warehouse_engine, "post_metrics_daily", metric_rows(1))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            metric_rows(2)
            + [
                {
                    "network": "x",
                    "day": DAY,
                    "likes": 1,
                    "impressions": None,
                    "extracted_at": EXTRACTED,
                }
            ],
            r"row 2 has different columns from row 0 \(missing \['post_id'\]",
        ),
        (
            metric_rows(2) + metric_rows(1, post_id=None),
            r"row 2 has no value for key column 'post_id'",
        ),
        (
            pd.DataFrame({"network": ["x"], "post_id": [float("nan")], "day": [DAY]}),
            r"row 0 has no value for key column 'post_id'",
        ),
        (
            [{"network": "x", "post_id": "1", "likes": 3}],
            r"row 0 has no value for key column 'day'",
        ),
        (metric_rows(1, favourites=3), r"unknown column\(s\) \['favourites'\]"),
        (metric_rows(1, likes=2.5), r"row 0, column 'likes': expected an integer, got 2.5"),
        (metric_rows(1, day="yesterday"), r"row 0, column 'day': Invalid isoformat"),
        (["not a dict"], r"row 0 is a str, not a dict"),
    ],
    ids=[
        "columns-differ",
        "null-key",
        "nan-key",
        "no-key-column",
        "unknown-column",
        "fractional-int",
        "bad-date",
        "not-a-mapping",
    ],
)
def test_bad_rows_are_rejected_naming_the_row_and_column(sqlite_engine, rows, message):
    with pytest.raises(UpsertError, match=message):
        upsert(sqlite_engine, "post_metrics_daily", rows)
    assert stored_metrics(sqlite_engine) == {}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"table": "post_metric"}, r"no warehouse table 'post_metric'; tables are: "),
        ({"key": ["network"]}, r"key \['network'\] is neither the primary key nor a unique"),
        ({"key": ["network", "postid"]}, r"unknown key column\(s\) \['postid'\]"),
        ({"update": ["shares"]}, r"update column\(s\) \['shares'\] are not in the rows"),
        ({"compare": "views"}, r"unknown compare column\(s\) \['views'\]"),
    ],
)
def test_bad_arguments_are_rejected(sqlite_engine, kwargs, message):
    arguments = {"table": "post_metrics_daily"} | kwargs
    with pytest.raises(UpsertError, match=message):
        upsert(sqlite_engine, rows=metric_rows(1), **arguments)


def test_database_errors_roll_the_whole_load_back(warehouse_engine):
    rows = metric_rows(1) + [
        {
            "network": "x",
            "post_id": "p9",
            "day": DAY,
            "likes": 1,
            "impressions": None,
            "extracted_at": None,
        }
    ]  # NOT NULL column
    with pytest.raises(Exception, match="(?i)null"):
        upsert(warehouse_engine, "post_metrics_daily", rows)
    assert stored_metrics(warehouse_engine) == {}


def test_timestamps_in_other_zones_are_stored_as_utc(warehouse_engine):
    paris = timezone(timedelta(hours=1))
    upsert(
        warehouse_engine,
        "post_metrics_daily",
        metric_rows(1, extracted_at=datetime(2026, 11, 21, 3, 0, tzinfo=paris)),
    )
    assert stored_metrics(warehouse_engine)["p0"][2] == datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
    # The same instant written in another zone is not a change.
    result = upsert(
        warehouse_engine, "post_metrics_daily", metric_rows(1), compare=["extracted_at"]
    )
    assert result.unchanged == 1


# -- DataFrames normalised a column at a time ---------------------------------------------


def _all_metrics(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                PostMetricsDaily.post_id,
                PostMetricsDaily.day,
                PostMetricsDaily.likes,
                PostMetricsDaily.impressions,
                PostMetricsDaily.reach,
                PostMetricsDaily.comments,
                PostMetricsDaily.extracted_at,
            )
        )
        return {post_id: tuple(rest) for post_id, *rest in rows}


def test_dataframe_dtypes_load_like_the_same_values_given_one_by_one(warehouse_engine):
    frame = pd.DataFrame(
        {
            "network": pd.Series(["x", "x", "x"], dtype="str"),
            "post_id": ["p0", "p1", "p2"],
            # datetime64 in a date column: the day of each timestamp
            "day": pd.to_datetime(["2026-11-20 23:59", "2026-11-20 00:00", "2026-11-19 12:00"]),
            "likes": [1, 2, 3],  # int64
            "impressions": [10.0, float("nan"), 30.0],  # an int column with a gap: float64
            "reach": pd.array([None, 5, 6], dtype="Int64"),  # pandas' nullable integers
            "comments": [None, None, None],  # object column of nothing
            "extracted_at": pd.to_datetime(["2026-11-21 02:00"] * 3),  # naive: UTC
        }
    )
    assert upsert(warehouse_engine, "post_metrics_daily", frame).inserted == 3
    as_dicts = [
        {
            "network": "x",
            "post_id": post_id,
            "day": day,
            "likes": likes,
            "impressions": impressions,
            "reach": reach,
            "comments": None,
            "extracted_at": EXTRACTED,
        }
        for post_id, day, likes, impressions, reach in [
            ("p0", DAY, 1, 10, None),
            ("p1", DAY, 2, None, 5),
            ("p2", DAY - timedelta(days=1), 3, 30, 6),
        ]
    ]
    # The same values as plain dicts are no change: the frame stored exactly these.
    assert upsert(warehouse_engine, "post_metrics_daily", as_dicts).unchanged == 3
    assert upsert(warehouse_engine, "post_metrics_daily", frame).unchanged == 3
    stored = _all_metrics(warehouse_engine)
    assert stored["p0"] == (DAY, 1, 10, None, None, EXTRACTED)
    assert stored["p1"] == (DAY, 2, None, 5, None, EXTRACTED)
    assert stored["p2"] == (DAY - timedelta(days=1), 3, 30, 6, None, EXTRACTED)
    assert {type(stored[p][2]) for p in ("p0", "p2")} == {int}  # not 10.0, as given


def test_frame_timestamps_become_one_day_key_and_collapse(warehouse_engine):
    frame = pd.DataFrame(
        {
            "network": ["x", "x"],
            "post_id": ["p0", "p0"],
            "day": pd.to_datetime(["2026-11-20 08:00", "2026-11-20 20:00"]).tz_localize("UTC"),
            "likes": [1, 2],
        }
    )
    result = upsert(warehouse_engine, "post_metrics_daily", frame)
    assert (result.received, result.inserted, result.duplicates) == (2, 1, 1)
    assert _all_metrics(warehouse_engine)["p0"][:2] == (DAY, 2)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"likes": [1.0, 2.5]}, r"row 1, column 'likes': expected an integer, got 2\.5"),
        ({"likes": ["3", "many"]}, r"row 1, column 'likes': expected an integer, got 'many'"),
        ({"post_id": ["p0", None]}, r"row 1 has no value for key column 'post_id'"),
        ({"day": [DAY, "soon"]}, r"row 1, column 'day'"),
    ],
)
def test_bad_frame_values_are_rejected_naming_the_row_and_column(sqlite_engine, columns, message):
    frame = pd.DataFrame({"network": ["x", "x"], "post_id": ["p0", "p1"], "day": [DAY, DAY]})
    frame = frame.assign(**columns)
    with pytest.raises(UpsertError, match=message):
        upsert(sqlite_engine, "post_metrics_daily", frame)


# -- PostgreSQL: the direct COPY, the staged merge and what each writes -------------------


def _row_versions(engine: Engine) -> dict[str, str]:
    """Each row's xmin: the transaction that wrote its current version."""
    with engine.connect() as connection:
        return dict(
            connection.execute(text("SELECT post_id, xmin::text FROM post_metrics_daily")).all()
        )


@pytest.mark.postgres
def test_unchanged_rows_keep_their_row_version_and_changed_rows_get_one(pg_engine):
    upsert(pg_engine, "post_metrics_daily", metric_rows(3))
    before = _row_versions(pg_engine)
    assert upsert(pg_engine, "post_metrics_daily", metric_rows(3)).unchanged == 3
    assert _row_versions(pg_engine) == before  # nothing written, not even a row lock

    later = metric_rows(3)
    later[1]["likes"] = 99
    result = upsert(pg_engine, "post_metrics_daily", later)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    after = _row_versions(pg_engine)
    assert after["p0"] == before["p0"] and after["p2"] == before["p2"]
    assert after["p1"] != before["p1"]
    assert stored_metrics(pg_engine)["p1"][0] == 99


@pytest.mark.postgres
@pytest.mark.parametrize(("middle_likes", "updated"), [(10, 0), (7, 1)])
def test_a_known_key_the_probe_missed_goes_through_the_merge(pg_engine, middle_likes, updated):
    # Only p1 exists: the first and last keys are new, so the direct COPY is tried, meets
    # p1, rolls back to its savepoint and the staged merge does the load.
    upsert(pg_engine, "post_metrics_daily", metric_rows(3)[1:2])
    rows = metric_rows(3)
    rows[1]["likes"] = middle_likes
    result = upsert(pg_engine, "post_metrics_daily", rows)
    assert (result.inserted, result.updated, result.unchanged) == (2, updated, 1 - updated)
    assert {post_id: values[0] for post_id, values in stored_metrics(pg_engine).items()} == {
        "p0": 0,
        "p1": middle_likes,
        "p2": 20,
    }


@pytest.mark.postgres
def test_values_unfit_for_binary_copy_are_sent_as_text(pg_engine):
    # Integers in a text column: PostgreSQL casts them from COPY's text format.
    frame = pd.DataFrame({"network": ["x", "x"], "post_id": [17, 18], "day": [DAY, DAY]})
    assert upsert(pg_engine, "post_metrics_daily", frame).inserted == 2
    assert sorted(stored_metrics(pg_engine)) == ["17", "18"]
    assert upsert(pg_engine, "post_metrics_daily", frame).unchanged == 2
    assert raw_copy(pg_engine, "post_metrics_daily", frame.assign(day=DAY + timedelta(1))) == 2


@pytest.mark.postgres
def test_the_rewritten_fact_tables_leave_room_for_heap_only_updates(pg_engine):
    with pg_engine.connect() as connection:
        options = dict(
            connection.execute(
                text(
                    "SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
                    "WHERE oid = ANY(CAST(:names AS regclass[]))"
                ),
                {"names": list(REWRITTEN_TABLES)},
            ).all()
        )
    assert options == dict.fromkeys(REWRITTEN_TABLES, "fillfactor=50")


@pytest.mark.postgres
def test_rewriting_every_row_writes_no_index_entry(pg_engine):
    # A rerun after the counters moved: every row changes, and each new version fits on its
    # own page (fillfactor), so PostgreSQL updates it heap-only (HOT), without index entries.
    frame = pd.DataFrame(metric_rows(2_000)).drop(columns="extracted_at")
    upsert(pg_engine, "post_metrics_daily", frame)
    # The backend's counts not yet flushed to the statistics (earlier tests' too): compared
    # before and after, within one transaction.
    counts = text(
        "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables "
        "WHERE relid = 'post_metrics_daily'::regclass"
    )
    with pg_engine.begin() as connection:
        updates_before, heap_only_before = connection.execute(counts).one()
        result = upsert(connection, "post_metrics_daily", frame.assign(likes=frame["likes"] + 1))
        updates, heap_only = connection.execute(counts).one()
    assert result.updated == updates - updates_before == 2_000
    assert heap_only - heap_only_before == 2_000


@pytest.mark.postgres
@pytest.mark.parametrize("callers_work_mem", ["1MB", "256MB"])
def test_the_merge_sets_its_planner_settings_for_its_own_statements_only(
    pg_engine, callers_work_mem, monkeypatch
):
    from sqlalchemy import event

    # The module, not the function `socialops.warehouse.upsert` that the package exports.
    monkeypatch.setattr(sys.modules[upsert.__module__], "MERGE_SETTINGS_FROM", 3)
    upsert(pg_engine, "post_metrics_daily", metric_rows(3))
    show = "SELECT current_setting('work_mem'), current_setting('enable_memoize')"
    during: list[tuple[str, str]] = []

    def record(connection, cursor, statement, *args):
        if statement.lstrip().startswith("UPDATE"):
            during.append(tuple(cursor.connection.execute(show).fetchone()))

    event.listen(pg_engine, "after_cursor_execute", record)
    try:
        with pg_engine.begin() as connection:
            connection.execute(text(f"SET LOCAL work_mem = '{callers_work_mem}'"))
            assert upsert(connection, "post_metrics_daily", metric_rows(3, likes=5)).updated == 3
            after = tuple(connection.execute(text(show)).one())
    finally:
        event.remove(pg_engine, "after_cursor_execute", record)
    # At least MERGE_WORK_MEM, never less than the caller's; memoize off (the stage's keys
    # are unique); both put back for the rest of the caller's transaction.
    assert during == [(max(callers_work_mem, MERGE_WORK_MEM, key=_megabytes), "off")]
    assert after == (callers_work_mem, "on")

    # Below the threshold (the default, 5,000 rows), the load leaves the settings alone.
    monkeypatch.undo()
    during.clear()
    event.listen(pg_engine, "after_cursor_execute", record)
    try:
        with pg_engine.begin() as connection:
            connection.execute(text(f"SET LOCAL work_mem = '{callers_work_mem}'"))
            assert upsert(connection, "post_metrics_daily", metric_rows(3, likes=6)).updated == 3
    finally:
        event.remove(pg_engine, "after_cursor_execute", record)
    assert during == [(callers_work_mem, "on")]


def _megabytes(setting: str) -> int:
    return int(setting.removesuffix("MB"))


@pytest.mark.postgres
def test_a_rerun_that_changes_nothing_runs_no_write_statement(pg_engine):
    from sqlalchemy import event

    frame = pd.DataFrame(metric_rows(50))
    upsert(pg_engine, "post_metrics_daily", frame)
    statements: list[str] = []

    def record(connection, cursor, statement, *args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(pg_engine, "before_cursor_execute", record)
    try:
        assert upsert(pg_engine, "post_metrics_daily", frame).unchanged == 50
    finally:
        event.remove(pg_engine, "before_cursor_execute", record)
    assert "SELECT" in statements
    assert not {"INSERT", "UPDATE", "WITH"} & set(statements)
