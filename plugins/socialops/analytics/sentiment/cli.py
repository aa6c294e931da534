"""``python -m socialops sentiment [--lang fr|en|auto]``: one JSON line per input line.

    printf 'Trop bien 😍\\nnever got my package\\n' | python -m socialops sentiment
    {"lang": "fr", "label": "positive", "score": 0.98...}
    {"lang": "en", "label": "negative", "score": -0.72...}

Reads UTF-8 text on standard input, one text per line (``\\n`` or ``\\r\\n``; a last line
without a newline counts), and writes for each line, in order, exactly one object with the
keys ``lang`` ("fr", "en" or "other"; with ``--lang fr|en``, that language), ``label``
("negative", "neutral" or "positive") and ``score`` (-1..1). An empty or blank line is
neutral with score 0.0. Bytes that are not UTF-8 are replaced (U+FFFD) and a warning on
standard error names the line; only the first :data:`MAX_WARNINGS` lines are named, then a
count. A line is scored on its first :data:`MAX_CHARS` characters.

Input is read as it comes (whatever a read returns, up to :data:`CHUNK` bytes) and each
read's complete lines are scored as one batch and written before the next read: memory
holds one read and one line, never the whole input, and a line typed at a terminal gets
its answer at once. Standard output carries only the JSON lines.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO

CHUNK = 1 << 18
MAX_CHARS = 100_000
MAX_WARNINGS = 20


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=("auto", "fr", "en"),
        default="auto",
        help="language of every line; auto (the default) detects it line by line",
    )


class _Warnings:
    def __init__(self) -> None:
        self.count = 0

    def invalid_utf8(self, line_number: int) -> None:
        self.count += 1
        if self.count <= MAX_WARNINGS:
            print(
                f"warning: line {line_number}: invalid UTF-8, the bad bytes were replaced by "
                "U+FFFD before scoring",
                file=sys.stderr,
            )

    def close(self) -> None:
        if self.count > MAX_WARNINGS:
            print(
                f"warning: {self.count} lines had invalid UTF-8 "
                f"(the first {MAX_WARNINGS} are named above)",
                file=sys.stderr,
            )


def _decode(raw: bytes, line_number: int, warnings: _Warnings) -> str:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        warnings.invalid_utf8(line_number)
        text = raw.decode("utf-8", errors="replace")
    if line_number == 1 and text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark is not part of the first text
    return text[:MAX_CHARS]


def stream(source: BinaryIO, sink: BinaryIO, lang: str | None) -> int:
    """Score ``source``'s lines into ``sink``; returns the number of lines."""
    from socialops.analytics.sentiment import score_many

    warnings = _Warnings()
    partial: list[bytes] = []  # the line being read, in pieces (a long line spans reads)
    line_number = 0
    while True:
        chunk = source.read1(CHUNK) if hasattr(source, "read1") else source.read(CHUNK)
        if not chunk:  # end of input: a last line without a newline is still a line
            complete = [b"".join(partial)] if partial else []
        elif b"\n" not in chunk:
            partial.append(chunk)
            continue
        else:
            first, *complete = chunk.split(b"\n")
            complete.insert(0, b"".join([*partial, first]))
            rest = complete.pop()  # after the last newline: the start of the next line
            partial = [rest] if rest else []
        if complete:
            texts = []
            for raw in complete:
                line_number += 1
                texts.append(_decode(raw, line_number, warnings))
            sink.write(
                "".join(
                    f'{{"lang": "{result.lang}", "label": "{result.label}", '
                    f'"score": {float(result.score)!r}}}\n'
                    for result in score_many(texts, lang)
                ).encode("utf-8")
            )
            sink.flush()
        if not chunk:
            break
    warnings.close()
    return line_number


def run(args: argparse.Namespace) -> int:
    stream(sys.stdin.buffer, sys.stdout.buffer, None if args.lang == "auto" else args.lang)
    return 0
