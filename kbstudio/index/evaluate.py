"""Evaluate a parsed query against a postings source: matches, base scores, ids put first.

The one evaluator of KB Studio's searches, over the Whoosh index and over the scan's table alike
(``kbstudio.index.postings``): typo corrections of a typed query (``kbstudio.index.spelling``),
each query word's BM25 scores (``kbstudio.index.ranker``) with its accent variants, the team's
synonyms (weighed below the words typed), phrases, ``AND``/``OR``/``NOT`` (a query of negations
only is every document but those), coordination and title coordination, candidates past
``MAX_SCORED`` matches, and the document a query names by id or exact title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.postings import PostingsSource
from kbstudio.index.query import Item, ParsedQuery
from kbstudio.index.ranker import Ranker, RankWeights
from kbstudio.index.spelling import Speller
from kbstudio.index.synonyms import SynonymTable
from kbstudio.index.title_words import typed_words
from kbstudio.names import fold_accents, id_search_key, title_key

MAX_TYPED_WORDS = 8
# A document found only through a team synonym counts this share of the term's weight: the word
# typed is the better evidence (Voorhees, "Query expansion using lexical-semantic relations",
# SIGIR 1994, weighs expansion terms below the query's own; 0.5 is the weight
# docs/performance.md measured).
SYNONYM_WEIGHT = 0.5
OUTDATED_STATUSES = frozenset({"archived"})   # "kept for history; no longer applies" (fields.py)
MAX_ID_LENGTH = 40
MAX_IDS = 10
# Negative contractions as typed without the apostrophe (can't -> cant).
_CONTRACTIONS = frozenset(
    "cant wont dont doesnt didnt isnt arent wasnt werent hasnt havent hadnt couldnt shouldnt "
    "wouldnt mustnt neednt aint".split())
# An id inside text: letters, an optional - or _, digits, standing alone (KB-0002, SOP_3, kb0002).
_ID_IN_TEXT = re.compile(r"(?<![\w-])[A-Za-z]{1,12}[-_]?\d{1,12}(?![\w-])")
_ID_TRIM = "\"'()[]{}<>.,;:!?"
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]")   # hyphens a keyboard or a copy may give
MAX_SCORED = 2000   # past this many matching documents, only candidates are scored
_WORDS = re.compile(r"\w+(?:\.\w+)*")

ScoreTables = list[tuple[dict[int, float], dict[int, float]]]   # each word's (all fields, title)


@dataclass
class Evaluation:
    """What evaluating a query found."""

    matched: set[int] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)     # the first stem of each query word
    present: dict[str, Any] = field(default_factory=dict)   # stem -> the documents holding it
    pinned: list[int] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)   # words to highlight found for the query
    complete: set[int] = field(default_factory=set)  # documents with every word of a group
    title_sets: list[Any] = field(default_factory=list)  # each word's documents with it in the title
    typed: list[str] = field(default_factory=list)   # a typed query's words as titles key them
    missing_ids: list[str] = field(default_factory=list)   # ids the query names that no document has


@dataclass
class Slot:
    """One query word: its stems (with typo alternatives) and its scores."""

    word: str
    stems: list[str]
    scores: dict[int, float]   # by document, all fields
    titles: dict[int, float]   # the title's share of ``scores``
    position: int = -1  # index of the word among its group's plain words; -1 in a phrase


class Evaluator:
    """Evaluates parsed queries against one postings source, which never changes.

    Keeps the source's word scores and typo corrections between queries. Holds nothing of one
    query, so searches on several threads may share it.
    """

    def __init__(self, source: PostingsSource, weights: RankWeights, analyzer: SupportAnalyzer) -> None:
        self.source = source
        self.weights = weights
        self.analyzer = analyzer
        self.ranker = Ranker(source, weights)
        self.speller = Speller(source, self.stems) if source.offers_corrections else None
        self._id_prefixes: dict[str, bool] = {}   # prefix -> whether the KB's ids use it

    def stems(self, text: str) -> list[str]:
        """Return the index tokens of ``text``."""
        return [token.text for token in self.analyzer(text)]

    # Typo tolerance -------------------------------------------------------------------------

    def corrections(self, parsed: ParsedQuery, synonyms: SynonymTable) -> dict[str, str]:
        """Return the corrections of a typed query's unknown words (typed word -> correction).

        Words of phrases, excluded words, words before a ``:`` and words of pasted text (more
        than ``MAX_TYPED_WORDS``) are never corrected, nor are words the synonyms file names.
        """
        if self.speller is None or is_pasted(parsed):
            return {}
        found: dict[str, str] = {}
        for item in parsed.items:
            if item.phrase or item.negated or item.literal:
                continue
            for word in query_words(item.text):
                if word in found or synonyms.names(word):
                    continue
                fix = self.speller.correct(word)
                if fix:
                    found[word] = fix
        return found

    def word_df(self, word: str) -> int | None:
        """Return in how many documents' bodies or titles ``word`` stands at most, None for a stop word."""
        stems = self.stems(word)
        if not stems:
            return None
        return max(self.source.df(name, stems[0]) for name in ("title", "body"))

    # Words ----------------------------------------------------------------------------------

    def accent_variants(self, word: str, stems: list[str]) -> list[str]:
        """Return the indexed words that ``word`` matches once accents are folded, either way.

        ``resume`` finds ``résumé`` and ``résumé`` finds ``resume``, though Porter stems the plain
        and the accented spellings differently: the word is folded before stemming as well as after.
        """
        accented = self.source.accented_stems()
        found: set[str] = set()
        for stem in (*stems, word.lower()):
            folded = fold_accents(stem)
            found |= (accented.get(folded, set()) | {folded}) - {stem}   # cafe -> café, café -> cafe
        if not word.isascii():
            found.update(self.stems(fold_accents(word)))
        return sorted(found - set(stems))

    def slots(self, item: Item, first: int | None, highlights: list[str]) -> list[Slot]:
        """Return the slots of an item's words; ``first`` is the position of its first plain word.

        Accent variants found are added to ``highlights``.
        """
        out = []
        for number, word in enumerate(query_words(item.text)):
            stems = self.stems(word)
            if not stems:
                continue
            variants = self.accent_variants(word, stems)
            stems += variants
            highlights += variants
            found = self.ranker.cached_slot_scores(stems, word)
            out.append(Slot(word, stems, found.all, found.title, -1 if first is None else first + number))
        return out

    def with_synonyms(self, slots: list[Slot], words: list[str], found: list[str],
                      synonyms: SynonymTable) -> list[Slot]:
        """Return ``slots`` where each team synonym term of ``words`` is one slot for the group.

        A document scores for the term by its best form: the words as typed, or ``SYNONYM_WEIGHT``
        times the score of any other term of the group (a term of several words only where it
        stands as a phrase, the sum of its words' scores), so that of two documents alike but
        for the word, the one with the word typed ranks first. The other terms' words are added
        to ``found`` for highlighting.
        """
        if synonyms.is_empty or not words:
            return slots
        for match in synonyms.find(words):
            covered = [slot for slot in slots if match.start <= slot.position < match.end]
            if not covered:
                continue
            merged: dict[int, float] = {}
            for slot in covered:  # the words as typed, as ordinary words would count
                for doc, value in slot.scores.items():
                    merged[doc] = merged.get(doc, 0.0) + value
            stems = [stem for slot in covered for stem in slot.stems]
            for alternative in match.alternatives:
                tables = [self.ranker.cached_slot_scores(self.stems(word), word).all
                          for word in alternative if self.stems(word)]
                if not tables:
                    continue
                found.append(" ".join(alternative))
                words_stems = [stem for word in alternative for stem in self.stems(word)]
                stems += words_stems
                scores = _sum_all(tables)
                if len(words_stems) > 1:  # a term of several words is a phrase
                    scores = {d: scores[d] for d in self.ranker.phrase_docs(words_stems, set(scores))}
                for doc, value in scores.items():
                    value *= SYNONYM_WEIGHT
                    if value > merged.get(doc, 0.0):
                        merged[doc] = value
            # a term's score may come from any form's fields: it is not split by field
            joined = Slot(" ".join(words[match.start:match.end]), stems, merged, {}, covered[0].position)
            at = slots.index(covered[0])
            slots = [slot for slot in slots if slot not in covered]
            slots.insert(at, joined)
        return slots

    def item_docs(self, item: Item, slots: list[Slot]) -> set[int]:
        """Return the documents an item requires: a phrase, or every word of it."""
        docs: set[int] | None = None
        for slot in slots:
            docs = set(slot.scores) if docs is None else docs & slot.scores.keys()
        stems = [slot.stems[0] for slot in slots]
        if item.phrase and len(stems) > 1 and docs:
            return self.ranker.phrase_docs(stems, docs)
        return docs or set()

    # Queries --------------------------------------------------------------------------------

    def evaluate(self, parsed: ParsedQuery, synonyms: SynonymTable) -> Evaluation:
        """Return every matching document, base scores of the ones that can rank, query stems.

        A query that only excludes (``NOT guest``, ``-wifi``, ``-status:archived``) or only
        filters matches every document but those excluded.
        """
        result = Evaluation()
        excluded: set[int] = set()
        if not is_pasted(parsed):
            result.typed = typed_words(w for item in parsed.items if not item.negated
                                       for w in query_words(item.text))
        for group, strict in zip(parsed.groups, parsed.strict, strict=False):
            slots: list[Slot] = []
            plain_words: list[str] = []
            required: set[int] | None = None
            for item in group:
                first = None
                if not item.phrase and not item.negated:
                    first = len(plain_words)
                    plain_words += query_words(item.text)
                item_slots = self.slots(item, first, result.synonyms)
                if not item_slots:
                    continue
                if item.negated:
                    excluded |= self.item_docs(item, item_slots)
                    continue
                result.order.extend(slot.stems[0] for slot in item_slots)
                if item.phrase or strict:
                    docs = self.item_docs(item, item_slots)
                    required = docs if required is None else required & docs
                slots.extend(item_slots)
            if not slots:
                continue
            for slot in slots:  # each typed word's own documents, for proximity and titles
                result.present.setdefault(slot.stems[0], slot.scores.keys())
                result.title_sets.append(slot.titles.keys())
            slots = self.with_synonyms(slots, plain_words, result.synonyms, synonyms)
            if required is not None:
                matching = required
            else:
                matching = set().union(*(slot.scores.keys() for slot in slots))
            result.matched |= matching
            tables = [(slot.scores, slot.titles) for slot in slots]
            scored = self.candidates(tables, matching) if required is None else matching
            for doc, score in self.group_scores(tables, scored).items():
                result.scores[doc] = result.scores.get(doc, 0.0) + score
            by_size = sorted((table for table, _ in tables), key=len)
            result.complete |= set(by_size[0]).intersection(*by_size[1:]) & scored
        if not result.matched and not any(not i.negated for i in parsed.items):
            result.matched = set(range(self.source.doc_slots))   # everything but what is excluded
        result.matched -= excluded | self.source.deleted
        return result

    def group_scores(self, tables: ScoreTables, docs: Iterable[int]) -> dict[int, float]:
        """Return the score of each of ``docs`` for one OR-group of words (see ``evaluate``)."""
        count = len(tables)
        coord_power = self.weights.coord_power
        title_power = self.weights.title_coord_power
        out: dict[int, float] = {}
        for doc in docs:
            score = title_score = 0.0
            hits = title_hits = 0
            for table, titles in tables:
                value = table.get(doc)
                if value is not None:
                    hits += 1
                    in_title = titles.get(doc)
                    if in_title is None:
                        score += value
                    else:
                        score += value - in_title
                        title_score += in_title
                        title_hits += 1
            # Coordination, and for titles on their own: a title holding 3 of 3 query words
            # names the problem; one holding 3 of 18 words of a pasted sentence does not.
            score += title_score * (title_hits / count) ** title_power
            out[doc] = score * (hits / count) ** coord_power + 1e-6
        return out

    def candidates(self, tables: ScoreTables, matching: set[int]) -> set[int]:
        """Return the documents worth scoring fully, in the spirit of MaxScore (Turtle and Flood 1995).

        Past ``MAX_SCORED`` matching documents, a document can only reach the top by holding the
        query's rarer words or every word: the candidates are the documents with every word,
        then those of the rarest words while they fit in ``MAX_SCORED``. The others count in
        totals and facets unscored.
        """
        if len(matching) <= MAX_SCORED:
            return matching
        by_size = sorted((table for table, _ in tables), key=len)
        chosen = set(by_size[0]).intersection(*by_size[1:])
        for table in by_size:
            if len(chosen) + len(table) > MAX_SCORED:
                break
            chosen.update(table)
        return chosen if len(chosen) >= self.weights.proximity_pool else matching

    def pin(self, text: str, found: Evaluation) -> None:
        """Put the document a query names first: its id (``kb-0002``, ``SOP-3``) or its exact title.

        Typing or pasting an id or a title is asking for that document, whatever its words score.
        Current documents come before outdated ones (archived: kept for history), and an exact
        title pins an outdated document only when it is asked for by id too. An id written in the
        KB's own style (a prefix its ids use: ``KB-9999``) that no document has goes to
        ``found.missing_ids``.
        """
        wanted = " ".join(_DASHES.sub("-", text).split())
        keys = [("title_key", title_key(wanted))]
        if len(wanted) <= MAX_ID_LENGTH:
            keys.insert(0, ("id_key", id_search_key(wanted.strip(_ID_TRIM))))
        # ids named inside a query ("see KB-0002", "(SOP-3),", "KB-0002 unlock")
        named = [m.group(0) for m in _ID_IN_TEXT.finditer(wanted)][:MAX_IDS]
        keys[1:1] = [("id_key", id_search_key(written)) for written in named]
        statuses = self.source.column("status")
        pinned: list[int] = []
        for name, key in keys:
            if not key:
                continue
            docs = self.source.docset(name, key) - self.source.deleted - set(pinned)
            if name == "title_key":
                docs = {doc for doc in docs if statuses[doc] not in OUTDATED_STATUSES}
            pinned += sorted(docs)
        pinned.sort(key=lambda doc: statuses[doc] in OUTDATED_STATUSES)   # stable: current first
        found.missing_ids = self._missing_ids(named)
        if not pinned:
            return
        top = max(found.scores.values(), default=1.0)
        for doc in pinned:
            found.scores[doc] = max(found.scores.get(doc, 0.0), top)
        found.matched.update(pinned)
        found.pinned = pinned


    def _missing_ids(self, written: list[str]) -> list[str]:
        """Return the ids of ``written`` (as typed) in the style of the KB's ids that no document has."""
        missing: list[str] = []
        for text in written:
            key = id_search_key(text)
            prefix, _, number = key.partition("-")
            if not number.isdigit() or text in missing:
                continue
            if self.source.docset("id_key", key) - self.source.deleted:
                continue
            if prefix not in self._id_prefixes:   # SP1, O365: words, not ids of this KB
                self._id_prefixes[prefix] = self.source.has_value_prefix("id_key", f"{prefix}-")
            if self._id_prefixes[prefix]:
                missing.append(text)
        return missing


def is_pasted(parsed: ParsedQuery) -> bool:
    """Return True for copied text (more than ``MAX_TYPED_WORDS`` words): no typos worth fixing."""
    return sum(len(query_words(item.text)) for item in parsed.items) > MAX_TYPED_WORDS


def query_words(text: str) -> list[str]:
    """Return the words of query text, an English contraction typed without its apostrophe split.

    The index splits ``can't`` into ``can`` and ``t`` (analysis.TOKEN_PATTERN), so ``cant`` typed
    is searched as ``can t``: never "corrected" to another word.
    """
    words = []
    for word in _WORDS.findall(text):
        lowered = word.lower()
        if lowered in _CONTRACTIONS:
            words += [word[:-1], word[-1]]
        else:
            words.append(word)
    return words


def _sum_all(tables: Iterable[dict[int, float]]) -> dict[int, float]:
    """Return, for the documents in every table, the sum of their values."""
    tables = list(tables)
    common = set(tables[0]).intersection(*tables[1:])
    return {doc: sum(table[doc] for table in tables) for doc in common}
