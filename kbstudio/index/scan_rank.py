"""How the scan ranks: the index's searcher (``kbstudio.index.search``) over the scan's table.

A port of ``KBSearcher`` and ``Ranker`` onto ``kbstudio.index.scan_table.View``: BM25 per field
with the index's weights (``RankWeights``: title 3, issue 1.5, body 1, code 0.5, tags, products),
coordination and title coordination, candidates past ``MAX_SCORED`` matches, phrases, ``AND``,
``OR``, ``NOT`` and filters, the team's synonyms, accent variants, typo corrections from the KB's
own title, heading and tag words, ids and exact titles first, and the proximity re-ranking of
the best ``proximity_pool`` documents and as many holding every word. On the support corpus it
gives the same first result as the index for all 1,000 bench queries and the same top ten for 977.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.query import Item, ParsedQuery
from kbstudio.index.ranker import RankWeights
from kbstudio.index.scan_table import TF_BITS, TF_MAX, Finder, SlotScores, View
from kbstudio.index.search import (
    MAX_HIGHLIGHTS,
    MAX_ID_LENGTH,
    MAX_IDS,
    MAX_SCORED,
    MAX_TYPED_WORDS,
    MAX_TYPO_KNOWN,
    MAX_TYPO_LENGTH,
    Hit,
    query_words,
)
from kbstudio.index.snippets import IsHit, hit_test, make_snippet
from kbstudio.index.synonyms import SynonymTable
from kbstudio.model import TIERS
from kbstudio.names import fold_accents, id_search_key, title_key

MAX_TAG_FACETS = 20
SLOT_CACHE = 512
_BOLD = re.compile(r"<b>(.*?)</b>")
_SPELLABLE = re.compile(r"^[a-zA-Z]{4,24}$")
_ID_IN_TEXT = re.compile(r"(?<![\w-])[A-Za-z]{1,12}[-_]?\d{1,12}(?![\w-])")
_ID_TRIM = "\"'()[]{}<>.,;:!?"
_DASHES = re.compile("[\u2010-\u2015\u2212\ufe63\uff0d]")


@dataclass
class Slot:
    """One query word: its stems (with accent alternatives) and its scores."""

    word: str
    stems: list[str]
    scores: dict[int, float]   # by document, all fields
    titles: dict[int, float]   # the title's share of ``scores``
    position: int = -1         # index of the word among its group's plain words; -1 in a phrase


@dataclass
class Evaluation:
    """What evaluating a query found."""

    matched: set[int] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)     # the first stem of each query word
    present: dict[str, Any] = field(default_factory=dict)   # stem -> the documents holding it
    pinned: list[int] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    complete: set[int] = field(default_factory=set)    # documents with every word of a group


class Scorer:
    """Evaluates one parsed query against a view, as the index's searcher does (module doc)."""

    def __init__(self, view: View, weights: RankWeights, analyzer: SupportAnalyzer,
                 synonyms: SynonymTable) -> None:
        self.view = view
        self.weights = weights
        self.analyzer = analyzer
        self.synonyms = synonyms

    def stems(self, text: str) -> list[str]:
        """Return the index tokens of ``text`` (as ``KBSearcher.stems``)."""
        return [token.text for token in self.analyzer(text)]

    def slot_scores(self, stems: Sequence[str], word: str) -> SlotScores:
        """Return one word's BM25 scores by document (all fields) and the title's share.

        As ``Ranker.slot_scores``: each field's BM25 with its own document frequency (the most
        frequent alternative's) and length normalisation, times its weight; tags and products
        add their weight times the idf of the word as a tag or product.
        """
        key = (tuple(stems), word.lower())
        cache = self.view.slot_cache
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found
        w = self.weights
        k1 = w.k1
        total: dict[int, float] = {}
        title: dict[int, float] = {}
        for name, weight in (("title", w.title), ("issue", w.issue), ("body", w.body), ("code", w.code)):
            if weight <= 0:
                continue
            norms = self.view.norms(name, w.b)
            pseudo: dict[int, float] = {}
            df_max = 0
            for stem in stems:
                postings = self.view.postings(name, stem)
                if not postings:
                    continue
                df_max = max(df_max, len(postings))
                if not pseudo:
                    pseudo = {p >> TF_BITS: (p & TF_MAX) * norms[p >> TF_BITS] for p in postings}
                    continue
                get = pseudo.get
                for p in postings:
                    doc = p >> TF_BITS
                    pseudo[doc] = get(doc, 0.0) + (p & TF_MAX) * norms[doc]
            if not pseudo:
                continue
            factor = weight * self.view.idf(df_max) * (k1 + 1.0)
            target = title if name == "title" else total
            get = target.get
            for doc, tf in pseudo.items():
                target[doc] = get(doc, 0.0) + factor * tf / (tf + k1)
        lowered = word.lower()
        for name, weight in (("tags", w.tags), ("products", w.products)):
            docs = self.view.docset(name, lowered)
            if docs and weight > 0:
                bonus = weight * self.view.idf(len(docs))
                for doc in docs:
                    total[doc] = total.get(doc, 0.0) + bonus
        for doc, value in title.items():
            total[doc] = total.get(doc, 0.0) + value
        found = (total, title)
        cache[key] = found
        if len(cache) > SLOT_CACHE:
            cache.popitem(last=False)
        return found

    def slots(self, item: Item, first: int | None, highlights: list[str], replaced: dict[str, str],
              pasted: bool) -> list[Slot]:
        """Return the slots of an item's words; ``first`` is the position of its first plain word.

        Accent variants found are added to ``highlights``, typo corrections to ``replaced``
        (not for phrases, excluded words and pasted text).
        """
        out = []
        for number, word in enumerate(query_words(item.text)):
            stems = self.stems(word)
            if not stems:
                continue
            variants = self.accent_variants(word, stems)
            stems += variants
            highlights += variants
            fix = None if item.phrase or item.negated or pasted or variants else self.correct(word)
            if fix:
                replaced[word] = fix
                stems = stems + [s for s in self.stems(fix) if s not in stems]
            scores, titles = self.slot_scores(stems, word)
            out.append(Slot(word, stems, scores, titles, -1 if first is None else first + number))
        return out

    def correct(self, word: str) -> str | None:
        """Return the correction of a misspelled word from the KB's own words, or None.

        As the index's searcher: only a word of 4-24 letters found in at most a few documents
        (short ones only), corrected to the spelling word one edit away (else two) used in the
        most documents, and only when that is used far more.
        """
        if not _SPELLABLE.match(word) or self.view.table.keep is not None:
            return None   # a streamed table holds only the query's own words: none to offer
        lowered = word.lower()
        cache = self.view.corrected
        if lowered not in cache:
            cache[lowered] = self._find_correction(lowered)
        return cache[lowered]

    def _find_correction(self, lowered: str) -> str | None:
        stems = self.stems(lowered)
        if not stems:
            return None
        known = self._usage(lowered)
        if known > MAX_TYPO_KNOWN or (known and len(lowered) > MAX_TYPO_LENGTH):
            return None   # long rare words are product and API names, not typos
        found = {c: (1, self._usage(c)) for c in self.view.one_edit_words(lowered) if c != lowered}
        if not found:
            found = {c: (2, self._usage(c)) for c in self.view.two_edit_words(lowered) if c != lowered}
        fixes = sorted(found, key=lambda c: (found[c][0], -found[c][1], c))
        if not fixes or (known and found[fixes[0]][1] < 20 * known):
            return None
        return fixes[0]

    def _usage(self, word: str) -> int:
        """Return in how many documents' bodies and titles a word stands (counted in each)."""
        stems = self.stems(word)
        return self.view.df("body", stems[0]) + self.view.df("title", stems[0]) if stems else 0

    def accent_variants(self, word: str, stems: list[str]) -> list[str]:
        """Return the table's words that ``word`` matches once accents are folded, either way
        (``resume`` finds ``résumé`` and the other way round, though Porter stems them apart)."""
        found: set[str] = set()
        for stem in stems:
            found |= self.view.accent_variants(stem)
        found |= self.view.accent_variants(word.lower())
        if not word.isascii():
            found.update(self.stems(fold_accents(word)))
        return sorted(found - set(stems))

    def with_synonyms(self, slots: list[Slot], words: list[str], found: list[str]) -> list[Slot]:
        """Return ``slots`` where each synonym term of ``words`` is one slot scored by its best form."""
        if self.synonyms.is_empty or not words:
            return slots
        for match in self.synonyms.find(words):
            covered = [slot for slot in slots if match.start <= slot.position < match.end]
            if not covered:
                continue
            merged: dict[int, float] = {}
            for slot in covered:
                for doc, value in slot.scores.items():
                    merged[doc] = merged.get(doc, 0.0) + value
            stems = [stem for slot in covered for stem in slot.stems]
            for alternative in match.alternatives:
                tables = [self.slot_scores(self.stems(word), word)[0]
                          for word in alternative if self.stems(word)]
                if not tables:
                    continue
                found.append(" ".join(alternative))
                words_stems = [stem for word in alternative for stem in self.stems(word)]
                stems += words_stems
                common = set(tables[0]).intersection(*tables[1:])
                scores = {doc: sum(table[doc] for table in tables) for doc in common}
                if len(words_stems) > 1:   # a term of several words is a phrase
                    scores = {d: scores[d] for d in self.phrase_docs(words_stems, set(scores))}
                for doc, value in scores.items():
                    if value > merged.get(doc, 0.0):
                        merged[doc] = value
            joined = Slot(" ".join(words[match.start:match.end]), stems, merged, {}, covered[0].position)
            at = slots.index(covered[0])
            slots = [slot for slot in slots if slot not in covered]
            slots.insert(at, joined)
        return slots

    def phrase_docs(self, stems: list[str], candidates: set[int]) -> set[int]:
        """Return the candidates whose title or body has ``stems`` as consecutive words."""
        found = set()
        finder = Finder(self.view.table, stems)
        for number in sorted(candidates):
            for name in ("title", "body"):
                where = self.view.positions(number, name, finder)
                starts = set(where.get(stems[0], ()))
                for offset, stem in enumerate(stems[1:], 1):
                    starts &= {p - offset for p in where.get(stem, ())}
                    if not starts:
                        break
                if starts:
                    found.add(number)
                    break
        return found

    def proximity(self, stems: list[str], docnums: list[int], present: dict[str, Any]) -> dict[int, float]:
        """Return a bonus for documents where neighbouring query words stand close together.

        As ``Ranker.proximity``: each pair of neighbouring query words found within
        ``pair_window`` positions, in that order in the body or code and in any order in the
        title, earns the rarer word's idf over the gap; the sum is scaled by the share of pairs
        found to the power ``pair_coverage_power``.
        """
        w = self.weights
        unique = [s for i, s in enumerate(stems) if i == 0 or s != stems[i - 1]][: w.proximity_terms]
        pairs = [(a, c) for a, c in zip(unique, unique[1:], strict=False) if a != c]
        if not pairs or not docnums:
            return {}
        candidates = set(docnums)
        both: dict[tuple[str, str], set[int]] = {}
        for first, second in pairs:
            both[first, second] = candidates & present.get(first, set()) & present.get(second, set())
        view = self.view
        weight_of = {stem: view.idf(max(view.df("body", stem), view.df("title", stem), 1))
                     for pair in pairs for stem in pair}
        finder = Finder(self.view.table, weight_of)
        bonus: dict[int, float] = {}
        matched: dict[tuple[int, str], int] = {}
        for name, weight, ordered in (("body", w.pair_body, True), ("code", w.pair_code, True),
                                      ("title", w.pair_title, False)):
            if weight <= 0:
                continue
            for (first, second), docs in both.items():
                pair_weight = weight * min(weight_of[first], weight_of[second])
                for doc in docs:
                    where = view.positions(doc, name, finder)
                    left, right = where.get(first), where.get(second)
                    if not left or not right:
                        continue
                    gap = _closest_gap(left, right, w.pair_window)
                    if not ordered and not gap:
                        gap = _closest_gap(right, left, w.pair_window)
                    if gap:
                        bonus[doc] = bonus.get(doc, 0.0) + pair_weight / gap
                        matched[doc, name] = matched.get((doc, name), 0) + 1
        power = w.pair_coverage_power
        if power:
            share: dict[int, int] = {}
            for (doc, _), count in matched.items():
                share[doc] = max(share.get(doc, 0), count)
            for doc in bonus:
                bonus[doc] *= (share.get(doc, 0) / len(pairs)) ** power
        return bonus

    def item_docs(self, item: Item, slots: list[Slot]) -> set[int]:
        """Return the documents an item requires: a phrase, or every word of it."""
        docs: set[int] | None = None
        for slot in slots:
            docs = set(slot.scores) if docs is None else docs & slot.scores.keys()
        stems = [slot.stems[0] for slot in slots]
        if item.phrase and len(stems) > 1 and docs:
            return self.phrase_docs(stems, docs)
        return docs or set()

    def evaluate(self, parsed: ParsedQuery, replaced: dict[str, str]) -> Evaluation:
        """Return every matching document and the scores of the ones that can rank."""
        result = Evaluation()
        excluded: set[int] = set()
        pasted = sum(len(query_words(item.text)) for item in parsed.items) > MAX_TYPED_WORDS
        for group, strict in zip(parsed.groups, parsed.strict, strict=False):
            slots: list[Slot] = []
            plain_words: list[str] = []
            required: set[int] | None = None
            for item in group:
                first = None
                if not item.phrase and not item.negated:
                    first = len(plain_words)
                    plain_words += query_words(item.text)
                item_slots = self.slots(item, first, result.synonyms, replaced, pasted)
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
            for slot in slots:   # each typed word's own documents, for proximity
                result.present.setdefault(slot.stems[0], slot.scores.keys())
            slots = self.with_synonyms(slots, plain_words, result.synonyms)
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
        if not result.matched and parsed.filters and not any(not i.negated for i in parsed.items):
            result.matched = set(range(self.view.count))
        result.matched -= excluded
        return result

    def group_scores(self, tables: list[SlotScores],
                     docs: Iterable[int]) -> dict[int, float]:
        """Return each document's score for one OR-group: coordination, and again for titles."""
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
            score += title_score * (title_hits / count) ** title_power
            out[doc] = score * (hits / count) ** coord_power + 1e-6
        return out

    def candidates(self, tables: list[SlotScores],
                   matching: set[int]) -> set[int]:
        """Return the documents worth scoring: past MAX_SCORED, those with every word or rare words."""
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
        """Put the document a query names first: its id (``kb-0002``) or its exact title."""
        wanted = " ".join(_DASHES.sub("-", text).split())
        keys = [("title_key", title_key(wanted))]
        if len(wanted) <= MAX_ID_LENGTH:
            keys.insert(0, ("id_key", id_search_key(wanted.strip(_ID_TRIM))))
        keys[1:1] = [("id_key", id_search_key(m.group(0))) for m in _ID_IN_TEXT.finditer(wanted)][:MAX_IDS]
        pinned: list[int] = []
        for name, key in keys:
            if key:
                pinned += sorted(self.view.docset(name, key) - set(pinned))
        if not pinned:
            return
        top = max(found.scores.values(), default=1.0)
        for doc in pinned:
            found.scores[doc] = max(found.scores.get(doc, 0.0), top)
        found.matched.update(pinned)
        found.pinned = pinned

    def highlight(self, words: list[str], phrases: set[str]) -> IsHit | None:
        """Return the pattern of the words to highlight: the rarest few, and whole synonym phrases."""
        pairs = {(stem, word.lower()) for word in words for stem in self.stems(word)}
        rarest = sorted(pairs, key=lambda p: (self.view.df("body", p[0]), p))[:MAX_HIGHLIGHTS]
        return hit_test({stem for stem, _ in rarest}, {word for _, word in rarest} | phrases)


def _closest_gap(first: list[int], second: list[int], window: int) -> int:
    """Return the smallest forward distance (1..window) from a ``first`` to a ``second``, or 0."""
    best = 0
    following = set(second)
    for position in first:
        for gap in range(1, window + 1):
            if position + gap in following:
                if not best or gap < best:
                    best = gap
                break
        if best == 1:
            break
    return best


def rank(scorer: Scorer, found: Evaluation, visible: set[int], limit: int,
          sort: str) -> list[tuple[int, float]]:
    """Return the first ``limit`` (document, score) of ``visible``, as the index ranks them.

    Pinned documents first, then by score plus the proximity bonus, which the best
    ``proximity_pool`` documents and as many of those holding every word are looked at for.
    """
    scores = found.scores
    if sort == "changed":
        docs = scorer.view.table.docs
        best = heapq.nsmallest(limit, visible, key=lambda d: (-docs[d].mtime, d))
        return [(d, scores.get(d, 0.0)) for d in best]
    candidates = [(d, s) for d, s in scores.items() if d in visible]
    if len(candidates) < limit:   # filters left fewer scored documents than asked for
        seen = {d for d, _ in candidates}
        candidates += [(d, 0.0) for d in sorted(visible - seen)[: limit - len(candidates)]]
    size = max(limit, scorer.weights.proximity_pool)
    score = itemgetter(1)
    pool = heapq.nlargest(size, candidates, key=score)
    seen = {d for d, _ in pool}
    pool += heapq.nlargest(size, [(d, s) for d, s in candidates if d in found.complete and d not in seen],
                           key=score)
    bonus = scorer.proximity(found.order, [d for d, _ in pool], found.present)
    first = {d: rank for rank, d in enumerate(found.pinned)}
    reranked = sorted(((d, s + bonus.get(d, 0.0)) for d, s in pool),
                      key=lambda kv: (first.get(kv[0], len(first)), -kv[1], kv[0]))
    return reranked[:limit]


def hit(view: View, number: int, score: float, is_hit: IsHit | None) -> Hit:
    """Return document ``number`` as a search result, its snippet highlighted by ``is_hit``."""
    doc = view.table.docs[number]
    return Hit(id=doc.doc_id, path=doc.rel, title=doc.title,
               tier=doc.tier if doc.tier in TIERS else None, kind=doc.kind, status=doc.status,
               score=score, snippet=best_snippet(view, number, is_hit), mtime=doc.mtime)


def best_snippet(view: View, number: int, is_hit: IsHit | None) -> str:
    """Return the snippet of the body, or of the code blocks when they hold more query words
    (a pasted command or log line is often only in a code block), as the index's results do."""
    snippet = make_snippet(view.text(number, "body"), is_hit)
    code = view.text(number, "code") if is_hit is not None else ""
    if code:
        from_code = make_snippet(code, is_hit)
        if len(_bold_words(from_code)) > len(_bold_words(snippet)):
            return from_code
    return snippet


def suggestion(text: str, replaced: dict[str, str]) -> str | None:
    """Return the query with its corrected words replaced (*Did you mean*), or None."""
    if not replaced:
        return None
    return re.sub(r"\w+", lambda m: replaced.get(m.group(0), m.group(0)), text)


def _bold_words(snippet: str) -> set[str]:
    return {word.lower() for word in _BOLD.findall(snippet)}


def tag_facets(view: View, visible: set[int]) -> dict[str, int]:
    """Return the commonest tags of the ``visible`` documents with their counts."""
    docs = view.table.docs
    counts = Counter(tag for d in visible for tag in docs[d].tags)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TAG_FACETS])


def count(values: Iterable[str]) -> dict[str, int]:
    """Return how often each non-empty value occurs, sorted by value (a facet)."""
    return {str(k): v for k, v in sorted(Counter(values).items()) if k}
