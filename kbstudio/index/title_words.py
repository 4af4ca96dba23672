"""Title words as typed: what decides between titles that all hold a short query's words.

Stemming and stop words make the index blind to two things a short typed query says: the form of a
word (``moved`` against ``moves``, ``authentication`` against ``authenticate``) and its small words
(``a Teams status or``, ``if is Event``). When the title of a document holds every word of a typed
query as the index stems them (it *covers* the query), the document earns, for each distinct word
of the query that stands in its title as typed (stop words included), the title's field weight
times that word's BM25 idf among titles. This is the "most fields" recipe of a stemmed field beside
an unstemmed one that keeps stop words (Elasticsearch: The Definitive Guide, "Multifield Search",
most_fields), computed only where it can decide: on the documents re-ranked at the end
(``kbstudio.index.results.rank``), only for those whose title covers the query, and only for typed
queries (up to ``MAX_TYPED_WORDS`` words). A pasted sentence or error line, whose words titles
seldom all hold, is unchanged. Measured on the query sets of ``bench/search_quality.py``
(docs/performance.md): titles as typed lift 3-4 shuffled title words, and change nothing else.

Words are compared as titles are keyed (``kbstudio.names.title_key``): NFC, case-folded, ``\\w+``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from kbstudio.index.postings import PostingsSource
from kbstudio.names import nfc, title_key

MAX_TYPED_WORDS = 8   # the longest query still typed by hand (kbstudio.index.evaluate: no typo fixes past it)
_WORD = re.compile(r"\w+")


def typed_words(words: Iterable[str]) -> list[str]:
    """Return the distinct words of ``words`` (a typed query's words) as titles are keyed, in order."""
    out: dict[str, None] = {}
    for word in words:
        for part in _WORD.findall(nfc(word).casefold()):
            out.setdefault(part, None)
    return list(out)


def title_counts(titles: Iterable[str]) -> Counter[str]:
    """Return in how many of ``titles`` each word stands (once per title)."""
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(set(title_key(title).split()))
    return counts


def covering(docs: Iterable[int], title_sets: Sequence[Collection[int]]) -> list[int]:
    """Return the ``docs`` found in every one of ``title_sets`` (one set a query word: the
    documents with the word in their title)."""
    if not title_sets:
        return []
    return [doc for doc in docs if all(doc in found for found in title_sets)]


def title_bonus(source: PostingsSource, title_weight: float, words: Sequence[str],
                title_sets: Sequence[Collection[int]], docs: Iterable[int]) -> dict[int, float]:
    """Return the bonus of each of ``docs`` whose title covers the query (see the module).

    ``words`` are the query's words as typed (``typed_words``); ``title_sets`` hold, for each word
    the query searched, the documents with it in the title (as the index stems it). Documents
    that do not cover the query, or hold no word as typed, get nothing.
    """
    if not words or len(words) > MAX_TYPED_WORDS:
        return {}
    chosen = covering(docs, title_sets)
    if not chosen:
        return {}
    counts = source.title_word_counts()
    n = source.doc_count
    weights = {}
    for word in words:
        df = counts.get(word, 0)
        weights[word] = title_weight * math.log(1.0 + (n - df + 0.5) / (df + 0.5))   # BM25's idf
    bonus: dict[int, float] = {}
    for doc in chosen:
        held = set(title_key(source.stored(doc).title).split())
        value = sum(weight for word, weight in weights.items() if word in held)
        if value:
            bonus[doc] = value
    return bonus
