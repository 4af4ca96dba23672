"""Long pastes: a query of more than ``MAX_QUERY_WORDS`` words keeps its most distinctive ones.

A whole log or mail pasted into search is tens of thousands of words; scoring each one costs
time (11 s for 158 KB before this cap) and adds nothing: the words that find the right page are
its rarest, and a word repeated adds no evidence. A query of more than ``MAX_QUERY_WORDS`` words is
therefore searched with its distinct words, and when more than ``MAX_QUERY_WORDS`` of them are
left, only the ``MAX_QUERY_WORDS`` rarest in the KB (highest idf; words no document has come last,
since they find nothing; first occurrence first among equals), kept in the order they were pasted
(for proximity). A quoted phrase keeps its first ``MAX_QUERY_WORDS`` words; excluded words and
filters are kept. The answer says so (``note``). The limit is about twice the longest query of
the project's query sets (53 words): it never changes a query of the kind people type or paste
from one error.
"""

from __future__ import annotations

from collections.abc import Callable

from kbstudio.index.query import Item, ParsedQuery

MAX_QUERY_WORDS = 64


def shorten(parsed: ParsedQuery, words_of: Callable[[str], list[str]], df: Callable[[str], int | None]
            ) -> tuple[ParsedQuery, str | None]:
    """Return ``parsed`` cut to its most distinctive words when it is long, and the note to show.

    ``words_of`` splits an item's text into query words (``kbstudio.index.evaluate.query_words``);
    ``df`` gives in how many documents a word stands (None for a word search ignores, a stop
    word). Returns ``parsed`` itself and None when it has ``MAX_QUERY_WORDS`` words or fewer.
    """
    plain = [word for item in parsed.items if not item.phrase and not item.negated
             for word in words_of(item.text)]
    phrases = [item for item in parsed.items if item.phrase and len(words_of(item.text)) > MAX_QUERY_WORDS]
    if len(plain) <= MAX_QUERY_WORDS and not phrases:
        return parsed, None
    first: dict[str, int] = {}
    for position, word in enumerate(plain):
        first.setdefault(word.lower(), position)
    kept = set(first)
    dropped = 0
    if len(first) > MAX_QUERY_WORDS:
        counts = {word: df(word) for word in first}
        searched = [word for word in first if counts[word] is not None]

        def rarity(word: str) -> tuple[bool, int, int]:
            count = counts[word] or 0
            return (count == 0, count, first[word])

        kept = set(sorted(searched, key=rarity)[:MAX_QUERY_WORDS])
        dropped = len(first) - len(kept)
    groups: list[list[Item]] = []
    strict: list[bool] = []
    seen: set[str] = set()
    for group, required in zip(parsed.groups, parsed.strict, strict=False):
        items: list[Item] = []
        for item in group:
            if item.negated:
                items.append(item)
            elif item.phrase:
                items.append(Item(" ".join(words_of(item.text)[:MAX_QUERY_WORDS]), phrase=True))
            else:
                for word in words_of(item.text):
                    key = word.lower()
                    if key in kept and key not in seen:
                        seen.add(key)
                        items.append(Item(word, literal=item.literal))
        if items:
            groups.append(items)
            strict.append(required)
    note = None
    if dropped:
        note = (f"Long query: searched its {len(kept)} most distinctive words "
                f"(of {len(first):,} different words)")
    elif phrases:
        note = f"Long phrase: searched its first {MAX_QUERY_WORDS} words"
    return ParsedQuery(groups, strict, dict(parsed.filters), dict(parsed.excluded), list(parsed.notes)), note
