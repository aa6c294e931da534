"""Listening's Slack messages in both languages: a source not read, the words of a crisis."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from socialops.listening import messages
from socialops.listening.sources import FeedError
from socialops.networks.errors import AuthError, QuotaExceeded, TransientError


def brand(config, locale):
    return config.model_copy(update={"brand": config.brand.model_copy(update={"locale": locale})})


CASES = {
    "auth": (
        "x",
        AuthError("x", "401", conn_id="x_brand", renew="the token"),
        {"en": "renew them in the Airflow connection", "fr": "renouvelez-les"},
    ),
    "quota": (
        "youtube",
        QuotaExceeded("youtube", "quotaExceeded"),
        {"en": "nothing to do", "fr": "rien à faire"},
    ),
    "feed": ("web", FeedError("timeout"), {"en": "listening.feeds", "fr": "listening.feeds"}),
    "other": ("facebook", TransientError("facebook", "500"), {"en": "tried again", "fr": "relue"}),
}


@pytest.mark.parametrize("locale", ["fr", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_source_not_read_says_why_and_what_follows(config, locale, case):
    network, error, says = CASES[case]
    message = messages.source_failure(brand(config, locale), f"{network}:src", network, error)
    body = json.dumps(message.block_dicts(), ensure_ascii=False)
    assert says[locale] in body
    assert f"{network}:src" in message.text
    assert ("Écoute" if locale == "fr" else "Listening") in message.text
    if case == "auth":
        assert "`x_brand`" in body
    assert "401" not in body and "quotaExceeded" not in body  # engineer details: task log


def test_frequent_terms_leave_out_stop_words_the_brand_links_and_handles(config):
    frame = pd.DataFrame(
        {
            "text": [
                "Maison Lumière bougie FUMÉE noire https://t.co/abc @voisine",
                "la bougie fumée noire, remboursement !",
                "fumée fumée partout #maisonlumiere",
            ]
        }
    )
    terms = messages.frequent_terms(frame, config, top=3)
    assert terms[0] == "fumée"
    assert set(terms) <= {"fumée", "noire", "remboursement", "partout"}
    for word in ("la", "maison", "lumière", "maisonlumiere", "voisine", "https", "abc"):
        assert word not in terms
