"""The publication pause: one switch that holds every due post back, for any feature to pull.

Publication is paused while ``publication.paused`` is true in the configuration, or while
the Airflow Variable :data:`PAUSE_VARIABLE` holds a true value or a reason (whoever pauses
writes why, e.g. the crisis alert). Paused posts are not lost: they wait in the ledger and
go out when the pause ends, unless their grace window passed meanwhile.

Other features call :func:`pause` (with a writer of Airflow Variables, so this module needs
no Airflow) and read :func:`pause_reason`; resuming is a person's decision
(docs/exactly-once.md, "Pausing").
"""

from __future__ import annotations

from collections.abc import Callable

from socialops.config.schema import BrandConfig

#: The Airflow Variable that pauses publication without editing the configuration (the
#: crisis alert sets it; a person unsets it).
PAUSE_VARIABLE = "socialops_publication_paused"
_TRUE = {"1", "true", "yes", "on", "paused"}
_FALSE = {"0", "false", "no", "off"}


def pause_reason(config: BrandConfig, variable: Callable[[str], str | None]) -> str | None:
    """Why publication is paused, or None. ``variable(name)`` reads an Airflow Variable."""
    if config.publication.paused:
        return "publication.paused is true in socialops.yaml"
    value = (variable(PAUSE_VARIABLE) or "").strip()
    if value.lower() in _TRUE:
        return f"Airflow Variable {PAUSE_VARIABLE} is set"
    if value and value.lower() not in _FALSE:
        # Anything else is a reason written by whoever paused (e.g. the crisis alert).
        return f"Airflow Variable {PAUSE_VARIABLE}: {value}"
    return None


def pause(set_variable: Callable[[str, str], None], reason: str) -> None:
    """Pause publication, saying why (``set_variable(name, value)`` writes an Airflow Variable)."""
    if not reason.strip() or reason.strip().lower() in _FALSE:
        raise ValueError(f"a pause needs a reason that reads as one, got {reason!r}")
    set_variable(PAUSE_VARIABLE, reason.strip())


__all__ = ["PAUSE_VARIABLE", "pause", "pause_reason"]
