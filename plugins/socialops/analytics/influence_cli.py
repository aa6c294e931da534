"""``python -m socialops influencers audit PROFILES.csv [--config BRAND.yaml]``

Scores a CSV of candidate accounts and writes it back to standard output, every row in
its place, with the result columns added (docs/influencers.md, "The audit CLI"):

* the input columns as given, in the same order, then ``authenticity`` (0–1, 1 = genuine),
  ``flags`` (``;``-separated codes), ``tier`` and ``score`` (0–100, empty when the row
  lacks what the score needs); ``--components`` adds each component and ``top_components``;
* a row with a bad value is reported on standard error with its line number and column,
  and written with empty result columns; the other rows are scored;
* a missing required column, an unreadable file or configuration: one ``error:`` line,
  exit code 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from socialops.cli import UsageError

RESULT_COLUMNS = ("authenticity", "flags", "tier", "score")
BOOLEAN_HINT = "write true/false, 1/0 or yes/no"
DATE_HINT = "write a date such as 2024-03-01 or a datetime such as 2024-03-01T10:30:00Z"
COMPONENT_COLUMNS = (
    "engagement_rate",
    "reach",
    "engagement",
    "relevance",
    "brand_safety",
    "top_components",
)


def configure(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="action", metavar="<action>", required=True)
    audit = commands.add_parser(
        "audit",
        help="score a CSV of candidate accounts; the CSV with results goes to standard output",
        description=(
            "Score a CSV of candidate accounts (columns: network, handle, followers, "
            "following, posts_count; optional: has_profile_picture, private, verified, "
            "created_at, bio, avg_likes, avg_comments). Writes the same rows, in the same "
            "order, with authenticity, flags, tier and score added. See docs/influencers.md."
        ),
    )
    audit.add_argument("profiles", type=Path, metavar="PROFILES.csv")
    audit.add_argument(
        "--config",
        type=Path,
        metavar="BRAND.yaml",
        help="brand configuration giving the keywords, hashtags and locale for relevance "
        "(default: $SOCIALOPS_CONFIG, else include/config/socialops.yaml)",
    )
    audit.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the day account ages are counted to (default: today, UTC)",
    )
    audit.add_argument(
        "--components",
        action="store_true",
        help="also write engagement_rate, reach, engagement, relevance, brand_safety and "
        "top_components after score",
    )


def run(args: argparse.Namespace) -> int:
    from socialops.config import ConfigError, load_config

    header, rows = read_profiles(args.profiles)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise UsageError(str(exc).replace("\n", " ")) from None
    as_of = args.as_of or datetime.now(UTC).date()
    results, problems = audit(header, rows, config=config, as_of=as_of)
    for problem in problems:
        print(problem.message(), file=sys.stderr)
    extra = RESULT_COLUMNS + (COMPONENT_COLUMNS if args.components else ())
    write_csv(sys.stdout, header, rows, results, extra)
    bad_lines = sorted({problem.line for problem in problems})
    print(
        f"influencers audit: {len(rows) - len(bad_lines)} of {len(rows)} rows scored"
        + (f"; {len(bad_lines)} written without results (bad values)" if bad_lines else ""),
        file=sys.stderr,
    )
    return 0


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int  # line of the file where the record starts (the header is line 1)
    values: list[str]


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    text: str

    def message(self) -> str:
        return f"line {self.line}: {self.column}: {self.text}; the row is written without results"


def read_profiles(path: Path) -> tuple[list[str], list[Row]]:
    """The header and the records of a UTF-8 CSV (with or without BOM), each with the line
    it starts on (a quoted bio may span lines)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not UTF-8 (byte {exc.start}): save it as UTF-8 and run again"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise UsageError(f"{path} is empty: the first line must name the columns ({_need()})")
        rows: list[Row] = []
        start = reader.line_num + 1
        for values in reader:
            if values:  # a blank line is not a record
                rows.append(Row(start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UsageError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
    header = [name.strip() for name in header]
    check_header(header, path)
    return header, rows


def _need() -> str:
    from socialops.analytics.influence import REQUIRED_COLUMNS

    return ", ".join(REQUIRED_COLUMNS)


def check_header(header: Sequence[str], path: Path) -> None:
    from socialops.analytics.influence import REQUIRED_COLUMNS

    names = [name.lower() for name in header]
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise UsageError(
                f"{path}: missing required column '{name}' (the header must name {_need()})"
            )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UsageError(f"{path}: column '{name}' appears twice in the header; keep one")
        seen.add(name)
    for name in RESULT_COLUMNS + COMPONENT_COLUMNS:
        if name in names:
            print(
                f"warning: {path}: the input column '{name}' is kept as it is; the audit's "
                f"own '{name}' comes after the input columns",
                file=sys.stderr,
            )


# -- scoring ----------------------------------------------------------------------------------


def audit(header: Sequence[str], rows: Sequence[Row], *, config, as_of: date):
    """The result columns for each row (None for a bad row) and the problems found."""
    import pandas as pd

    from socialops.analytics import influence

    columns = [name.lower() for name in header]
    frame = pd.DataFrame(
        [_fitted(row.values, len(header)) for row in rows], columns=columns, dtype="string"
    )
    if "bio" in frame.columns:  # an empty bio cell is an empty bio, not an unknown one
        frame["bio"] = frame["bio"].fillna("")
    problems = validate(frame, rows, header)
    bad = {problem.line for problem in problems}
    good = [index for index, row in enumerate(rows) if row.line not in bad]
    results: list[dict[str, str] | None] = [None] * len(rows)
    if good:
        scores = influence.score_candidates(
            frame.iloc[good].reset_index(drop=True),
            influence.BrandProfile.from_config(config),
            as_of=as_of,
        )
        for position, record in zip(good, scores.to_dict("records"), strict=True):
            results[position] = _formatted(record)
    return results, problems


def _fitted(values: list[str], width: int) -> list[str | None]:
    cells: list[str | None] = [value if value.strip() else None for value in values[:width]]
    return cells + [None] * (width - len(cells))


def validate(frame, rows: Sequence[Row], header: Sequence[str]) -> list[Problem]:
    """Every bad value, by line: a record with more fields than the header, an empty or
    unknown network, an empty handle, a count that is not a number or is negative, a
    boolean that is not true/false/1/0/yes/no, a created_at that is not an ISO date."""
    import pandas as pd

    from socialops.analytics import influence

    problems: list[Problem] = []
    lines = [row.line for row in rows]
    given = {name.lower(): name for name in header}

    def report(mask, column: str, describe) -> None:
        for position in mask.to_numpy().nonzero()[0]:
            problems.append(Problem(lines[position], given[column], describe(position)))

    for row in rows:
        if len(row.values) > len(header):
            problems.append(
                Problem(
                    row.line,
                    "(row)",
                    f"{len(row.values)} fields but the header names {len(header)} columns "
                    "(quote a value that contains a comma)",
                )
            )
    networks = ", ".join(influence.NETWORKS)
    network = frame["network"].map(influence.network_name, na_action="ignore")
    report(network.isna(), "network", lambda _: "empty; write the network of the account")
    unknown = network.notna() & ~network.isin(influence.NETWORKS)
    report(
        unknown.fillna(False),
        "network",
        lambda p: f"unknown network {frame['network'].iloc[p]!r}; use one of {networks}",
    )
    report(frame["handle"].isna(), "handle", lambda _: "empty; write the account's handle")
    for column in (c for c in influence.COUNT_COLUMNS if c in frame.columns):
        raw = frame[column]
        numbers = pd.to_numeric(raw.str.strip(), errors="coerce")
        report(
            (raw.notna() & numbers.isna()).fillna(False),
            column,
            lambda p, raw=raw: f"{raw.iloc[p]!r} is not a number",
        )
        report(
            (numbers < 0).fillna(False),
            column,
            lambda p, raw=raw: f"{raw.iloc[p]!r} is negative; a count is 0 or more",
        )
    for column in (c for c in influence.BOOLEAN_COLUMNS if c in frame.columns):
        raw = frame[column]
        parsed = influence.parse_booleans(raw)
        report(
            (raw.notna() & parsed.isna()).fillna(False),
            column,
            lambda p, raw=raw: f"{raw.iloc[p]!r} is not a boolean; {BOOLEAN_HINT}",
        )
    if "created_at" in frame.columns:
        raw = frame["created_at"]
        parsed = influence.parse_timestamps(raw)
        report(
            (raw.notna() & parsed.isna()).fillna(False),
            "created_at",
            lambda p: f"{raw.iloc[p]!r} is not an ISO date; {DATE_HINT}",
        )
    problems.sort(key=lambda problem: problem.line)
    return problems


def _formatted(record: dict) -> dict[str, str]:
    def number(value, digits: int) -> str:
        return "" if value is None or value != value else f"{value:.{digits}f}"

    return {
        "authenticity": number(record["authenticity"], 4),
        "flags": record["flags"],
        "tier": record["tier"] or "",
        "score": number(record["score"], 1),
        "engagement_rate": number(record["engagement_rate"], 5),
        "reach": number(record["reach"], 3),
        "engagement": number(record["engagement"], 3),
        "relevance": number(record["relevance"], 3),
        "brand_safety": number(record["brand_safety"], 3),
        "top_components": record["top_components"],
    }


# -- writing ----------------------------------------------------------------------------------


def write_csv(stream, header, rows, results, extra: Sequence[str]) -> None:
    if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
        stream.reconfigure(encoding="utf-8")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([*header, *extra])
    for row, result in zip(rows, results, strict=True):
        values = (row.values + [""] * len(header))[: len(header)]
        added = [result[name] for name in extra] if result else [""] * len(extra)
        writer.writerow([*values, *added])
