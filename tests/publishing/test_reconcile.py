"""Which found post is ours (pure): taken posts, twins in order, incomplete listings."""

from datetime import UTC, datetime, timedelta

from socialops.networks.records import Receipt
from socialops.publishing.reconcile import (
    FIND_ALL,
    Candidates,
    Choice,
    choose,
    published_candidates,
)

T0 = datetime(2026, 11, 24, 10, tzinfo=UTC)


def post(external_id: str, minutes: int = 0) -> Receipt:
    return Receipt("x", external_id, f"https://x/{external_id}", T0 + timedelta(minutes=minutes))


def listed(*receipts: Receipt) -> Candidates:
    return Candidates(receipts, complete=True)


def test_a_single_attempt_takes_the_oldest_free_post():
    assert choose(listed(post("1"), post("2", 1)), taken=set(), rank=0, twins=1) == Choice(
        post("1")
    )
    assert choose(listed(post("1"), post("2", 1)), taken={"1"}, rank=0, twins=1) == Choice(
        post("2", 1)
    )


def test_nothing_free_in_a_complete_listing_is_not_found():
    assert choose(listed(post("1")), taken={"1"}, rank=0, twins=1) == Choice()
    assert choose(listed(), taken=set(), rank=0, twins=2) == Choice()


def test_twins_take_the_posts_in_the_order_of_their_attempts():
    found = listed(post("1"), post("2", 1), post("3", 2))
    assert choose(found, taken=set(), rank=0, twins=2).receipt == post("1")
    assert choose(found, taken=set(), rank=1, twins=2).receipt == post("2", 1)
    assert choose(found, taken={"1"}, rank=1, twins=2).receipt == post("3", 2)


def test_fewer_free_posts_than_twins_is_ambiguous():
    choice = choose(listed(post("1"), post("2", 1)), taken={"2"}, rank=0, twins=2)
    assert (choice.receipt, choice.ambiguous, choice.hidden) == (None, True, False)
    assert choice.seen == (post("1"),)


def test_an_incomplete_listing_showing_a_taken_post_may_hide_ours():
    found = Candidates((post("1"),), complete=False)
    assert choose(found, taken={"1"}, rank=0, twins=1) == Choice(
        ambiguous=True, seen=(post("1"),), hidden=True
    )
    assert choose(found, taken=set(), rank=0, twins=1) == Choice(post("1"))
    assert choose(found, taken=set(), rank=1, twins=2).ambiguous


class OneMatch:
    def __init__(self, receipt):
        self.receipt = receipt

    def find_published(self, key, account, since):
        return self.receipt


class EveryMatch(OneMatch):
    def find_published_candidates(self, key, account, since):
        return [post("2", 5), post("1", 1)]


def test_candidates_use_the_full_listing_when_the_adapter_offers_it():
    assert FIND_ALL == "find_published_candidates"
    assert published_candidates(EveryMatch(None), "x:e:f", "me", T0) == Candidates(
        (post("1", 1), post("2", 5)), complete=True
    )
    assert published_candidates(OneMatch(post("1")), "x:e:f", "me", T0) == Candidates(
        (post("1"),), complete=False
    )
    assert published_candidates(OneMatch(None), "x:e:f", "me", T0) == Candidates((), False)
