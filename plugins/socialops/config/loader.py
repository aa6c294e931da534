"""Load and validate the brand configuration, with errors a person can act on."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from socialops.config.schema import BrandConfig
from socialops.paths import INCLUDE_DIR, PROJECT_ROOT

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
    try:
        return BrandConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source, "docs/configuration.md")) from None


def describe_validation_error(exc: ValidationError, source: str, docs: str) -> str:
    """One line per problem, each naming the field (``accounts[0].network: ...``)."""
    lines = []
    for error in exc.errors():
        where = _format_location(
            tuple(p for p in error["loc"] if not str(p).startswith("function-"))
        )
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field (check the spelling; see {docs})"
        elif error["type"] == "literal_error":
            message = f"got {error['input']!r}; {message.lower()}"
        lines.append(f"  - {where}: {message}")
    return f"{source} is invalid:\n" + "\n".join(lines)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> BrandConfig:
    return parse_config(path.read_text(encoding="utf-8"), source=str(path))


def load_config(path: str | Path | None = None) -> BrandConfig:
    """Read the brand configuration (``$SOCIALOPS_CONFIG`` or the example), cached per file version."""
    resolved = Path(path) if path else config_path()
    if not resolved.is_file():
        raise ConfigError(
            f"configuration file {resolved} not found; set {ENV_VAR} to your socialops.yaml "
            f"or copy {DEFAULT_PATH.relative_to(PROJECT_ROOT)}"
        )
    return _load(resolved, resolved.stat().st_mtime_ns)
