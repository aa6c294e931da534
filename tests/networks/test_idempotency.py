import pytest

from socialops.networks.idempotency import (
    PostContent,
    draft_content,
    fingerprint_of,
    idempotency_key,
    is_strict,
    matches,
    normalize_link,
)
from socialops.networks.records import Draft


def test_key_names_network_entry_and_content():
    key = idempotency_key("2026-11-24-noel", "x", "Bonjour !")
    assert key.startswith("x:2026-11-24-noel:c2-")
    assert is_strict(key)
    assert matches(key, PostContent.of("Bonjour !"))


def test_whitespace_does_not_matter_but_case_and_words_do():
    key = idempotency_key("e1", "linkedin", "Nouvelle  collection\n Ambre")
    assert matches(key, PostContent.of("Nouvelle collection Ambre"))
    assert not matches(key, PostContent.of("nouvelle collection ambre"))
    assert not matches(key, PostContent.of("Nouvelle collection Vanille"))


def test_texts_differing_only_by_their_link_differ():
    key = idempotency_key("e1", "x", "Nouvelle collection https://maisonlumiere.fr/noel")
    assert matches(key, PostContent.of("Nouvelle collection https://maisonlumiere.fr/noel"))
    assert not matches(key, PostContent.of("Nouvelle collection https://maisonlumiere.fr/ete"))
    assert not matches(key, PostContent.of("Nouvelle collection"))


def test_links_compare_by_scheme_host_and_default_port_case_insensitively():
    assert normalize_link("HTTPS://Shop.Example:443") == "https://shop.example/"
    assert normalize_link("http://shop.example:8080/A?b=C") == "http://shop.example:8080/A?b=C"
    key = idempotency_key("e1", "x", "Soldes https://Shop.Example/Noel.")
    assert matches(key, PostContent.of("Soldes https://shop.example/Noel."))
    assert not matches(key, PostContent.of("Soldes https://shop.example/noel."))


def test_the_link_goes_where_the_network_puts_it():
    draft = Draft("brand", "Soldes", link="https://shop.example/a")
    # X appends it to the text, Facebook sends it beside the text (a card).
    assert draft_content("x", draft) == PostContent.of("Soldes https://shop.example/a")
    assert draft_content("facebook", draft) == PostContent.of(
        "Soldes", link="https://shop.example/a"
    )
    # A card of a link the text already holds is the same post as the text alone.
    inline = Draft("brand", "Soldes https://shop.example/a", link="https://shop.example/a")
    assert draft_content("facebook", inline) == PostContent.of("Soldes https://shop.example/a")
    # With media the link cannot be a card: it travels in the text.
    photo = Draft("brand", "Soldes", link="https://shop.example/a", media=("a.jpg",))
    assert draft_content("facebook", photo).link is None
    assert draft_content("facebook", photo).text == "Soldes https://shop.example/a"


def test_link_only_posts_differ_by_their_link():
    key = idempotency_key("e1", "facebook", Draft("brand", "", link="https://shop.example/a"))
    assert matches(key, PostContent.of("", link="https://shop.example/a"))
    assert not matches(key, PostContent.of("", link="https://shop.example/b"))
    assert not matches(key, PostContent.of(""))


def test_media_count_and_kind_and_title_tell_posts_apart():
    draft = Draft("brand", "Teaser", media=("a.jpg", "b.png"), title="Noël")
    key = idempotency_key("e1", "x", draft)
    assert matches(key, PostContent.of("Teaser", media=("image", "image")))
    assert not matches(key, PostContent.of("Teaser", media=("image",)))
    assert not matches(key, PostContent.of("Teaser", media=("video", "image")))
    assert not matches(key, PostContent.of("Teaser"))
    video = Draft("brand", "Teaser", media=("clip.mp4",), title="Noël  à Paris")
    key = idempotency_key("e1", "youtube", video)
    assert matches(key, PostContent.of("Teaser", media=("video",), title="Noël à Paris"))
    assert not matches(key, PostContent.of("Teaser", media=("video",), title="Noël à Lyon"))
    # YouTube uploads the first file only: the others are not part of the post.
    extra = Draft("brand", "Teaser", media=("clip.mp4", "cover.jpg"), title="Noël à Paris")
    assert idempotency_key("e1", "youtube", extra) == key


def test_unicode_normalisation():
    key = idempotency_key("e1", "x", "Lumière")
    assert matches(key, PostContent.of("Lumie\u0300re"))


def test_entry_ids_with_colons_are_fine():
    key = idempotency_key("cal:2026:001", "youtube", "texte")
    assert fingerprint_of(key) == PostContent.of("texte").fingerprint


def test_keys_made_before_the_strict_match_are_told_apart():
    assert not is_strict("x:e1:0123456789abcdef")


def test_malformed_key():
    with pytest.raises(ValueError, match="not an idempotency key"):
        fingerprint_of("nokey")
