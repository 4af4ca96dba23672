"""Fast segment writing for builds, and the Whoosh internals the build's workers need.

The codec skips the per-posting length statistics that only Whoosh's own scorer uses (KB Studio
ranks with its own length columns), which makes writing postings much cheaper; the segment writer
groups postings by term in memory. Worker processes (``kbstudio.index.build_pool``) each write
segments with it, and the parent adds them to the index's table of contents (``add_segments``).
Whoosh's own multiprocessing writer read and parsed every document in the parent; the build's
workers get file paths, so parsing runs in parallel too.
"""

from __future__ import annotations

import shutil
from array import array
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.index import TOC, clean_files
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

SPELL_FIELD = "spell"
SMALL_SEGMENT = 1000   # documents: a segment of fewer is merged by compaction (merge_small)


class InliningPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer with its inlining path fixed (2.7.4 calls a missing method).

    Inlining stores a term's single posting in its term entry: no block on the postings file.
    Most terms of a KB occur in one document, so this halves the work of writing a segment.
    """

    _terminfo: Any   # set by Whoosh's W3PostingsWriter.start_postings (Whoosh has no annotations)

    def finish_postings(self) -> Any:
        if not self.written() and len(self) < self._inlinelimit:
            terminfo = self._terminfo
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class FastCodec(W3Codec):
    """Whoosh's default codec without per-block length statistics or block compression,
    with single-posting terms inlined."""

    length_stats = False

    def __init__(self, blocklimit: int = 128, compression: int = 0, inlinelimit: int = 2) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> InliningPostingsWriter:
        return InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                      compression=self._compression, inlinelimit=self._inlinelimit)


class FastSegmentWriter(SegmentWriter):
    """A writer for fresh builds that keeps postings grouped by term in memory.

    Whoosh's writer puts every posting through a generic sorting pool and a per-posting
    writer call; documents arrive in docnum order, so postings grouped by term are already
    sorted, and each term's blocks can be written in one step. It writes one new segment and
    never merges (commit with ``merge=False``); deleting documents works as usual.
    """

    def __init__(self, index: Any, **kwargs: Any) -> None:
        # Separate segment files: Whoosh copies each part of a compound file into memory
        # every time a reader opens it, which made every save re-read the whole index.
        super().__init__(index, codec=FastCodec(), compound=False, **kwargs)
        self._terms: dict[tuple[str, bytes], tuple[array, array, list[bytes]]] = {}
        self._fields = [(name, self.schema[name]) for name in sorted(self.schema.names())]
        self._spelled: set[str] = set()

    def add_document(self, **fields: Any) -> None:
        perdoc = self.perdocwriter
        docnum = self.docnum
        terms = self._terms
        perdoc.start_doc(docnum)
        for name, field in self._fields:
            value = fields.get(name)
            if value is None:
                continue
            length = 0
            if field.indexed:
                postings = field.format.word_values(value, field.analyzer, mode="index")
                if name == SPELL_FIELD:  # a word list: one document per word is enough
                    seen = self._spelled
                    postings = [p for p in postings if p[0] not in seen]
                    seen.update(p[0] for p in postings)
                for word, freq, weight, vbytes in postings:
                    tbytes = word.encode("utf-8") if isinstance(word, str) else word
                    entry = terms.get((name, tbytes))
                    if entry is None:
                        entry = terms[(name, tbytes)] = (array("I"), array("f"), [])
                    entry[0].append(docnum)
                    entry[1].append(weight)
                    entry[2].append(vbytes)
                    length += freq
            perdoc.add_field(name, field, value if field.stored else None,
                             length if field.scorable else 0)
            column = field.column_type
            if column:
                perdoc.add_column_value(name, column, field.to_column_value(value))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def commit(self, mergetype: Any = None, optimize: bool = False, merge: bool = False) -> None:
        """Write the new segment; merging other segments is not supported by this writer."""
        if merge or optimize:
            raise ValueError("FastSegmentWriter writes one segment and never merges")
        super().commit(mergetype=mergetype, optimize=False, merge=False)

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        writer = self.fieldwriter
        current = None
        for (name, tbytes) in sorted(self._terms):
            ids, weights, values = self._terms[(name, tbytes)]
            if name != current:
                if current is not None:
                    writer.finish_field()
                writer.start_field(name, self.schema[name])
                current = name
            writer.start_term(tbytes)
            postings = writer._postwriter
            limit = postings._blocklimit
            for start in range(0, len(ids), limit):
                postings._new_block()
                postings._ids = ids[start:start + limit]
                postings._weights = weights[start:start + limit]
                postings._values = [v for v in values[start:start + limit] if v]
                postings._maxweight = max(postings._weights)
                if start + limit < len(ids):
                    postings._write_block()
            writer.finish_term()
        if current is not None:
            writer.finish_field()
        writer.close()
        self._terms.clear()


class MergingWriter(SegmentWriter):
    """Whoosh's writer for merging segments (``commit(merge=True)``), reading inlined terms right.

    A term inlined without values (an ID field only records that a document has it) reads back
    with the value '' (a str: Whoosh's ListMatcher), which Whoosh's own pool refuses with an
    AssertionError; Whoosh's inlining never ran, so it never met one. Compacting the one-document
    segments of saves to different documents failed that way. Here such values become b''.
    """

    def add_postings_to_pool(self, reader: Any, startdoc: int, docmap: Any) -> None:
        add_post = self.pool.add
        for item in self._process_posts(reader.iter_postings(), startdoc, docmap):
            add_post(item if item[4] != "" else (*item[:4], b""))


def small_segments(segments: list[Any]) -> list[Any]:
    """Return the segments of fewer than ``SMALL_SEGMENT`` documents (saves write one document
    each; builds write thousands)."""
    return [segment for segment in segments if segment.doc_count_all() < SMALL_SEGMENT]


def merge_small(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """A Whoosh merge policy: merge every small segment (``small_segments``) into the new one.

    Whoosh's MERGE_SMALL merged the five smallest each time: with many saves, compaction ran
    again after nearly every save.
    """
    small = small_segments(segments)
    if len(small) < 2:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in small]


def add_segments(index: Any, segments: list[Any]) -> None:
    """Add segments written by worker processes (``kbstudio.index.build_pool``) to ``index``.

    Writes the next table of contents listing the index's segments and these, without merging
    and without Whoosh's clean-up, which would delete the files of segments that workers are
    still writing; ``clean_up`` does that once they have stopped.
    """
    toc = TOC(index.schema, index._segments() + list(segments), index.latest_generation() + 1)
    toc.write(index.storage, index.indexname)


def clean_up(index: Any) -> None:
    """Delete files the latest table of contents does not use (segments of stopped workers, old
    tables, writers' temporary files); call only when no writer is at work on ``index``."""
    clean_files(index.storage, index.indexname, index.latest_generation(), index._segments())
    shutil.rmtree(Path(index.storage.folder) / f"{index.indexname}.tmp", ignore_errors=True)


def serial_writer(index: Any) -> SegmentWriter:
    """Return a one-process writer for a fresh index."""
    return FastSegmentWriter(index)
