"""The contract of ``python -m socialops influencers audit`` (docs/influencers.md)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from socialops.cli import main
from socialops.paths import PROJECT_ROOT

HEADER = (
    "network,handle,followers,following,posts_count,has_profile_picture,created_at,bio,"
    "avg_likes,avg_comments"
)
ROWS = [
    'instagram,deco_claire,24000,600,420,yes,2019-05-01,"Déco, bougies\n""slow"" living",900,40',
    "x,followers4ever,12,4800,0,no,2026-10-01,,,",
    "instagram,bad_count,abc,10,1,true,2020-01-01,,,",
    "youtube,big,2000000,10,900,1,2012-01-01T10:00:00Z,Tech reviews,30000,1500",
]
RESULTS = ["authenticity", "flags", "tier", "score"]


def write(tmp_path, text: str, *, bom: bool = False, name: str = "profiles.csv"):
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def audit(path, *args: str) -> list[str]:
    return ["influencers", "audit", str(path), "--as-of", "2026-11-20", *args]


def records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def profiles(tmp_path):
    return write(tmp_path, "\n".join([HEADER, *ROWS]) + "\n", bom=True)


def test_rows_keep_their_order_and_values_and_gain_the_result_columns(profiles, capsys):
    assert main(audit(profiles)) == 0
    out = records(capsys.readouterr().out)
    assert out[0] == HEADER.split(",") + RESULTS
    assert [row[1] for row in out[1:]] == ["deco_claire", "followers4ever", "bad_count", "big"]
    assert out[1][7] == 'Déco, bougies\n"slow" living'  # quoted comma, quote and newline kept
    assert out[2][:10] == ROWS[1].split(",")
    assert all(len(row) == len(out[0]) for row in out)


def test_results_of_a_genuine_and_a_fake_account(profiles, capsys):
    main(audit(profiles))
    out = {row[1]: dict(zip(records_header(), row, strict=True)) for row in body(capsys)}
    genuine, fake = out["deco_claire"], out["followers4ever"]
    assert float(genuine["authenticity"]) > 0.9 and genuine["tier"] == "micro"
    assert 0 < float(genuine["score"]) <= 100 and genuine["flags"] == ""
    assert float(fake["authenticity"]) < 0.1 and fake["score"] == ""  # no engagement: no score
    assert fake["flags"].split(";") == [
        "no_posts",
        "low_follower_ratio",
        "no_profile_picture",
        "young_account",
        "empty_bio",
    ]


def records_header() -> list[str]:
    return HEADER.split(",") + RESULTS


def body(capsys) -> list[list[str]]:
    return records(capsys.readouterr().out)[1:]


def test_a_bad_row_is_reported_with_its_line_and_column_and_written_empty(profiles, capsys):
    assert main(audit(profiles)) == 0
    captured = capsys.readouterr()
    # The first record spans lines 2-3 (its bio holds a newline): the bad one is on line 5.
    assert "line 5: followers: 'abc' is not a number" in captured.err
    bad = records(captured.out)[3]
    assert bad[:10] == ROWS[2].split(",") and bad[10:] == ["", "", "", ""]
    assert records(captured.out)[4][12] == "mega"  # the rows after it are scored
    assert "3 of 4 rows scored" in captured.err


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("tiktok,a,1,1,1,,,,,", "line 2: network: unknown network 'tiktok'"),
        (",a,1,1,1,,,,,", "line 2: network: empty"),
        ("x,,1,1,1,,,,,", "line 2: handle: empty"),
        ("x,a,1,-4,1,,,,,", "line 2: following: '-4' is negative"),
        ("x,a,1,1,1,maybe,,,,", "line 2: has_profile_picture: 'maybe' is not a boolean"),
        ("x,a,1,1,1,,01/02/2020,,,", "line 2: created_at: '01/02/2020' is not an ISO date"),
        ("x,a,1,1,1,,,,many,", "line 2: avg_likes: 'many' is not a number"),
        ("x,a,1,1,1,,,,,,extra", "line 2: (row): 11 fields but the header names 10 columns"),
    ],
)
def test_bad_values(tmp_path, capsys, row, message):
    path = write(tmp_path, f"{HEADER}\n{row}\nx,ok,10,10,10,,,,,\n")
    assert main(audit(path)) == 0
    captured = capsys.readouterr()
    assert message in captured.err
    out = records(captured.out)
    assert out[1][-4:] == ["", "", "", ""] and out[2][-2] == "below_nano"


def test_a_missing_required_column_is_one_error_line(tmp_path, capsys):
    path = write(tmp_path, "network,handle,followers,posts_count\nx,a,1,1\n")
    assert main(audit(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == [
        f"error: {path}: missing required column 'following' (the header must name network, "
        "handle, followers, following, posts_count)"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"network,handle,handle,followers,following,posts_count\n", "appears twice"),
        (b"network,handle\n\xff\xfe\n", "is not UTF-8"),
    ],
)
def test_unusable_files_are_usage_errors(tmp_path, capsys, content, message):
    path = tmp_path / "profiles.csv"
    path.write_bytes(content)
    assert main(audit(path)) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err


def test_an_input_column_named_like_a_result_is_kept_with_a_warning(tmp_path, capsys):
    path = write(tmp_path, "network,handle,followers,following,posts_count,score\nx,a,1,1,1,7\n")
    assert main(audit(path)) == 0
    captured = capsys.readouterr()
    out = records(captured.out)
    assert out[0] == [*"network,handle,followers,following,posts_count,score".split(","), *RESULTS]
    assert out[1][5] == "7" and out[1][-1] == ""
    assert "warning:" in captured.err and "'score' is kept" in captured.err


def test_twitter_is_accepted_for_x(tmp_path, capsys):
    path = write(tmp_path, f"{HEADER}\nTwitter,a,5000,100,50,,,,6,0\n")
    assert main(audit(path, "--components")) == 0
    captured = capsys.readouterr()
    assert "line" not in captured.err
    assert records(captured.out)[1][-6] == "0.00120"  # the x norm applies: 6 / 5,000


def test_only_required_columns_and_header_names_in_any_case(tmp_path, capsys):
    path = write(tmp_path, "Network,Handle,Followers,Following,Posts_Count\nx,a,500,20,30\n")
    assert main(audit(path)) == 0
    out = records(capsys.readouterr().out)
    assert out[0][:5] == ["Network", "Handle", "Followers", "Following", "Posts_Count"]
    assert out[1][-2:] == ["below_nano", ""]  # tier known; no engagement, no score


def test_components_option_adds_them_after_the_score(profiles, capsys):
    main(audit(profiles, "--components"))
    out = records(capsys.readouterr().out)
    assert out[0][-6:] == [
        "engagement_rate",
        "reach",
        "engagement",
        "relevance",
        "brand_safety",
        "top_components",
    ]
    assert out[1][-6] == "0.03917"  # (900 + 40) / 24,000


def test_a_brand_config_sets_relevance(tmp_path, capsys):
    config = (PROJECT_ROOT / "include" / "config" / "socialops.yaml").read_text(encoding="utf-8")
    brand = tmp_path / "brand.yaml"
    brand.write_text(config.replace('"#bougieparfumee"', '"#slowliving"'), encoding="utf-8")
    path = write(tmp_path, f"{HEADER}\nx,a,5000,100,50,yes,,#slowliving,10,1\n")
    main(audit(path, "--components", "--config", str(brand)))
    with_tag = records(capsys.readouterr().out)[1]
    main(audit(path, "--components"))
    without = records(capsys.readouterr().out)[1]
    assert float(with_tag[-3]) > float(without[-3])


def test_a_bad_config_is_a_usage_error(tmp_path, capsys):
    path = write(tmp_path, f"{HEADER}\n")
    missing = tmp_path / "nope.yaml"
    assert main(audit(path, "--config", str(missing))) == 2
    assert "not found" in capsys.readouterr().err


def test_standard_output_holds_only_the_csv(profiles):
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    result = subprocess.run(
        [sys.executable, "-m", "socialops", *audit(profiles)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    assert result.returncode == 0
    out = records(result.stdout)
    assert len(out) == 1 + len(ROWS) and out[0][-4:] == RESULTS
    assert "line 5" in result.stderr and "line 5" not in result.stdout
