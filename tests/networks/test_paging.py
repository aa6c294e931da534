"""The one paging loop and its cursor rules, the newest-first rule, ids without repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from socialops.networks import TransientError
from socialops.networks.paging import (
    GRAPH_CURSORS,
    LINKEDIN_START_COUNT,
    X_NEXT_TOKEN,
    YOUTUBE_PAGE_TOKEN,
    batched,
    follow,
    newest_first,
    unique,
)

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Pages:
    """A fake API: ``pages[cursor]`` answers the request made with ``cursor``."""

    def __init__(self, pages):
        self.pages = pages
        self.asked = []

    def __call__(self, cursor):
        self.asked.append(cursor)
        assert len(self.asked) < 10, "the loop kept asking"
        return self.pages[cursor]


def walk(rule, pages, **kwargs):
    return list(follow(pages, rule, network="net", endpoint="GET /items", **kwargs))


# -- each network's rule, followed to the end ----------------------------------------------------
def test_x_next_token_pages_until_a_page_has_none():
    pages = Pages(
        {
            None: {"data": [1, 2], "meta": {"next_token": "b"}},
            "b": {"data": [3], "meta": {"next_token": "c"}},
            "c": {"data": [4], "meta": {"result_count": 1}},
        }
    )
    assert [X_NEXT_TOKEN.items(p) for p in walk(X_NEXT_TOKEN, pages)] == [[1, 2], [3], [4]]
    assert pages.asked == [None, "b", "c"]


def test_graph_pages_by_after_cursor_else_by_next_url_and_stop_on_an_empty_page():
    pages = Pages(
        {
            None: {"data": [1], "paging": {"cursors": {"after": "A"}, "next": "https://g/1"}},
            ("after", "A"): {"data": [2], "paging": {"next": "https://g/2"}},
            ("next", "https://g/2"): {"data": [], "paging": {"next": "https://g/3"}},
        }
    )
    walk(GRAPH_CURSORS, pages)
    assert pages.asked == [None, ("after", "A"), ("next", "https://g/2")]


def test_linkedin_start_count_stops_at_the_total_or_without_a_next_link():
    by_total = Pages(
        {
            None: {"elements": [1, 2], "paging": {"total": 3}},
            2: {"elements": [3], "paging": {"total": 3}},
        }
    )
    walk(LINKEDIN_START_COUNT, by_total)
    assert by_total.asked == [None, 2]
    by_link = Pages(
        {
            None: {"elements": [1, 2], "paging": {"links": [{"rel": "next"}]}},
            2: {"elements": [3], "paging": {"links": [{"rel": "prev"}]}},
        }
    )
    walk(LINKEDIN_START_COUNT, by_link)
    assert by_link.asked == [None, 2]


def test_youtube_page_token_pages_until_a_page_has_none():
    pages = Pages({None: {"items": [1], "nextPageToken": "CAUQAA"}, "CAUQAA": {"items": [2]}})
    walk(YOUTUBE_PAGE_TOKEN, pages)
    assert pages.asked == [None, "CAUQAA"]


def test_pages_are_fetched_lazily_and_from_a_start_cursor():
    pages = Pages({"b": {"data": [3], "meta": {"next_token": "c"}}, "c": {"data": [4]}})
    first = next(follow(pages, X_NEXT_TOKEN, network="net", endpoint="GET /items", start="b"))
    assert first["data"] == [3] and pages.asked == ["b"]


# -- a listing that repeats itself raises instead of looping --------------------------------------
REPEATED_CURSOR = {
    "X next_token": (
        X_NEXT_TOKEN,
        {
            None: {"data": [1], "meta": {"next_token": "t1"}},
            "t1": {"data": [2], "meta": {"next_token": "t1"}},  # a replay repeating its last page
        },
        "'t1'",
    ),
    "Graph paging": (
        GRAPH_CURSORS,
        {
            None: {"data": [1], "paging": {"cursors": {"after": "A"}, "next": "n"}},
            ("after", "A"): {"data": [2], "paging": {"cursors": {"after": "A"}, "next": "n"}},
        },
        "('after', 'A')",
    ),
    "YouTube pageToken": (
        YOUTUBE_PAGE_TOKEN,
        {
            None: {"items": [1], "nextPageToken": "P"},
            "P": {"items": [2], "nextPageToken": "P"},
        },
        "'P'",
    ),
}


@pytest.mark.parametrize("style", list(REPEATED_CURSOR))
def test_a_next_cursor_already_followed_raises_naming_network_endpoint_and_cursor(style):
    rule, answers, cursor = REPEATED_CURSOR[style]
    pages = Pages(answers)
    with pytest.raises(TransientError) as caught:
        walk(rule, pages)
    message = str(caught.value)
    assert message.startswith("[net] GET /items gave a next cursor already followed")
    assert f"{style} cursor {cursor}" in message and caught.value.retryable
    assert len(pages.asked) == 2  # the repeated cursor is never sent a second time


REPEATED_PAGE = {
    "X next_token": (
        X_NEXT_TOKEN,
        lambda cursor: {"data": [1, 2], "meta": {"next_token": f"t{len(str(cursor))}"}},
    ),
    "Graph paging": (
        GRAPH_CURSORS,
        lambda cursor: {
            "data": [1],
            "paging": {"cursors": {"after": f"A{cursor}"}, "next": "n"},
        },
    ),
    # A server that ignores ``start`` answers the first page again and again.
    "LinkedIn start/count": (
        LINKEDIN_START_COUNT,
        lambda cursor: {"elements": [1, 2], "paging": {"links": [{"rel": "next"}]}},
    ),
    "YouTube pageToken": (
        YOUTUBE_PAGE_TOKEN,
        lambda cursor: {"items": [1], "nextPageToken": f"P{cursor}"},
    ),
}


@pytest.mark.parametrize("style", list(REPEATED_PAGE))
def test_a_page_already_received_under_a_new_cursor_raises(style):
    rule, answer = REPEATED_PAGE[style]
    asked = []

    def fetch(cursor):
        asked.append(cursor)
        assert len(asked) < 10, "the loop kept asking"
        return answer(cursor)

    with pytest.raises(
        TransientError, match=rf"GET /items returned a page already received \({style} cursor"
    ):
        list(follow(fetch, rule, network="net", endpoint="GET /items"))
    assert len(asked) == 2


def test_empty_pages_are_not_taken_for_repeats():
    pages = Pages(
        {
            None: {"data": [], "meta": {"next_token": "a"}},
            "a": {"data": [], "meta": {"next_token": "b"}},
            "b": {"data": [1]},
        }
    )
    assert len(walk(X_NEXT_TOKEN, pages)) == 3


# -- newest first, down to since -----------------------------------------------------------------
def at(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


def test_a_strict_newest_first_listing_stops_at_its_first_older_item():
    listing = iter([("a", at(1)), ("b", at(2)), ("old", at(30)), ("never read", at(3))])
    found = newest_first(listing, at(24), lambda item: item[1])
    assert [(item[0], created) for item, created in found] == [("a", at(1)), ("b", at(2))]
    assert next(listing) == ("never read", at(3))  # nothing was read past the stop


def test_a_pinned_old_item_is_skipped_when_a_run_of_older_items_ends_the_listing():
    listing = [("pinned", at(500)), ("new", at(1)), ("old1", at(48)), ("late", at(2))]
    listing += [("old2", at(50)), ("old3", at(51)), ("never read", at(3))]
    found = newest_first(iter(listing), at(24), lambda item: item[1], older_run=2)
    assert [item[0] for item, _ in found] == ["new", "late"]


def test_an_item_without_a_time_counts_as_older():
    found = newest_first([("a", at(1)), ("b", None), ("c", at(2))], at(24), lambda i: i[1])
    assert [item[0] for item, _ in found] == ["a"]


# -- ids ------------------------------------------------------------------------------------------
def test_unique_keeps_the_first_order_and_batched_cuts_at_the_size():
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert list(batched(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(batched([], 3)) == []
