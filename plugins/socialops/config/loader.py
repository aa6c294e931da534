"""Load and validate the brand configuration, with errors a person can act on."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from socialops.paths import INCLUDE_DIR, PROJECT_ROOT

if TYPE_CHECKING:  # pydantic is loaded when a configuration is validated, not before
    from pydantic import ValidationError

    from socialops.config.schema import BrandConfig

ENV_VAR = "SOCIALOPS_CONFIG"
DEFAULT_PATH = INCLUDE_DIR / "config" / "socialops.yaml"


class ConfigError(ValueError):
    """The configuration file is missing or invalid; the message lists every problem."""


def config_path() -> Path:
    raw = os.environ.get(ENV_VAR)
    if not raw:
        return DEFAULT_PATH
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def _format_location(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_config(text: str, source: str = "<string>") -> BrandConfig:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: expected a mapping at the top level, got {type(raw).__name__}"
        )
    from pydantic import ValidationError

    from socialops.config.schema import BrandConfig

    try:
        return BrandConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source, "docs/configuration.md")) from None


#: pydantic error type → what a person reads: the problem and the fix, with ``{input}`` (the
#: value found) and the error's context (``{ge}``, ``{min_length}``...). Types not listed
#: keep pydantic's message, which our own validators write as a sentence with its fix.
_MESSAGES = {
    "missing": "missing; add it (see {docs})",
    "int_parsing": "got {input!r}; write a whole number such as 30",
    "int_type": "got {input!r}; write a whole number such as 30",
    "int_from_float": "got {input!r}; write a whole number such as 30",
    "float_parsing": "got {input!r}; write a number such as 0.4",
    "float_type": "got {input!r}; write a number such as 0.4",
    "bool_parsing": "got {input!r}; write true or false",
    "bool_type": "got {input!r}; write true or false",
    "string_type": "got {input!r}; write it as text",
    "date_from_datetime_parsing": "got {input!r}; write a date such as 2026-11-24",
    "date_parsing": "got {input!r}; write a date such as 2026-11-24",
    "greater_than": "got {input!r}; it must be more than {gt}",
    "greater_than_equal": "got {input!r}; it must be at least {ge}",
    "less_than": "got {input!r}; it must be less than {lt}",
    "less_than_equal": "got {input!r}; it must be at most {le}",
    "too_short": "needs at least {min_length} entries, got {actual_length}",
    "string_too_short": "is empty; write a value",
    "string_pattern_mismatch": "got {input!r}; it must match {pattern}",
    "list_type": "got {input!r}; write a list (one '- item' per line)",
    "dict_type": "got {input!r}; write a mapping (key: value lines)",
    "model_type": "got {input!r}; write a mapping (key: value lines)",
}


def describe_validation_error(exc: ValidationError, source: str, docs: str) -> str:
    """One line per problem, each naming the field (``accounts[0].network: ...``), the value
    found and what to write instead."""
    lines = []
    for error in exc.errors():
        where = _format_location(
            tuple(p for p in error["loc"] if not str(p).startswith("function-"))
        )
        message = error["msg"].removeprefix("Value error, ")
        template = _MESSAGES.get(error["type"])
        if error["type"] == "extra_forbidden":
            message = f"unknown field (check the spelling; see {docs})"
        elif error["type"] == "literal_error":
            message = f"got {error['input']!r}; {message.lower()}"
        elif template:
            values = {"input": error.get("input"), "docs": docs, **(error.get("ctx") or {})}
            try:
                message = template.format(**values)
            except (KeyError, IndexError):
                pass  # a context pydantic did not give: keep its own message
        lines.append(f"  - {where}: {message}")
    return f"{source} is invalid:\n" + "\n".join(lines)


def raw_value(*keys: str) -> object:
    """A value of the configuration file as written, without validation (None when the
    file, the YAML or the key is missing): for reporting that the configuration is broken."""
    try:
        value: object = yaml.safe_load(config_path().read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> BrandConfig:
    return parse_config(path.read_text(encoding="utf-8"), source=str(path))


def load_config(path: str | Path | None = None) -> BrandConfig:
    """Read the brand configuration (``$SOCIALOPS_CONFIG`` or the example), cached per
    file version."""
    resolved = Path(path) if path else config_path()
    if not resolved.is_file():
        raise ConfigError(
            f"configuration file {resolved} not found; set {ENV_VAR} to your socialops.yaml "
            f"or copy {DEFAULT_PATH.relative_to(PROJECT_ROOT)}"
        )
    return _load(resolved, resolved.stat().st_mtime_ns)
