"""Full builds on every core: worker processes read, parse and index whole documents.

Whoosh's own multiprocessing writer still reads and parses every document in the parent; here
the parent only hands out file paths, so parsing runs in parallel too. The codec skips the
per-posting length statistics that only Whoosh's own scorer uses (KB Studio ranks with its own
length columns), which makes writing postings much cheaper.
"""

from __future__ import annotations

import json
import pickle
from array import array
from pathlib import Path
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.writing import SegmentWriter

MANIFEST_PART = ".manifest-part"
SPELL_FIELD = "spell"


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


class _PathTask(SubWriterTask):
    """A worker that receives file paths and builds each document's fields itself."""

    kb_root: str = ""
    part_folder: str = ""

    def _process_file(self, filename: str, doc_count: int) -> None:
        from kbstudio.index.indexer import document_fields  # the worker's own import

        writer = self.writer
        storage = writer.temp_storage()
        entries: dict[str, list[Any]] = {}
        with storage.open_file(filename).raw_file() as handle:
            for _ in range(doc_count):
                _, args = pickle.load(handle)
                built = document_fields(Path(self.kb_root), Path(args["path"]))
                if built is None:
                    continue
                fields, entry = built
                writer.add_document(**fields)
                entries[fields["path"]] = list(entry)
        storage.delete_file(filename)
        part = Path(self.part_folder) / f"{filename}{MANIFEST_PART}"
        part.write_text(json.dumps(entries), "utf-8")

    def run(self) -> None:
        # Whoosh's SubWriterTask.run, with the fast writer and always one segment per worker.
        index = self.storage.open_index(self.indexname)
        writer = self.writer = FastSegmentWriter(index, _lk=False)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        fieldnames = list(self.writer.schema.names())
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)


class PathWriter(MpWriter):
    """A multiprocessing writer fed with file paths instead of finished documents."""

    def __init__(self, index: Any, kb_root: Path, part_folder: Path, procs: int) -> None:
        super().__init__(index, procs=procs, batchsize=64, multisegment=True, codec=FastCodec(),
                         subargs={"codec": FastCodec()})
        self.kb_root = str(kb_root)
        self.part_folder = str(part_folder)

    def _new_task(self) -> SubWriterTask:
        task = _PathTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                         self.subargs, self.multisegment)
        task.kb_root = self.kb_root
        task.part_folder = self.part_folder
        self.tasks.append(task)
        task.start()
        return task

    def add_path(self, path: Path) -> None:
        """Queue one document file for a worker."""
        self.add_document(path=str(path))

    def queued(self) -> int:
        """Return how many paths wait in the buffer (not yet handed out)."""
        return len(self.docbuffer)


def collect_manifest(part_folder: Path) -> dict[str, tuple[int, int, str]]:
    """Merge and delete the manifest parts the workers wrote."""
    manifest: dict[str, tuple[int, int, str]] = {}
    for part in part_folder.glob(f"*{MANIFEST_PART}"):
        for path, (mtime, size, digest) in json.loads(part.read_text("utf-8")).items():
            manifest[path] = (int(mtime), int(size), str(digest))
        part.unlink()
    return manifest


def serial_writer(index: Any) -> SegmentWriter:
    """Return a one-process writer for a fresh index."""
    return FastSegmentWriter(index)
