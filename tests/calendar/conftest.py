"""Fixtures of the calendar tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    media.mkdir()
    (media / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 tiny jpeg")
    (media / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom")
    return media
