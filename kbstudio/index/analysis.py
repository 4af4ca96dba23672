"""A single-pass analyzer: NFC, tokens, lowercase, stop words and Porter stems in one loop.

Text is put in Unicode NFC before it is split into words, at index and at query time alike: in NFD
(a Mac export) the accent of ``München`` is a separate combining mark that is no word character,
so the word would split into ``mu`` and ``nchen`` and never match ``München`` typed composed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter import stem as porter_stem

from kbstudio.names import nfc

# Words with dots or digits inside stay whole: 0x8004010f, 5.7.1, 16.0.4266.
TOKEN_PATTERN = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have i if in is it me my of on or so that the this "
    "to was we were when will with you your our".split()
)


def count_tokens(text: str) -> int:
    """Return roughly how many tokens ``text`` has (for length normalisation only)."""
    return len(text) // 6 + 1


# Not in the cache: a str no word normalises to (tokens hold no NUL), so the cache is dict[str, str | None].
_MISSING = "\0missing"


class SupportAnalyzer(Analyzer):
    """Whoosh's tokenizer, lowercase, stop and stem filters fused into one fast loop.

    Building a large index spends most of its time in analysis; one loop instead of a chain
    of generators, and a stem cache, make it several times cheaper.
    """

    def __init__(self, stem: bool = True, minsize: int = 1) -> None:
        self.stem = stem
        self.minsize = minsize
        self._cache: dict[str, str] = {}
        self._words: dict[str, str | None] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"stem": self.stem, "minsize": self.minsize}  # the cache is not saved in the schema

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = {}
        self._words = {}

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, SupportAnalyzer) and other.stem == self.stem
                and other.minsize == self.minsize)

    def __hash__(self) -> int:
        return hash((self.stem, self.minsize))

    def has_morph(self) -> bool:
        """Return True: stemming changes words."""
        return self.stem

    def normalize(self, word: str) -> str | None:
        """Return the index form of one word, or None for a stop word."""
        lowered = word.lower()
        if lowered in STOP_WORDS or len(lowered) < self.minsize:
            return None
        if not self.stem:
            return lowered
        cached = self._cache.get(lowered)
        if cached is None:
            cached = porter_stem(lowered) if lowered.isalpha() else lowered
            if len(self._cache) < 200_000:
                self._cache[lowered] = cached
        return cached

    def index_tokens(self, value: str) -> list[str]:
        """Return the index form of every token of ``value``, in order, stop words dropped.

        A dotted token (``5.7.133``, ``outlook.exe``) is followed by its parts (``5``, ``7``,
        ``133``), so a query that splits it finds it; ``positioned_tokens`` gives the parts the
        whole token's position.
        """
        return [word for _, word in self.positioned_tokens(value)]

    def positioned_tokens(self, value: str) -> list[tuple[int, str]]:
        """Return (position, index form) of the tokens of ``value``; parts share their token's position.

        Indexing the parts as well as the whole is Lucene's word-delimiter approach: the whole
        keeps exact matches exact, the parts serve queries typed with spaces (``5 7 133``).
        """
        cache = self._words
        out: list[tuple[int, str]] = []
        position = 0
        for word in TOKEN_PATTERN.findall(nfc(value)):
            normal = cache.get(word, _MISSING)
            if normal is _MISSING:
                normal = self.normalize(word)
                if len(cache) < 300_000:
                    cache[word] = normal
            if normal is None:
                continue
            out.append((position, normal))
            if "." in word:
                for part in word.split("."):
                    part_normal = self.normalize(part)
                    if part_normal is not None and part_normal != normal:
                        out.append((position, part_normal))
            position += 1
        return out

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        normalize = self.normalize
        pos = start_pos
        # Character offsets are those of the NFC text, which is ``value`` itself unless it had
        # decomposed characters (the index stores its text in NFC: see index_text).
        for match in TOKEN_PATTERN.finditer(nfc(value)):
            text = normalize(match.group())
            if text is None:
                continue
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = pos
                pos += 1
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token
