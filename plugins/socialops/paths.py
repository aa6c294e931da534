"""Where the project's files live, whether run from a clone, a container or a test."""

from __future__ import annotations

import os
from pathlib import Path

#: The project root: the folder holding ``dags/``, ``plugins/`` and ``include/``.
#: ``SOCIALOPS_HOME`` overrides it (the container image sets it to ``/opt/airflow``).
PROJECT_ROOT = Path(os.environ.get("SOCIALOPS_HOME") or Path(__file__).resolve().parents[2])
INCLUDE_DIR = PROJECT_ROOT / "include"


def data_dir() -> Path:
    """The git-ignored folder for local state (SQLite warehouse, sandbox files, reports)."""
    path = Path(os.environ.get("SOCIALOPS_DATA_DIR") or PROJECT_ROOT / "data")
    path.mkdir(parents=True, exist_ok=True)
    return path
