"""Read one document from disk, turning every kind of bad input into a Problem."""

from __future__ import annotations

import codecs
import hashlib
import os
from pathlib import Path

from kbstudio.fields import problems as field_problems
from kbstudio.frontmatter import FrontMatterError, parse_front_matter, split_front_matter
from kbstudio.model import ERROR, WARNING, Document, Problem
from kbstudio.names import NAME_NOT_UTF8, name_problems

MAX_FILE_BYTES = 5 * 1024 * 1024


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


def read_bytes(path: Path, root: Path, walked: bool = False) -> bytes:
    """Read a document's bytes after the link and size checks."""
    check_inside(path, root, walked)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableError(
                "file-too-large",
                f"file is too large: {size / 1_048_576:.1f} MB "
                f"(documents are limited to {MAX_FILE_BYTES // 1_048_576} MB)",
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableError("unreadable", f"cannot read file: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableError("file-too-large", "file grew past the size limit while reading")
    return data


def name_problem_list(rel_path: str) -> list[Problem]:
    """Return the problems of a document's name (see ``kbstudio.names.name_problems``): an error
    for a name that is not UTF-8, a warning for control or text-direction characters."""
    return [Problem(rule, ERROR if rule == NAME_NOT_UTF8 else WARNING, rel_path, None, message)
            for rule, message in name_problems(rel_path)]


def _field_problems(document: Document, key_lines: dict[str, int]) -> list[Problem]:
    """Return a warning for each known field with a value its type does not allow, at its line."""
    rel = document.rel_path
    problems = [Problem(field.problem_rule, WARNING, rel, key_lines.get(field.name), message)
                for field, message in field_problems(document.meta)]
    if not document.is_set("tier"):
        problems.append(
            Problem("untiered", WARNING, rel, key_lines.get("tier"), "untiered: no tier (L0-L4) set")
        )
    return problems


def parse_document(path: Path, rel_path: str, data: bytes) -> Document:
    """Build a Document from bytes already read; bad input becomes problems."""
    digest = content_hash(data)
    try:
        text = decode_document_bytes(data)
    except UnreadableError as error:
        return unreadable_document(path, rel_path, error, digest)
    split = split_front_matter(text)
    document = Document(path, rel_path, {}, split.body, text, digest, split.body_line,
                        name_problem_list(rel_path), bom=data.startswith(codecs.BOM_UTF8))
    if split.unclosed:
        document.problems.append(
            Problem(
                "unclosed-front-matter",
                ERROR,
                rel_path,
                1,
                "front matter starts with '---' but has no closing '---' line",
            )
        )
        return document
    if split.yaml_text is None:
        document.problems.extend(_field_problems(document, {}))
        return document
    try:
        parsed = parse_front_matter(split.yaml_text, split.yaml_line)
    except FrontMatterError as error:
        document.problems.append(Problem("bad-front-matter", ERROR, rel_path, error.line, error.message))
        return document
    document.meta = parsed.data
    for key, line in parsed.duplicate_keys:
        document.problems.append(
            Problem("duplicate-key", WARNING, rel_path, line, f"key '{key}' appears more than once")
        )
    document.problems.extend(_field_problems(document, parsed.key_lines))
    document.key_lines = parsed.key_lines
    return document


def unreadable_document(
    path: Path, rel_path: str, error: UnreadableError, digest: str = ""
) -> Document:
    """Return a placeholder Document for a file that could not be read."""
    problem = Problem(error.rule, ERROR, rel_path, error.line, error.message)
    return Document(path, rel_path, {}, "", "", digest, 1, [problem, *name_problem_list(rel_path)],
                    readable=False)


def read_document(path: Path, root: Path, walked: bool = False) -> Document:
    """Read and parse the document at ``path`` inside the KB at ``root``."""
    rel_path = path.relative_to(root).as_posix()
    try:
        data = read_bytes(path, root, walked)
    except UnreadableError as error:
        return unreadable_document(path, rel_path, error)
    return parse_document(path, rel_path, data)
