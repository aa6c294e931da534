"""``python -m socialops sentiment``: the contract of its standard input and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from socialops.analytics.sentiment.cli import MAX_WARNINGS
from socialops.paths import PROJECT_ROOT

KEYS = ["lang", "label", "score"]


def _run(data: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    return subprocess.run(
        [sys.executable, "-m", "socialops", "sentiment", *args],
        input=data,
        capture_output=True,
        env=env,
        timeout=120,
    )


def _objects(stdout: bytes) -> list[dict]:
    lines = stdout.decode("utf-8").split("\n")
    assert lines[-1] == "", "the output ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


def test_one_object_per_line_in_order_with_exactly_three_keys():
    texts = ["Trop bien le concert 😍", "never got my package", "", "Hola, ¿qué tal?", "bof"]
    result = _run("\n".join(texts).encode() + b"\n")
    assert result.returncode == 0
    objects = _objects(result.stdout)
    assert [list(o) for o in objects] == [KEYS] * len(texts)
    assert [(o["lang"], o["label"]) for o in objects] == [
        ("fr", "positive"),
        ("en", "negative"),
        ("other", "neutral"),
        ("other", "neutral"),
        ("fr", "negative"),
    ]
    assert objects[2]["score"] == 0.0
    assert all(isinstance(o["score"], float) and -1 <= o["score"] <= 1 for o in objects)
    assert result.stderr == b""


def test_crlf_and_a_last_line_without_newline():
    result = _run(b"trop bien\r\nnul\r\ngenial")
    assert [o["label"] for o in _objects(result.stdout)] == ["positive", "negative", "positive"]


def test_empty_input_gives_empty_output_and_blank_lines_count():
    assert _run(b"").stdout == b""
    objects = _objects(_run(b"\n\n \n").stdout)
    assert [(o["label"], o["score"]) for o in objects] == [("neutral", 0.0)] * 3


def test_lang_option_sets_the_language_of_every_line():
    objects = _objects(_run(b"Me encanta\ntrop bien\n", "--lang", "fr").stdout)
    assert [o["lang"] for o in objects] == ["fr", "fr"]
    objects = _objects(_run(b"trop bien\n\n", "--lang", "en").stdout)
    assert [o["lang"] for o in objects] == ["en", "en"]


def test_an_unknown_lang_is_a_usage_error():
    result = _run(b"x\n", "--lang", "de")
    assert result.returncode == 2 and result.stdout == b""
    assert b"invalid choice: 'de'" in result.stderr


def test_invalid_utf8_is_replaced_warned_with_its_line_number_and_still_scored():
    result = _run(b"super\n\xff\xfe nul \xc3\n\xe9chec total\nok\n")
    assert result.returncode == 0
    objects = _objects(result.stdout)
    assert len(objects) == 4 and objects[1]["label"] == "negative"
    warnings = result.stderr.decode().splitlines()
    assert warnings == [
        "warning: line 2: invalid UTF-8, the bad bytes were replaced by U+FFFD before scoring",
        "warning: line 3: invalid UTF-8, the bad bytes were replaced by U+FFFD before scoring",
    ]


def test_many_invalid_lines_are_named_up_to_a_limit_then_counted():
    result = _run(b"\xff\n" * (MAX_WARNINGS + 5))
    assert len(_objects(result.stdout)) == MAX_WARNINGS + 5
    warnings = result.stderr.decode().splitlines()
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[-1] == (
        f"warning: {MAX_WARNINGS + 5} lines had invalid UTF-8 (the first {MAX_WARNINGS} are "
        "named above)"
    )


def test_a_byte_order_mark_is_not_part_of_the_first_text():
    with_bom = _objects(_run("\ufeffnul\n".encode()).stdout)
    assert with_bom == _objects(_run(b"nul\n").stdout)


def test_very_long_lines_and_many_lines():
    long_line = ("trop bien " * 200_000).encode()  # 2 MB, longer than one read
    texts = [long_line, b"nul", *([b"ok merci", b"jamais recu"] * 5_000)]
    result = _run(b"\n".join(texts) + b"\n")
    assert result.returncode == 0
    objects = _objects(result.stdout)
    assert len(objects) == len(texts)
    assert objects[0]["label"] == "positive" and objects[1]["label"] == "negative"
    assert objects[-1]["label"] == "negative"


def test_answers_a_line_before_the_input_ends():
    """Streaming: each read is answered before the next one, so a line written to a pipe
    that stays open gets its answer (no waiting for the end of input)."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "plugins")}
    process = subprocess.Popen(
        [sys.executable, "-m", "socialops", "sentiment"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        process.stdin.write(b"trop bien\n")
        process.stdin.flush()
        first = json.loads(process.stdout.readline())
        assert first["label"] == "positive"
        process.stdin.write(b"nul\n")
        process.stdin.close()
        assert json.loads(process.stdout.readline())["label"] == "negative"
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.wait()


@pytest.mark.parametrize("args", [[], ["--lang", "fr"]])
def test_stdout_carries_only_json(args):
    result = _run(b"a\n\xff\nb\n", *args)
    for line in result.stdout.decode().splitlines():
        assert list(json.loads(line)) == KEYS
