"""Read one document from disk, turning every kind of bad input into a Problem."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from kbstudio.fields import BY_NAME
from kbstudio.fields import problems as field_problems
from kbstudio.frontmatter import FrontMatterError, Split, parse_front_matter, split_front_matter
from kbstudio.model import (
    ERROR,
    WARNING,
    Document,
    DocumentFields,
    DocumentInfo,
    Problem,
    first_h1,
    known_fields,
)
from kbstudio.names import NAME_NOT_UTF8, name_problems

MAX_FILE_BYTES = 5 * 1024 * 1024

log = logging.getLogger(__name__)

# What each kind of non-regular file is called in a problem (stat(2)'s file types).
_FILE_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class UnreadableError(ValueError):
    """A file that cannot be read as a document, with the line when known."""

    def __init__(self, rule: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line


def content_hash(data: bytes) -> str:
    """Return the hash used to notice changes made outside the app."""
    return hashlib.sha256(data).hexdigest()


def decode_document_bytes(data: bytes) -> str:
    """Decode file bytes as UTF-8 text, refusing binary data with the line it starts on."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise UnreadableError("binary-file", f"binary file: NUL byte on line {line}", line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UnreadableError(
            "invalid-utf8",
            f"not valid UTF-8: byte 0x{data[error.start]:02x} on line {line}",
            line,
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def check_inside(path: Path, root: Path, walked: bool = False) -> None:
    """Refuse a file that is, or leads through a link to, a place outside ``root``.

    ``walked`` says the path came from a walk that never follows folder links, so only a
    link at the file itself can lead out.
    """
    if walked and not os.path.islink(path):
        return
    real = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(root))
    if not real.is_relative_to(real_root):
        raise UnreadableError(
            "link-outside-kb", f"symbolic link points outside the knowledge base (to {real})"
        )


def check_regular(mode: int, path: Path) -> None:
    """Refuse a file whose ``st_mode`` is not a regular file's, and log it.

    Opening a named pipe blocks until a writer comes (for ever, in a KB folder) and reading a
    device never ends, so every KB file is checked before it is read. Raises UnreadableError
    "not a regular file (a named pipe)" and the like.
    """
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "a special file")
    log.warning("%s is not a regular file (%s); skipped", path, kind)
    raise UnreadableError("not-regular-file", f"not a regular file ({kind})")


def read_bytes(path: Path, root: Path, walked: bool = False) -> bytes:
    """Read a document's bytes after the link, file type and size checks.

    With the file descriptor itself (open, fstat, read): a Python file object costs five times the
    system calls' time, which on a 25,000-document KB was most of a second. A file that is not a
    regular one (named pipe, socket, device) is refused before it is opened, and once more after
    (opened with O_NONBLOCK, so one swapped in meanwhile cannot block the open).
    """
    check_inside(path, root, walked)
    limit = MAX_FILE_BYTES + 1
    try:
        check_regular(os.stat(path).st_mode, path)
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(path, flags)
        try:
            status = os.fstat(descriptor)
            check_regular(status.st_mode, path)
            size = status.st_size
            if size > MAX_FILE_BYTES:
                raise UnreadableError(
                    "file-too-large",
                    f"file is too large: {size / 1_048_576:.1f} MB "
                    f"(documents are limited to {MAX_FILE_BYTES // 1_048_576} MB)",
                )
            parts: list[bytes] = []
            total, wanted = 0, size + 1
            while total < limit:
                chunk = os.read(descriptor, wanted)
                if not chunk:
                    break
                parts.append(chunk)
                total += len(chunk)
                wanted = min(65536, limit - total)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise UnreadableError("unreadable", f"cannot read file: {error.strerror or error}") from None
    if total > MAX_FILE_BYTES:
        raise UnreadableError("file-too-large", "file grew past the size limit while reading")
    return parts[0] if len(parts) == 1 else b"".join(parts)


def name_problem_list(rel_path: str) -> list[Problem]:
    """Return the problems of a document's name (see ``kbstudio.names.name_problems``): an error
    for a name that is not UTF-8, a warning for control or text-direction characters."""
    return [Problem(rule, ERROR if rule == NAME_NOT_UTF8 else WARNING, rel_path, None, message)
            for rule, message in name_problems(rel_path)]


def _field_problems(rel: str, meta: dict[str, Any], key_lines: dict[str, int]) -> list[Problem]:
    """Return a warning for each known field with a value its type does not allow, at its line."""
    problems = [Problem(field.problem_rule, WARNING, rel, key_lines.get(field.name), message)
                for field, message in field_problems(meta)]
    if not BY_NAME["tier"].is_set(meta.get("tier")):
        problems.append(
            Problem("untiered", WARNING, rel, key_lines.get("tier"), "untiered: no tier (L0-L4) set")
        )
    return problems


@dataclass
class _FrontMatter:
    """What a document's front matter says: its fields, their lines and the problems found."""

    meta: dict[str, Any]
    key_lines: dict[str, int]
    problems: list[Problem]


def _read_front_matter(rel_path: str, split: Split) -> _FrontMatter:
    """Read the front matter of a split document; bad input becomes problems."""
    problems = name_problem_list(rel_path)
    if split.unclosed:
        problems.append(Problem("unclosed-front-matter", ERROR, rel_path, 1,
                                "front matter starts with '---' but has no closing '---' line"))
        return _FrontMatter({}, {}, problems)
    if split.yaml_text is None:
        problems.extend(_field_problems(rel_path, {}, {}))
        return _FrontMatter({}, {}, problems)
    try:
        parsed = parse_front_matter(split.yaml_text, split.yaml_line)
    except FrontMatterError as error:
        problems.append(Problem("bad-front-matter", ERROR, rel_path, error.line, error.message))
        return _FrontMatter({}, {}, problems)
    for key, line in parsed.duplicate_keys:
        problems.append(Problem("duplicate-key", WARNING, rel_path, line,
                                f"key '{key}' appears more than once"))
    problems.extend(_field_problems(rel_path, parsed.data, parsed.key_lines))
    return _FrontMatter(parsed.data, parsed.key_lines, problems)


def parse_document(path: Path, rel_path: str, data: bytes) -> Document:
    """Build a Document from bytes already read; bad input becomes problems."""
    digest = content_hash(data)
    try:
        text = decode_document_bytes(data)
    except UnreadableError as error:
        return unreadable_document(path, rel_path, error, digest)
    split = split_front_matter(text)
    front = _read_front_matter(rel_path, split)
    return Document(path, rel_path, front.meta, split.body, text, digest, split.body_line, front.problems,
                    key_lines=front.key_lines, bom=data.startswith(codecs.BOM_UTF8))


def parse_info(root: Path, rel_path: str, data: bytes) -> DocumentInfo:
    """Build a DocumentInfo from bytes already read: a Document's fields and problems, no text kept."""
    try:
        text = decode_document_bytes(data)
    except UnreadableError as error:
        return unreadable_info(root, rel_path, error)
    split = split_front_matter(text)
    front = _read_front_matter(rel_path, split)
    # not first_h1's cache: it would keep up to a thousand bodies of a scan alive
    heading = None if BY_NAME["title"].read(front.meta.get("title")) else first_h1.__wrapped__(split.body)
    return DocumentInfo(root, rel_path, known_fields(front.meta), tuple(front.problems), True,
                        known_fields(front.key_lines), heading)


def unreadable_document(
    path: Path, rel_path: str, error: UnreadableError, digest: str = ""
) -> Document:
    """Return a placeholder Document for a file that could not be read."""
    problem = Problem(error.rule, ERROR, rel_path, error.line, error.message)
    return Document(path, rel_path, {}, "", "", digest, 1, [problem, *name_problem_list(rel_path)],
                    readable=False)


def unreadable_info(root: Path, rel_path: str, error: UnreadableError) -> DocumentInfo:
    """Return the DocumentInfo of a file that could not be read."""
    problem = Problem(error.rule, ERROR, rel_path, error.line, error.message)
    return DocumentInfo(root, rel_path, {}, (problem, *name_problem_list(rel_path)), False)


def read_info(path: Path, root: Path, walked: bool = False) -> DocumentInfo:
    """Read what lists and filters need of the document at ``path`` inside the KB at ``root``.

    Its problems are the ones ``read_document`` finds (the whole file is read and checked), but
    neither its text nor a content hash is kept.
    """
    rel_path = path.relative_to(root).as_posix()
    try:
        data = read_bytes(path, root, walked)
    except UnreadableError as error:
        return unreadable_info(root, rel_path, error)
    return parse_info(root, rel_path, data)


def full_document(document: DocumentFields) -> Document:
    """Return ``document`` with its text: itself when it is a Document, else read again from disk.

    A DocumentInfo comes back as the file is now (possibly changed since it was listed); a file
    gone meanwhile comes back unreadable, with its problem.
    """
    if isinstance(document, Document):
        return document
    info = cast(DocumentInfo, document)
    return read_document(info.path, info.root)


def read_document(path: Path, root: Path, walked: bool = False) -> Document:
    """Read and parse the document at ``path`` inside the KB at ``root``."""
    rel_path = path.relative_to(root).as_posix()
    try:
        data = read_bytes(path, root, walked)
    except UnreadableError as error:
        return unreadable_document(path, rel_path, error)
    return parse_document(path, rel_path, data)
