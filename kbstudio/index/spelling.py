"""Spelling correction of query words: which words may be corrected, how far, and to what.

A word is corrected only when the KB does not know it, and only to a word the KB uses that a typist
could plausibly have meant:

- **Known words are never corrected.** A word found anywhere in the index (any text field, in the
  form the analyzer gives it, or once accents are folded; a tag, a product, a title or heading
  word) or named by the team's synonyms file is a real word of this KB: ``login`` is not "fixed"
  to ``log`` because one article says "their login doesn't work", nor ``reboot`` to ``report``
  once the synonyms file lists ``reboot``.
- **An edit budget by length**, as Lucene's and Elasticsearch's ``fuzziness: AUTO`` (Elasticsearch
  reference, "Common options: Fuzziness"): no edit for words of 1-2 letters, one for 3-5, two for
  6 or more. An edit is Damerau's: a letter inserted, dropped, replaced, or two neighbours swapped
  (Damerau 1964, "A technique for computer detection and correction of spelling errors", CACM 7(3):
  about 80% of misspellings are one such edit).
- **The first letter is kept**, or replaced by a key next to it, or swapped with the second: the
  first letter is wrong in only a few percent of misspellings (Pollock and Zamora 1984, "Automatic
  spelling correction in scientific and scholarly text", CACM 27(4)). ``zork`` is not ``work``.
- **At most one unlikely substitution.** Substitutions in real typing are mostly of a neighbouring
  key, and in misspelling of one vowel for another (Kernighan, Church and Gale 1990, "A spelling
  correction program based on a noisy channel model", COLING: the substitution confusion matrix);
  a correction may hold at most one substitution of any other kind. ``reboot`` -> ``report``
  needs two (b->p, o->r) and is refused; ``spase`` -> ``space`` needs one and is made.

Among the candidates left, the one with the fewest edits, then the fewest unlikely substitutions,
then used in the most documents, then the first alphabetically is taken. The rules were checked on
the typo queries of ``bench/search_quality.py`` (docs/performance.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from kbstudio.index.postings import PostingsSource
from kbstudio.names import fold_accents

_SPELLABLE = re.compile(r"^[a-zA-Z]{3,24}$")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
VOWELS = frozenset("aeiouy")
MAX_CACHED = 4096
# QWERTY rows and their horizontal offsets in key widths (the usual stagger of a keyboard).
_ROWS = (("qwertyuiop", 0.0), ("asdfghjkl", 0.25), ("zxcvbnm", 0.75))


def _neighbours() -> dict[str, frozenset[str]]:
    """Return each letter's neighbouring keys on a QWERTY keyboard (same row or the rows beside it)."""
    where = {key: (row, column + offset) for row, (keys, offset) in enumerate(_ROWS)
             for column, key in enumerate(keys)}
    return {key: frozenset(other for other, (row2, x2) in where.items()
                           if other != key and abs(row2 - row) <= 1 and abs(x2 - x) <= 1.0)
            for key, (row, x) in where.items()}


KEYBOARD_NEIGHBOURS = _neighbours()


def edit_budget(word: str) -> int:
    """Return how many edits a word of this length may be corrected by (``fuzziness: AUTO``)."""
    length = len(word)
    return 0 if length <= 2 else 1 if length <= 5 else 2


def likely_substitution(typed: str, meant: str) -> bool:
    """Return True when typing ``typed`` for ``meant`` is a common slip: neighbouring keys or two vowels."""
    return typed in KEYBOARD_NEIGHBOURS.get(meant, ()) or (typed in VOWELS and meant in VOWELS)


def typo_cost(typed: str, meant: str, limit: int) -> tuple[int, int] | None:
    """Return (edits, unlikely substitutions) of the cheapest way ``meant`` becomes ``typed``.

    Edits are Damerau's (optimal string alignment: insert, delete, substitute, swap neighbours);
    among alignments with the fewest edits the one with the fewest unlikely substitutions counts.
    Returns None when more than ``limit`` edits are needed. Both words lower case.
    """
    if abs(len(typed) - len(meant)) > limit:
        return None
    rows = len(typed) + 1
    cols = len(meant) + 1
    # cost[i][j]: (edits, unlikely) to turn meant[:j] into typed[:i]
    cost = [[(0, 0)] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = (i, 0)
    for j in range(cols):
        cost[0][j] = (j, 0)
    for i in range(1, rows):
        a = typed[i - 1]
        best_in_row = limit + 1
        for j in range(1, cols):
            b = meant[j - 1]
            if a == b:
                here = cost[i - 1][j - 1]
            else:
                edits, unlikely = cost[i - 1][j - 1]
                here = (edits + 1, unlikely + (0 if likely_substitution(a, b) else 1))
            up, left = cost[i - 1][j], cost[i][j - 1]
            here = min(here, (up[0] + 1, up[1]), (left[0] + 1, left[1]))
            if i > 1 and j > 1 and a == meant[j - 2] and typed[i - 2] == b and a != b:
                swap = cost[i - 2][j - 2]
                here = min(here, (swap[0] + 1, swap[1]))
            cost[i][j] = here
            best_in_row = min(best_in_row, here[0])
        if best_in_row > limit:
            return None
    found = cost[-1][-1]
    return found if found[0] <= limit else None


def plausible(typed: str, meant: str) -> tuple[int, int] | None:
    """Return (edits, unlikely substitutions) when ``meant`` is a plausible correction of ``typed``.

    None unless: within the word's edit budget, at least one edit, at most one unlikely
    substitution, and the first letter kept, a neighbouring key, or swapped with the second.
    """
    if typed == meant or not meant:
        return None
    first_ok = (typed[0] == meant[0] or typed[0] in KEYBOARD_NEIGHBOURS.get(meant[0], ())
                or (len(typed) > 1 and len(meant) > 1 and typed[0] == meant[1] and typed[1] == meant[0]))
    if not first_ok:
        return None
    found = typo_cost(typed, meant, edit_budget(typed))
    if found is None or found[1] > 1:
        return None
    return found


def one_edit_words(word: str, known: set[str]) -> set[str]:
    """Return the words of ``known`` one edit (delete, swap, change, insert) from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    edits |= {a + c + b for a, b in splits for c in _LETTERS}
    return edits & known


class Speller:
    """Corrects query words to the words of one postings source, which never changes.

    ``stems`` is the index's analyzer (text -> index tokens). Corrections are cached by word;
    a search on another thread may share the speller.
    """

    def __init__(self, source: PostingsSource, stems: Callable[[str], list[str]]) -> None:
        self.source = source
        self.stems = stems
        self._cache: dict[str, str | None] = {}

    def known(self, word: str) -> bool:
        """Return True when the KB has ``word``: in any text field as the analyzer gives it (or with
        its accents folded), as a tag or product, or among the title, heading and tag words."""
        lowered = word.lower()
        source = self.source
        # the cheapest lookups first: most words typed are in the documents' text
        forms = {*self.stems(lowered), *self.stems(fold_accents(lowered))}
        if any(source.df(field, stem) for stem in forms for field in source.text_fields):
            return True
        if any(source.docset(field, lowered) for field in ("tags", "products")):
            return True
        accented = source.accented_stems()
        if any(accented.get(fold_accents(stem)) for stem in forms):
            return True
        return lowered in source.spelling_words()

    def correct(self, word: str) -> str | None:
        """Return the word of the KB that ``word`` was most plausibly meant to be, or None.

        None for a word the KB knows, a stop word, a word that is not 3-24 plain letters, and
        when no KB word is a plausible correction (see the module's rules).
        """
        if not _SPELLABLE.match(word):
            return None
        lowered = word.lower()
        if lowered not in self._cache:
            if len(self._cache) > MAX_CACHED:
                self._cache.clear()
            self._cache[lowered] = self._find(lowered)
        return self._cache[lowered]

    def _find(self, lowered: str) -> str | None:
        if not self.stems(lowered) or self.known(lowered):
            return None   # a stop word, or a word of the KB
        budget = edit_budget(lowered)
        if budget == 0:
            return None
        best = self._best(lowered, one_edit_words(lowered, self.source.spelling_words()))
        if best is None and budget > 1:   # two edits: slower, and only when one is not enough
            best = self._best(lowered, self.source.two_edit_words(lowered))
        return best

    def _best(self, lowered: str, candidates: Iterable[str]) -> str | None:
        """Return the most plausible of ``candidates`` (fewest edits, fewest unlikely substitutions,
        most used, first alphabetically), or None when none is plausible."""
        scored: dict[str, tuple[int, int, int, str]] = {}
        for candidate in candidates:
            cost = plausible(lowered, candidate)
            if cost is not None:
                scored[candidate] = (*cost, -self.usage(candidate), candidate)
        return min(scored, key=scored.__getitem__) if scored else None

    def usage(self, word: str) -> int:
        """Return in how many documents' bodies and titles a word stands (counted in each)."""
        stems = self.stems(word)
        return self.source.df("body", stems[0]) + self.source.df("title", stems[0]) if stems else 0
