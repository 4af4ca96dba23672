"""Images saved into the KB's media folder with a link relative to the document."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kbstudio.media import MAX_IMAGE_BYTES, MediaError, image_suffix, read_image_file, save_image

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WHEN = datetime(2026, 11, 24, 9, 30, 0)


def test_image_is_saved_under_media_with_a_relative_link(kb_root: Path) -> None:
    doc = kb_root / "articles" / "reset.md"
    saved = save_image(kb_root, doc, PNG, "Error Dialog (1).png", now=WHEN)
    assert saved.rel_path == "media/error-dialog-1-20261124-093000.png"
    assert saved.path.read_bytes() == PNG
    assert saved.markdown == "![error dialog 1](../media/error-dialog-1-20261124-093000.png)"
    again = save_image(kb_root, doc, PNG, "Error Dialog (1).png", now=WHEN)
    assert again.rel_path == "media/error-dialog-1-20261124-093000-2.png"
    pasted = save_image(kb_root, kb_root / "top.md", PNG, now=WHEN)
    assert pasted.markdown == "![screenshot](media/top-20261124-093000.png)"


@pytest.mark.parametrize(("data", "suffix"), [
    (PNG, ".png"), (b"\xff\xd8\xff\xe0rest", ".jpg"), (b"GIF89a....", ".gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", ".webp"), (b"<svg onload=alert(1)>", None), (b"MZ\x90\x00", None),
])
def test_only_known_image_formats_are_accepted(data: bytes, suffix: str | None) -> None:
    assert image_suffix(data) == suffix


def test_refusals_name_the_reason(kb_root: Path, tmp_path: Path) -> None:
    doc = kb_root / "articles" / "reset.md"
    with pytest.raises(MediaError, match="not a PNG"):
        save_image(kb_root, doc, b"#!/bin/sh\nrm -rf /\n")
    with pytest.raises(MediaError, match="limit"):
        save_image(kb_root, doc, PNG + b"\x00" * MAX_IMAGE_BYTES)
    script = tmp_path / "notes.txt"
    script.write_text("hello", "utf-8")
    with pytest.raises(MediaError, match="notes.txt"):
        read_image_file(script)
    with pytest.raises(MediaError, match="gone.png"):
        read_image_file(tmp_path / "gone.png")
    assert not (kb_root / "media").exists() or not any((kb_root / "media").iterdir())
