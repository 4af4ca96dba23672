"""Posting formats that index text in one pass (same on-disk meaning as Whoosh's own)."""

from __future__ import annotations

import operator
import struct
from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint, unpack_uint

from kbstudio.index.analysis import SupportAnalyzer

_NATIVE_UINT = struct.Struct("@I")  # the layout array("I") reads back
_ONE = pack_uint(1)


Posting = tuple[str, int, float, bytes]


def _index_words(value: str, analyzer: Any) -> list[str]:
    """Return the index tokens of ``value`` in order, with stop words dropped."""
    if isinstance(analyzer, SupportAnalyzer):
        return analyzer.index_tokens(value)
    return [token.text for token in analyzer(value, mode="index")]


class FastFrequency(Frequency):
    """Whoosh's Frequency format, counting tokens without Token objects."""

    def word_values(self, value: str, analyzer: Any, **kwargs: Any) -> Iterator[Posting]:
        counts: dict[str, int] = {}
        for word in _index_words(value, analyzer):
            counts[word] = counts.get(word, 0) + 1
        boost = self.field_boost
        return ((word, freq, freq * boost, pack_uint(freq)) for word, freq in counts.items())


class FastPositions(Positions):
    """Whoosh's Positions format with a compact array encoding instead of a pickle per posting."""

    def word_values(self, value: str, analyzer: Any, **kwargs: Any) -> Iterator[Posting]:
        positions: dict[str, list[int]] = {}
        if isinstance(analyzer, SupportAnalyzer):
            placed: Any = analyzer.positioned_tokens(value)
        else:
            placed = enumerate(_index_words(value, analyzer))
        for position, word in placed:
            found = positions.get(word)
            if found is None:
                positions[word] = [position]
            elif found[-1] != position:  # a part repeated inside one token (0.0.0.1) counts once
                found.append(position)
        boost = self.field_boost
        encode = self.encode
        return ((word, len(found), len(found) * boost, encode(found)) for word, found in positions.items())

    def encode(self, poslist: list[int]) -> bytes:
        if len(poslist) == 1:
            return _ONE + _NATIVE_UINT.pack(poslist[0])
        deltas = array("I", poslist[:1])
        deltas.extend(map(operator.sub, poslist[1:], poslist[:-1]))
        return pack_uint(len(poslist)) + deltas.tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        deltas = array("I")
        deltas.frombytes(valuestring[4:])
        total = 0
        out = []
        for delta in deltas:
            total += delta
            out.append(total)
        return out

    def decode_frequency(self, valuestring: bytes) -> int:
        return unpack_uint(valuestring[:4])[0]

    def decode_weight(self, valuestring: bytes) -> float:
        return unpack_uint(valuestring[:4])[0] * self.field_boost

    def decode_position_boosts(self, valuestring: bytes) -> list[tuple[int, float]]:
        return [(position, 1.0) for position in self.decode_positions(valuestring)]
