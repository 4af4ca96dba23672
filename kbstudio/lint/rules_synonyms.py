"""Synonym rules: the KB's ``.kbstudio/synonyms.yaml`` as search reads it, checked against the documents.

The rules check the KB as a whole (``Rule.kb_check``) and report at lines of the synonyms file.
``synonyms-invalid`` reports what search cannot use (``kbstudio.index.synonyms`` reads the file);
``synonym-unused`` reports each group of which no term is in any document: typing any of its words
expands the query only to words that find nothing, so the group helps no search. A single term that
is in no document is not reported: that is what the file is for (the caller's word for the article's).
``synonym-stop-words`` reports each group made only of the stop words search ignores
(``kbstudio.index.analysis.STOP_WORDS``): such words are dropped from every query before synonyms
apply, so the group can never change a search.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from kbstudio.index.analysis import STOP_WORDS
from kbstudio.index.synonyms import SYNONYMS_PATH, WORD, SynonymGroup, SynonymTable, Words, load_synonyms
from kbstudio.lint.page import Outline, Page
from kbstudio.lint.rule import KbFinding, LintContext
from kbstudio.names import nfc
from kbstudio.reader import full_document

# Between two words: anything that is no word character, except the one dot that joins 5.7 into one word.
_BETWEEN = r"(?!\.\w)\W+"
MAX_HINTS = 64
CACHE_KEY = "synonym-unused"


def check_synonyms_invalid(ctx: LintContext) -> Iterator[KbFinding]:
    """Report each part of the synonyms file that search cannot use, at its line."""
    for issue in load_synonyms(ctx.facts.root).issues:
        yield SYNONYMS_PATH, issue.line, issue.message


def check_synonym_unused(ctx: LintContext) -> Iterator[KbFinding]:
    """Report each synonym group of which no term is in a document's title, tags, products or text
    (groups made only of stop words are ``synonym-stop-words``'s)."""
    table = load_synonyms(ctx.facts.root)
    ignored = stop_word_groups(table)   # synonym-stop-words says why those cannot help
    for group in unused_groups(table, ctx.facts.pages.values()):
        if group in ignored:
            continue
        first = group.terms[0]
        names = ", ".join(f"'{term.text}'" for term in group.terms)
        yield SYNONYMS_PATH, first.line, (f"no document has any of {names}, so this entry cannot help a "
                                          "search: fix the spelling, add the word the articles use, or "
                                          "remove it")


def check_synonym_stop_words(ctx: LintContext) -> Iterator[KbFinding]:
    """Report each synonym group whose terms are all made of stop words, at its first term's line."""
    for group in stop_word_groups(load_synonyms(ctx.facts.root)):
        names = ", ".join(f"'{term.text}'" for term in group.terms)
        yield SYNONYMS_PATH, group.terms[0].line, (
            f"{names}: search ignores these very common words (stop words such as 'the', 'a', 'is'), "
            "so this entry never changes a search: remove it, or use words the callers and articles "
            "share that say more")


def stop_word_groups(table: SynonymTable) -> list[SynonymGroup]:
    """Return the groups of ``table`` every term of which is made only of stop words.

    A query's stop words are dropped before its words are looked up (``SupportAnalyzer``), so no
    term of such a group is ever matched, nor would its equivalents find anything.
    """
    return [group for group in table.groups
            if all(STOP_WORDS.issuperset(term.words) for term in group.terms)]


def page_text(page: Page | Outline) -> str:
    """Return the text terms are looked for in: title, tags, products and body, in NFC and lower case.

    An ``Outline`` has no text: its document is read again from disk.
    """
    document = page.document if isinstance(page, Page) else full_document(page.document)
    products = document.value("products")
    text = "\n".join([document.title, " ".join(map(str, document.tags)), " ".join(map(str, products)),
                      document.body])
    return nfc(nfc(text).lower())


def unused_groups(table: SynonymTable, pages: Iterable[Page | Outline]) -> list[SynonymGroup]:
    """Return the groups of ``table`` of which no term is a word or phrase of any readable document.

    Words and phrases are whole words as search splits them (``WORD``), compared in NFC and lower
    case: ``two-factor`` is found in "Two factor" but ``MFA`` is not found in "MFAs". One pass over
    the documents splits each once and keeps only the words and word pairs the terms need (set
    operations, no per-term scan); a phrase of three or more words is confirmed in a document only
    where all its word pairs are. The pass stops once every group has been found, and skips the
    documents that hold none of the words the groups still missing start with. What a document
    holds is kept in ``Page.cache`` for the same terms, so a relint after a save reads only the
    saved document again.
    """
    remaining = list(table.groups)
    terms = _Terms({term.words for group in remaining for term in group.terms})
    found: set[Words] = set()
    hints: frozenset[str] | None = None   # when few groups are left: a word each document must hold
    for number, page in enumerate(pages, 1):
        if not remaining:
            break
        if number % 64 == 0:
            remaining = [group for group in remaining if not any(term.words in found for term in group.terms)]
            first_words = {term.words[0] for group in remaining for term in group.terms}
            hints = frozenset(first_words) if len(first_words) <= MAX_HINTS else None
        if not page.document.readable:
            continue
        cached = page.cache.get(CACHE_KEY)
        if cached is not None and cached[0] == terms.key:
            if cached[1] is not None:
                found.update(cached[1])
                continue
            if hints is not None and hints <= cached[2]:   # it holds none of these words
                continue
        text = page_text(page)
        if hints is not None and not any(word in text for word in hints):   # a substring test is fast
            page.cache[CACHE_KEY] = (terms.key, None, hints)
            continue
        held = terms.held_in(text)
        page.cache[CACHE_KEY] = (terms.key, held, None)
        found.update(held)
    return [group for group in remaining if not any(term.words in found for term in group.terms)]


class _Terms:
    """The terms of a table prepared for finding them in many documents."""

    def __init__(self, terms: set[Words]) -> None:
        self.key = hash(frozenset(terms))
        self.words = {words[0] for words in terms if len(words) == 1}
        self.phrases = {words: _pairs(words) for words in terms if len(words) > 1}
        self.pairs = {pair for pairs in self.phrases.values() for pair in pairs}
        longer = {words: pairs for words, pairs in self.phrases.items() if len(words) > 2}
        shared = Counter(pair for pairs in longer.values() for pair in set(pairs))
        self.long: dict[tuple[str, str], list[Words]] = {}   # by the word pair fewest phrases share
        for words, pairs in longer.items():
            self.long.setdefault(min(pairs, key=shared.__getitem__), []).append(words)

    def held_in(self, text: str) -> frozenset[Words]:
        """Return the terms ``text`` (NFC, lower case) holds."""
        tokens = WORD.findall(text)
        held: set[Words] = {(word,) for word in self.words.intersection(tokens)}
        pairs_here = self.pairs.intersection(_pairs(tokens)) if self.pairs else set()
        held.update(pair for pair in pairs_here if pair in self.phrases)   # a two-word phrase is its pair
        for pair in pairs_here:
            for words in self.long.get(pair, ()):
                if pairs_here.issuperset(self.phrases[words]) and _phrase_in(words, text):
                    held.add(words)
        return frozenset(held)


def _pairs(words: Sequence[str]) -> list[tuple[str, str]]:
    """Return each word with the next: (a, b), (b, c) for a b c."""
    return list(zip(words, words[1:], strict=False))


def _phrase_in(words: Words, text: str) -> bool:
    """Return True when ``words`` follow one another as whole words in ``text`` (NFC, lower case)."""
    pattern = r"(?<!\w)(?<!\w\.)" + _BETWEEN.join(map(re.escape, words)) + r"(?!\w)(?!\.\w)"
    return re.search(pattern, text) is not None
