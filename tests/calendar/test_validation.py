from datetime import UTC, datetime

import pytest

from socialops.calendar.entries import CalendarEntry
from socialops.calendar.validation import validate_entry
from socialops.networks.x.limits import weighted_length as x_weighted_length


def entry(networks=("x",), text="Bonjour", **fields):
    return CalendarEntry(
        entry_id="e1",
        scheduled_at=datetime(2026, 11, 24, tzinfo=UTC),
        networks=tuple(networks),
        text=text,
        status="approved",
        source_row=7,
        **fields,
    )


@pytest.mark.parametrize(
    "text, length",
    [
        ("a" * 280, 280),
        ("é" * 10, 10),  # Latin-1 supplement weighs 1
        ("日本語", 6),  # CJK weighs 2
        ("🕯️", 2),  # an emoji with its variation selector is one emoji
        ("👩‍👩‍👧", 2),  # a ZWJ family is one emoji
        ("see https://maisonlumiere.example/a/very/long/path?with=query&and=more", 4 + 23),
        ("visit maisonlumiere.fr now", 6 + 23 + 4),
        ("“quotes” — dash", 15),  # general punctuation range weighs 1
    ],
)
def test_x_weighted_length(text, length):
    assert x_weighted_length(text) == length


def test_x_limit_counts_the_appended_link(tmp_path):
    ok = entry(text="a" * 256, link="https://maisonlumiere.example/" + "x" * 80)
    assert validate_entry(ok, tmp_path) == []  # 256 + space + 23
    too_long = entry(text="a" * 257, link="https://maisonlumiere.example/")
    (problem,) = validate_entry(too_long, tmp_path)
    assert problem.network == "x" and problem.field == "text"
    assert "281 characters" in problem.message and "shorten it by 1" in problem.fix


def test_x_cjk_text_is_too_long_at_141_characters(tmp_path):
    (problem,) = validate_entry(entry(text="字" * 141), tmp_path)
    assert "282" in problem.message


def test_a_variant_is_blamed_by_its_column(tmp_path):
    (problem,) = validate_entry(
        entry(networks=("x", "linkedin"), variants={"x": "a" * 300}), tmp_path
    )
    assert problem.field == "text_x" and problem.network == "x"


def test_linkedin_3000_characters(tmp_path):
    assert validate_entry(entry(networks=("linkedin",), text="a" * 3000), tmp_path) == []
    (problem,) = validate_entry(entry(networks=("linkedin",), text="a" * 3001), tmp_path)
    assert "3001 characters" in problem.message and "text_linkedin" in problem.fix


def test_instagram_needs_media_and_at_most_30_hashtags(media_dir):
    problems = validate_entry(
        entry(networks=("instagram",), text=" ".join(f"#t{i}" for i in range(31))), media_dir
    )
    assert {p.field for p in problems} == {"media", "text"}
    assert any("31 hashtags" in p.message for p in problems)
    fine = entry(networks=("instagram",), text="#a " * 30, media=("photo.jpg",))
    assert validate_entry(fine, media_dir) == []


def test_instagram_2200_characters(media_dir):
    (problem,) = validate_entry(
        entry(networks=("instagram",), text="a" * 2201, media=("photo.jpg",)), media_dir
    )
    assert "2201" in problem.message


def test_youtube_needs_a_video_and_a_short_title(media_dir):
    problems = validate_entry(
        entry(networks=("youtube",), media=("photo.jpg",), title="t" * 101), media_dir
    )
    assert sorted((p.field, p.network) for p in problems) == [
        ("media", "youtube"),
        ("title", "youtube"),
    ]
    assert (
        validate_entry(
            entry(networks=("youtube",), media=("clip.mp4",), title="Coulisses"), media_dir
        )
        == []
    )
    (missing_title,) = validate_entry(entry(networks=("youtube",), media=("clip.mp4",)), media_dir)
    assert missing_title.field == "title"


def test_missing_media_files_are_reported_per_network(media_dir):
    problems = validate_entry(
        entry(networks=("x", "linkedin"), media=("nope.jpg", "https://cdn.example/a.jpg")),
        media_dir,
    )
    assert [(p.field, p.network) for p in problems] == [("media", "x"), ("media", "linkedin")]
    assert "'nope.jpg' does not exist" in str(problems[0])
    assert str(problems[0]).startswith("row 7 (e1), media [x]:")


def test_x_media_rules_match_what_x_accepts(media_dir):
    def problems(*media):
        return [p.message for p in validate_entry(entry(media=media), media_dir)]

    assert problems("photo.jpg") == []
    assert problems("clip.mp4") == []
    assert problems("photo.jpg", "photo.jpg", "photo.jpg", "photo.jpg") == []
    assert problems(*["photo.jpg"] * 5) == ["has 5 images; X accepts at most 4"]
    assert problems("photo.jpg", "clip.mp4") == [
        "mixes a video with other files; an X post holds 1 video alone"
    ]
    [unsupported] = problems("https://cdn.example/clip.mov")
    assert "'https://cdn.example/clip.mov' is not a file type X accepts" == unsupported


def test_x_media_over_the_size_limit(media_dir):
    big = media_dir / "huge.png"
    with big.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)
    [problem] = validate_entry(entry(media=("huge.png",)), media_dir)
    assert problem.field == "media" and "larger than X's 5 MB limit for an image" in problem.message
