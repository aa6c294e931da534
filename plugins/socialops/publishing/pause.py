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
from dataclasses import dataclass

from socialops.config.schema import BrandConfig

#: The Airflow Variable that pauses publication without editing the configuration (the
#: crisis alert sets it; a person unsets it).
PAUSE_VARIABLE = "socialops_publication_paused"
_TRUE = {"1", "true", "yes", "on", "paused"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Pause:
    """Which switches hold publication, so that whoever reads it knows what to undo.

    ``in_configuration``: ``publication.paused`` is true in socialops.yaml. ``variable``:
    the value of :data:`PAUSE_VARIABLE` when it pauses (None when it does not).
    """

    in_configuration: bool = False
    variable: str | None = None

    @property
    def note(self) -> str | None:
        """The reason written in the Variable by whoever paused (not a bare ``true``)."""
        if self.variable is None or self.variable.lower() in _TRUE:
            return None
        return self.variable

    def __str__(self) -> str:
        reasons = []
        if self.in_configuration:
            reasons.append("publication.paused is true in socialops.yaml")
        if self.variable is not None:
            reasons.append(
                f"Airflow Variable {PAUSE_VARIABLE}: {self.note}"
                if self.note
                else f"Airflow Variable {PAUSE_VARIABLE} is set"
            )
        return "; ".join(reasons)


def pause_state(config: BrandConfig, variable: Callable[[str], str | None]) -> Pause | None:
    """The switches that pause publication now, or None. ``variable(name)`` reads an Airflow
    Variable; anything but a false value (``0``, ``false``, ``no``, ``off``, empty) pauses,
    and a value that is not a bare true is the reason."""
    value = (variable(PAUSE_VARIABLE) or "").strip()
    pausing = value if value and value.lower() not in _FALSE else None
    if not config.publication.paused and pausing is None:
        return None
    return Pause(in_configuration=config.publication.paused, variable=pausing)


def pause_reason(config: BrandConfig, variable: Callable[[str], str | None]) -> str | None:
    """Why publication is paused, in English (logs), or None."""
    state = pause_state(config, variable)
    return str(state) if state else None


def pause(set_variable: Callable[[str, str], None], reason: str) -> None:
    """Pause publication, saying why (``set_variable(name, value)`` writes an Airflow Variable)."""
    if not reason.strip() or reason.strip().lower() in _FALSE:
        raise ValueError(f"a pause needs a reason that reads as one, got {reason!r}")
    set_variable(PAUSE_VARIABLE, reason.strip())


__all__ = ["PAUSE_VARIABLE", "Pause", "pause", "pause_reason", "pause_state"]
