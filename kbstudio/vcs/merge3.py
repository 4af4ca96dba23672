"""A three-way line merge (diff3) that keeps every region's base, mine and theirs lines.

git's ``merge-file`` only gives back text with conflict markers; resolving place by place needs
the regions themselves. This is the classic diff3 (as in bzr's ``merge3`` and GNU diff3): lines
of the base that both sides kept unchanged are stable; between two stable runs, a region changed
on one side takes that side, one changed the same way on both is taken once, and one changed
differently is a conflict. As in git, changes to touching lines conflict; lines both sides added
alike at the edges of a conflict are taken out of it.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ChunkKind = Literal["unchanged", "mine", "theirs", "same", "conflict"]


@dataclass(frozen=True)
class Chunk:
    """A run of lines: the same on all sides, changed on one side or both alike, or in conflict."""

    kind: ChunkKind
    base: tuple[str, ...]
    mine: tuple[str, ...]
    theirs: tuple[str, ...]

    @property
    def merged(self) -> tuple[str, ...] | None:
        """Return the lines the merge takes, or None for a conflict."""
        if self.kind == "conflict":
            return None
        return self.theirs if self.kind == "theirs" else self.base if self.kind == "unchanged" else self.mine


def split_lines(text: str) -> list[str]:
    """Return the lines of ``text`` with their line ends (the last one may have none)."""
    return text.splitlines(keepends=True) if text else []


def _sync_regions(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]
                  ) -> list[tuple[int, int, int, int, int, int]]:
    """Return runs of base lines matched on both sides: (base start, end, mine start, end, theirs...)."""
    a_blocks = difflib.SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    b_blocks = difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    regions = []
    ia = ib = 0
    while ia < len(a_blocks) and ib < len(b_blocks):
        a_base, a_match, a_len = a_blocks[ia]
        b_base, b_match, b_len = b_blocks[ib]
        start, end = max(a_base, b_base), min(a_base + a_len, b_base + b_len)
        if start < end:
            a_sub, b_sub = a_match + start - a_base, b_match + start - b_base
            regions.append((start, end, a_sub, a_sub + end - start, b_sub, b_sub + end - start))
        if a_base + a_len < b_base + b_len:
            ia += 1
        else:
            ib += 1
    regions.append((len(base), len(base), len(mine), len(mine), len(theirs), len(theirs)))
    return regions


def _conflict(base: tuple[str, ...], mine: tuple[str, ...], theirs: tuple[str, ...]) -> list[Chunk]:
    """Return a conflict with the lines both sides added alike before and after it taken out."""
    head = 0
    while head < min(len(mine), len(theirs)) and mine[head] == theirs[head]:
        head += 1
    tail = 0
    while tail < min(len(mine), len(theirs)) - head and mine[-1 - tail] == theirs[-1 - tail]:
        tail += 1
    chunks = []
    base_head = head if base[:head] == mine[:head] else 0
    if head:
        chunks.append(Chunk("same", base[:base_head], mine[:head], theirs[:head]))
    base_tail = tail if tail and len(base) - base_head >= tail and base[len(base) - tail:] == mine[
        len(mine) - tail:] else 0
    chunks.append(Chunk("conflict", base[base_head:len(base) - base_tail], mine[head:len(mine) - tail],
                        theirs[head:len(theirs) - tail]))
    if tail:
        chunks.append(Chunk("same", base[len(base) - base_tail:], mine[len(mine) - tail:],
                            theirs[len(theirs) - tail:]))
    return chunks


def merge_chunks(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]) -> list[Chunk]:
    """Return the three-way merge of three line lists as chunks covering every line of each side."""
    chunks: list[Chunk] = []
    iz = ia = ib = 0
    for z_start, z_end, a_start, a_end, b_start, b_end in _sync_regions(base, mine, theirs):
        if a_start > ia or b_start > ib or z_start > iz:
            old = tuple(base[iz:z_start])
            ours, their = tuple(mine[ia:a_start]), tuple(theirs[ib:b_start])
            if ours == their:
                if ours or old:
                    chunks.append(Chunk("same" if ours != old else "unchanged", old, ours, their))
            elif ours == old:
                chunks.append(Chunk("theirs", old, ours, their))
            elif their == old:
                chunks.append(Chunk("mine", old, ours, their))
            else:
                chunks.extend(_conflict(old, ours, their))
        if z_end > z_start:
            chunks.append(Chunk("unchanged", tuple(base[z_start:z_end]), tuple(mine[a_start:a_end]),
                                tuple(theirs[b_start:b_end])))
        iz, ia, ib = z_end, a_end, b_end
    return _joined(chunks)


def _joined(chunks: list[Chunk]) -> list[Chunk]:
    """Return ``chunks`` with neighbouring unchanged runs joined into one."""
    out: list[Chunk] = []
    for chunk in chunks:
        if out and chunk.kind == out[-1].kind == "unchanged":
            last = out.pop()
            chunk = Chunk("unchanged", last.base + chunk.base, last.mine + chunk.mine,
                          last.theirs + chunk.theirs)
        out.append(chunk)
    return out


def join_lines(pieces: Sequence[Sequence[str]]) -> str:
    """Return line runs joined into one text, ending a run that lacks a line end before the next."""
    text = ""
    for piece in pieces:
        chunk = "".join(piece)
        if not chunk:
            continue
        if text and not text.endswith("\n"):
            text += "\n"
        text += chunk
    return text
