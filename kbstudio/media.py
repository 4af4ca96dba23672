"""Images pasted or dropped into a document: checked, saved in the KB's media folder, linked."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kbstudio.storage import atomic_write

MEDIA_FOLDER = "media"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
# SVG is left out on purpose: it is a document that can carry scripts and remote references.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"GIF87a", ".gif"),
    (b"GIF89a", ".gif"),
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


class MediaError(ValueError):
    """The data is not an image we accept, or it could not be saved."""


@dataclass(frozen=True)
class SavedImage:
    """An image saved into the KB, and the Markdown that shows it."""

    path: Path
    rel_path: str
    markdown: str


def image_suffix(data: bytes) -> str | None:
    """Return the file suffix for PNG, JPEG, GIF or WebP data (by its signature), else None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    for signature, suffix in _SIGNATURES:
        if data.startswith(signature):
            return suffix
    return None


def _stem(name_hint: str) -> str:
    stem = re.sub(r"[^\w-]+", "-", Path(name_hint).stem.lower()).strip("-_")
    return stem[:50] or "image"


def save_image(kb_root: Path, document_path: Path, data: bytes, name_hint: str = "",
               now: datetime | None = None) -> SavedImage:
    """Save image ``data`` under ``media/`` and return a link relative to ``document_path``."""
    if len(data) > MAX_IMAGE_BYTES:
        raise MediaError(f"the image is {len(data) // (1024 * 1024)} MB; the limit is "
                         f"{MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    suffix = image_suffix(data)
    if suffix is None:
        raise MediaError("not a PNG, JPEG, GIF or WebP image")
    root = Path(kb_root).resolve()
    folder = root / MEDIA_FOLDER
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{_stem(name_hint or Path(document_path).stem)}-{stamp}"
    try:
        folder.mkdir(exist_ok=True)
        target = folder / f"{base}{suffix}"
        number = 2
        while target.exists():
            target = folder / f"{base}-{number}{suffix}"
            number += 1
        atomic_write(target, data)
    except OSError as error:
        raise MediaError(f"could not save the image in {folder}: {error.strerror or error}") from None
    rel_path = target.relative_to(root).as_posix()
    doc_folder = Path(document_path).resolve().parent.relative_to(root).as_posix()
    link = posixpath.relpath(rel_path, doc_folder if doc_folder != "." else ".")
    alt = _stem(name_hint).replace("-", " ") if name_hint else "screenshot"
    return SavedImage(target, rel_path, f"![{alt}]({link})")


def read_image_file(path: Path) -> bytes:
    """Read an image file the user dropped, refusing other files and huge ones."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise MediaError(f"{path.name}: only PNG, JPEG, GIF and WebP images can be inserted")
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise MediaError(f"{path.name}: larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
        return path.read_bytes()
    except OSError as error:
        raise MediaError(f"{path.name}: {error.strerror or error}") from None
