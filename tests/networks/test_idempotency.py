import pytest

from socialops.networks.idempotency import (
    content_fingerprint,
    fingerprint_of,
    idempotency_key,
    matches,
)


def test_key_names_network_entry_and_content():
    key = idempotency_key("2026-11-24-noel", "x", "Bonjour !")
    assert key.startswith("x:2026-11-24-noel:")
    assert matches(key, "Bonjour !")


def test_links_rewritten_by_the_network_still_match():
    key = idempotency_key("e1", "x", "Nouvelle collection https://maisonlumiere.fr/noel")
    assert matches(key, "Nouvelle collection https://t.co/AbC123")


def test_whitespace_and_case_do_not_matter_but_words_do():
    key = idempotency_key("e1", "linkedin", "Nouvelle  collection\n Ambre")
    assert matches(key, "nouvelle collection ambre")
    assert not matches(key, "Nouvelle collection Vanille")


def test_unicode_normalisation():
    assert content_fingerprint("Lumière") == content_fingerprint("Lumie\u0300re")


def test_entry_ids_with_colons_are_fine():
    key = idempotency_key("cal:2026:001", "youtube", "texte")
    assert fingerprint_of(key) == content_fingerprint("texte")


def test_malformed_key():
    with pytest.raises(ValueError, match="not an idempotency key"):
        fingerprint_of("nokey")
