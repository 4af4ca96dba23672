"""Search one KB's index: ranked results, snippets, facets, typo suggestions."""

from __future__ import annotations

import heapq
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from whoosh.searching import Searcher

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.query import Item, ParsedQuery, parse_query
from kbstudio.index.ranker import IndexView, Ranker, RankWeights
from kbstudio.index.snippets import IsHit, hit_test, make_snippet
from kbstudio.index.store import LiveIndex
from kbstudio.index.synonyms import SynonymTable
from kbstudio.model import TIERS
from kbstudio.names import fold_accents, id_search_key, nfc, title_key

FACET_FIELDS = ("tier", "kind", "status")
MAX_TAG_FACETS = 500
_SPELLABLE = re.compile(r"^[a-zA-Z]{4,24}$")
MAX_TYPO_LENGTH = 12
MAX_TYPO_KNOWN = 2  # a "word" found in this few documents may be a typo shared by them
MAX_TYPED_WORDS = 8
MAX_HIGHLIGHTS = 8
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
_BOLD = re.compile(r"<b>(.*?)</b>")


@dataclass
class Hit:
    """One search result."""

    id: str
    path: str
    title: str
    tier: str | None
    kind: str
    status: str
    score: float
    snippet: str
    mtime: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        data = asdict(self)
        data.pop("mtime")
        data["score"] = round(self.score, 4)
        return data


@dataclass
class SearchResponse:
    """Everything one search returns."""

    query: str
    total: int
    took_ms: float
    suggestion: str | None
    facets: dict[str, dict[str, int]]
    results: list[Hit]
    hidden_by_tier: int = 0
    tag_facets: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the response in the documented JSON shape."""
        return {
            "query": self.query,
            "total": self.total,
            "took_ms": round(self.took_ms, 2),
            "suggestion": self.suggestion,
            "facets": self.facets,
            "results": [hit.to_json() for hit in self.results],
        }


@dataclass(frozen=True)
class SearchOptions:
    """Filters and sorting chosen outside the query text (UI controls, CLI flags)."""

    tiers: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    limit: int = 10
    sort: str = "relevance"  # or "changed"


@dataclass
class _Evaluation:
    """What evaluating a query found."""

    matched: set[int] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    present: dict[str, Any] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    complete: set[int] = field(default_factory=set)  # documents with every word of a group


@dataclass
class _Slot:
    """One query word: its stems (with typo alternatives) and its scores."""

    word: str
    stems: list[str]
    scores: dict[int, float]   # by document, all fields
    titles: dict[int, float]   # the title's share of ``scores``
    position: int = -1  # index of the word among its group's plain words; -1 in a phrase


class KBSearcher:
    """A searcher over one live index; call ``refresh`` after the index changes."""

    def __init__(self, live: LiveIndex, weights: RankWeights | None = None,
                 synonyms: Callable[[], SynonymTable] | None = None) -> None:
        """``synonyms`` returns the KB's current synonym table (read when a query runs)."""
        self.live = live
        self.weights = weights or RankWeights()
        self.synonyms: Callable[[], SynonymTable] = synonyms or SynonymTable
        self.analyzer = SupportAnalyzer(stem=True)
        self._searcher: Searcher = live.index.searcher()
        self._segments: dict[Any, Any] = {}
        self._view = IndexView(self._searcher, self._segments)
        self._ranker = Ranker(self._view, self.weights)
        self._corrected: dict[str, str | None] = {}

    def refresh(self) -> None:
        """Pick up changes committed since the searcher was opened."""
        fresh = self._searcher.refresh()
        if fresh is not self._searcher:
            self._searcher = fresh
            self._view = IndexView(fresh, self._segments)
            self._ranker = Ranker(self._view, self.weights)
            self._corrected = {}

    def close(self) -> None:
        """Release the searcher and its index."""
        self._searcher.close()
        self.live.close()

    @property
    def doc_count(self) -> int:
        """Return the number of indexed documents."""
        return self._searcher.doc_count()

    def stems(self, text: str) -> list[str]:
        """Return the index tokens of ``text``."""
        return [token.text for token in self.analyzer(text)]

    # Typo tolerance -------------------------------------------------------------------------

    def _corrections(self, word: str) -> list[str]:
        """Return likely corrections of ``word`` from the index's own words, best first."""
        found = {c: (1, self._usage(c)) for c in self._view.one_edit_words(word) if c != word}
        if not found:  # two edits: Whoosh's automaton, slower, and rarely needed
            for leaf, _ in self._view.leaves:
                for candidate in leaf.terms_within("spell", word, 2, prefix=2):
                    if candidate != word and candidate not in found:
                        found[candidate] = (2, self._usage(candidate))
        return sorted(found, key=lambda c: (found[c][0], -found[c][1]))[:2]

    def _correct(self, word: str) -> str | None:
        """Return the correction of a misspelled word, or None when it looks right."""
        if not _SPELLABLE.match(word):
            return None
        lowered = word.lower()
        if lowered in self._corrected:
            return self._corrected[lowered]
        fix = self._find_correction(lowered)
        self._corrected[lowered] = fix
        return fix

    def _find_correction(self, lowered: str) -> str | None:
        stems = self.stems(lowered)
        if not stems:
            return None
        known = self._view.doc_frequency("body", stems[0]) + self._view.doc_frequency("title", stems[0])
        if known > MAX_TYPO_KNOWN or (known and len(lowered) > MAX_TYPO_LENGTH):
            return None  # long rare words are product and API names, not typos
        fixes = self._corrections(lowered)
        if not fixes:
            return None
        if known and self._usage(fixes[0]) < 20 * known:
            return None
        return fixes[0]

    def _usage(self, word: str) -> int:
        """Return in how many documents a (correctly spelled) word appears."""
        stems = self.stems(word)
        if not stems:
            return 0
        return self._view.doc_frequency("body", stems[0]) + self._view.doc_frequency("title", stems[0])

    # Evaluation -----------------------------------------------------------------------------

    def _accent_variants(self, word: str, stems: list[str]) -> list[str]:
        """Return the indexed words that ``word`` matches once accents are folded, either way.

        ``resume`` finds ``résumé`` and ``résumé`` finds ``resume``, though Porter stems the plain
        and the accented spellings differently: the word is folded before stemming as well as after.
        """
        found: set[str] = set()
        for stem in stems:
            found |= self._view.accent_variants(stem)
        found |= self._view.accent_variants(word.lower())
        if not word.isascii():
            found.update(self.stems(fold_accents(word)))
        return sorted(found - set(stems))

    def _slots(self, item: Item, replaced: dict[str, str], pasted: bool,
               first: int | None, highlights: list[str]) -> list[_Slot]:
        """Return the slots of an item's words; ``first`` is the position of its first plain word.

        Accent variants found are added to ``highlights``.
        """
        slots = []
        for number, word in enumerate(query_words(item.text)):
            stems = self.stems(word)
            if not stems:
                continue
            variants = self._accent_variants(word, stems)
            stems += variants
            highlights += variants
            fix = None if item.phrase or item.negated or pasted or variants else self._correct(word)
            if fix:
                replaced[word] = fix
                stems = stems + [s for s in self.stems(fix) if s not in stems]
            position = -1 if first is None else first + number
            found = self._ranker.cached_slot_scores(stems, word)
            slots.append(_Slot(word, stems, found.all, found.title, position))
        return slots

    def _with_synonyms(self, slots: list[_Slot], words: list[str], found: list[str]) -> list[_Slot]:
        """Return ``slots`` where each team synonym term of ``words`` is one slot for the group.

        A document scores for the term by its best form: the words as typed, or any other term
        of the group (a term of several words only where it stands as a phrase, the sum of its
        words' scores). The other terms' words are added to ``found`` for highlighting.
        """
        table = self.synonyms()
        if table.is_empty or not words:
            return slots
        for match in table.find(words):
            covered = [slot for slot in slots if match.start <= slot.position < match.end]
            if not covered:
                continue
            merged: dict[int, float] = {}
            for slot in covered:  # the words as typed, as ordinary words would count
                for doc, value in slot.scores.items():
                    merged[doc] = merged.get(doc, 0.0) + value
            stems = [stem for slot in covered for stem in slot.stems]
            for alternative in match.alternatives:
                tables = [self._ranker.cached_slot_scores(self.stems(word), word).all
                          for word in alternative if self.stems(word)]
                if not tables:
                    continue
                found.append(" ".join(alternative))
                words_stems = [stem for word in alternative for stem in self.stems(word)]
                stems += words_stems
                scores = _sum_all(tables)
                if len(words_stems) > 1:  # a term of several words is a phrase
                    scores = {d: scores[d] for d in self._ranker.phrase_docs(words_stems, set(scores))}
                for doc, value in scores.items():
                    if value > merged.get(doc, 0.0):
                        merged[doc] = value
            # a term's score may come from any form's fields: it is not split by field
            joined = _Slot(" ".join(words[match.start:match.end]), stems, merged, {}, covered[0].position)
            at = slots.index(covered[0])
            slots = [slot for slot in slots if slot not in covered]
            slots.insert(at, joined)
        return slots

    def _item_docs(self, item: Item, slots: list[_Slot]) -> set[int]:
        """Return the documents an item requires: a phrase, or every word of it."""
        docs: set[int] | None = None
        for slot in slots:
            docs = set(slot.scores) if docs is None else docs & slot.scores.keys()
        stems = [slot.stems[0] for slot in slots]
        if item.phrase and len(stems) > 1 and docs:
            return self._ranker.phrase_docs(stems, docs)
        return docs or set()

    def _evaluate(self, parsed: ParsedQuery, replaced: dict[str, str]) -> _Evaluation:
        """Return every matching document, base scores of the ones that can rank, query stems."""
        result = _Evaluation()
        excluded: set[int] = set()
        words = sum(len(query_words(item.text)) for item in parsed.items)
        pasted = words > MAX_TYPED_WORDS  # copied text has no typos worth the cost of fixing
        for group, strict in zip(parsed.groups, parsed.strict, strict=False):
            slots: list[_Slot] = []
            plain_words: list[str] = []
            required: set[int] | None = None
            for item in group:
                first = None
                if not item.phrase and not item.negated:
                    first = len(plain_words)
                    plain_words += query_words(item.text)
                item_slots = self._slots(item, replaced, pasted, first, result.synonyms)
                if not item_slots:
                    continue
                if item.negated:
                    excluded |= self._item_docs(item, item_slots)
                    continue
                result.order.extend(slot.stems[0] for slot in item_slots)
                if item.phrase or strict:
                    docs = self._item_docs(item, item_slots)
                    required = docs if required is None else required & docs
                slots.extend(item_slots)
            if not slots:
                continue
            for slot in slots:  # each typed word's own documents, for proximity
                result.present.setdefault(slot.stems[0], slot.scores.keys())
            slots = self._with_synonyms(slots, plain_words, result.synonyms)
            if required is not None:
                matching = required
            else:
                matching = set().union(*(slot.scores.keys() for slot in slots))
            result.matched |= matching
            tables = [(slot.scores, slot.titles) for slot in slots]
            scored = self._candidates(tables, matching) if required is None else matching
            for doc, score in self._group_scores(tables, scored).items():
                result.scores[doc] = result.scores.get(doc, 0.0) + score
            by_size = sorted((table for table, _ in tables), key=len)
            result.complete |= set(by_size[0]).intersection(*by_size[1:]) & scored
        if not result.matched and parsed.filters and not any(not i.negated for i in parsed.items):
            result.matched = set(range(self._view.reader.doc_count_all()))
        result.matched -= excluded | self._view.deleted
        return result

    def _group_scores(self, tables: list[tuple[dict[int, float], dict[int, float]]],
                      docs: Iterable[int]) -> dict[int, float]:
        """Return the score of each of ``docs`` for one OR-group of words (see ``_evaluate``)."""
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

    def _candidates(self, tables: list[tuple[dict[int, float], dict[int, float]]],
                    matching: set[int]) -> set[int]:
        """Return the documents worth scoring fully, in the spirit of MaxScore (Turtle and Flood 1995).

        Past ``MAX_SCORED`` matching documents, a document can only reach the top by holding the
        query's rarer words or every word: the candidates are the documents with every word,
        then those of the rarest words while they fit in ``MAX_SCORED``. The others count in
        totals and facets unscored.
        """
        if len(matching) <= MAX_SCORED:
            return matching
        by_size = sorted((table for table, _ in tables), key=len)
        candidates = set(by_size[0]).intersection(*by_size[1:])
        for table in by_size:
            if len(candidates) + len(table) > MAX_SCORED:
                break
            candidates.update(table)
        return candidates if len(candidates) >= self.weights.proximity_pool else matching

    def _pin(self, text: str, found: _Evaluation) -> None:
        """Put the document a query names first: its id (``kb-0002``, ``SOP-3``) or its exact title.

        Typing or pasting an id or a title is asking for that document, whatever its words score.
        """
        wanted = " ".join(_DASHES.sub("-", text).split())
        keys = [("title_key", title_key(wanted))]
        if len(wanted) <= MAX_ID_LENGTH:
            keys.insert(0, ("id_key", id_search_key(wanted.strip(_ID_TRIM))))
        # ids named inside a query ("see KB-0002", "(SOP-3),", "KB-0002 unlock")
        keys[1:1] = [("id_key", id_search_key(m.group(0))) for m in _ID_IN_TEXT.finditer(wanted)][:MAX_IDS]
        pinned: list[int] = []
        for name, key in keys:
            if key:
                pinned += sorted(self._view.docset(name, key) - self._view.deleted - set(pinned))
        if not pinned:
            return
        top = max(found.scores.values(), default=1.0)
        for doc in pinned:
            found.scores[doc] = max(found.scores.get(doc, 0.0), top)
        found.matched.update(pinned)
        found.pinned = pinned

    def _field_filter(self, fields: dict[str, list[str]]) -> set[int] | None:
        keep: set[int] | None = None
        for name, values in fields.items():
            docs: set[int] = set()
            for value in values:
                docs |= self._view.docset(name, value)
            keep = docs if keep is None else keep & docs
        return keep

    def search(self, text: str, options: SearchOptions | None = None) -> SearchResponse:
        """Run ``text`` with ``options``; never raises for any query text."""
        started = time.perf_counter()
        options = options or SearchOptions()
        typed, text = text, nfc(text or "")   # words are indexed in NFC (see analysis.py)
        parsed = parse_query(text)
        if parsed.is_empty:
            return SearchResponse(typed, 0, (time.perf_counter() - started) * 1000, None,
                                  {name: {} for name in FACET_FIELDS}, [])
        replaced: dict[str, str] = {}
        found = self._evaluate(parsed, replaced)
        if not found.matched and any(item.phrase for item in parsed.items):
            # Pasted messages are full of quotes that are not meant as phrases: rather than
            # show nothing, search the quoted words as ordinary words.
            found = self._evaluate(parsed.softened(), replaced)
        self._pin(text, found)
        matched = found.matched
        fields = {name: list(values) for name, values in parsed.filters.items()}
        if options.kinds:
            fields.setdefault("kind", []).extend(options.kinds)
        if options.statuses:
            fields.setdefault("status", []).extend(options.statuses)
        keep = self._field_filter(fields)
        if keep is not None:
            matched &= keep
        if parsed.excluded:
            matched -= set().union(*(self._view.docset(n, v) for n, vs in parsed.excluded.items()
                                     for v in vs))
        tiers = self._view.columns["tier"]
        hidden: set[int] = set()
        if options.tiers:
            allowed = set(options.tiers)
            # a document asked for by id or title is shown whatever the tier view
            hidden = {d for d in matched if tiers[d] not in allowed} - set(found.pinned)
        facets = {name: _count(self._view.columns[name], matched) for name in FACET_FIELDS}
        visible = matched - hidden
        limit = max(1, min(options.limit, 1000))
        ranked = self._rank(found, visible, limit, options.sort)
        words = [w for item in parsed.items if not item.negated for w in query_words(item.text)]
        words += list(replaced.values()) + [w for w in found.synonyms if " " not in w]
        stems, shown = self._highlight_terms(words)
        # a synonym of several words is highlighted where it stands whole, not word by word
        is_hit = hit_test(stems, shown | {w for w in found.synonyms if " " in w})
        return SearchResponse(
            query=typed,
            total=len(visible),
            took_ms=(time.perf_counter() - started) * 1000,
            suggestion=_suggestion(text, replaced),
            facets=facets,
            results=[self._hit(doc, score, is_hit) for doc, score in ranked],
            hidden_by_tier=len(hidden),
            tag_facets=self._tag_facets(visible),
        )

    def _rank(self, found: _Evaluation, visible: set[int], limit: int,
              sort: str) -> list[tuple[int, float]]:
        scores = found.scores
        if sort == "changed":
            mtimes = self._view.columns["mtime"]
            best = heapq.nlargest(limit, visible, key=mtimes.__getitem__)
            return [(d, scores.get(d, 0.0)) for d in best]
        candidates = [(d, s) for d, s in scores.items() if d in visible]
        # pinned documents are scored at the top, so the pool below always holds them
        if len(candidates) < limit:  # filters left fewer scored documents than asked for
            seen = {d for d, _ in candidates}
            candidates += [(d, 0.0) for d in sorted(visible - seen)[: limit - len(candidates)]]
        size = max(limit, self.weights.proximity_pool)
        pool = heapq.nlargest(size, candidates, key=lambda kv: kv[1])
        # Documents with every query word are where a copied sentence can stand whole, however
        # long they are and however common its words: the best of them are looked at too.
        seen = {d for d, _ in pool}
        complete = [(d, s) for d, s in candidates if d in found.complete and d not in seen]
        pool += heapq.nlargest(size, complete, key=lambda kv: kv[1])
        bonus = self._ranker.proximity(found.order, [d for d, _ in pool], found.present)
        first = {d: rank for rank, d in enumerate(found.pinned)}
        reranked = sorted(((d, s + bonus.get(d, 0.0)) for d, s in pool),
                          key=lambda kv: (first.get(kv[0], len(first)), -kv[1]))
        return reranked[:limit]

    def _highlight_terms(self, words: list[str]) -> tuple[set[str], set[str]]:
        """Return the stems and words to highlight: the rarest few, which say the most."""
        pairs = {(stem, word.lower()) for word in words for stem in self.stems(word)}
        rarest = sorted(pairs, key=lambda p: self._view.doc_frequency("body", p[0]))[:MAX_HIGHLIGHTS]
        return {stem for stem, _ in rarest}, {word for _, word in rarest}

    def _tag_facets(self, visible: set[int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for tag in list(self._view.reader.field_terms("tags"))[:MAX_TAG_FACETS]:
            count = sum(1 for d in self._view.docset("tags", tag) if d in visible)
            if count:
                counts[tag] = count
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20])

    def _hit(self, docnum: int, score: float, is_hit: IsHit | None) -> Hit:
        stored = self._searcher.stored_fields(docnum)
        tier = stored.get("tier")
        return Hit(
            id=stored.get("doc_id") or "",
            path=stored["path"],
            title=stored.get("title") or "",
            tier=tier if tier in TIERS else None,
            kind=stored.get("kind") or "article",
            status=stored.get("status") or "draft",
            score=score,
            snippet=_best_snippet(stored.get("body") or "", stored.get("code") or "", is_hit),
            mtime=float(self._view.columns["mtime"][docnum] or 0),
        )


def _best_snippet(body: str, code: str, is_hit: IsHit | None) -> str:
    """Return the snippet of the body, or of the code blocks when they hold more query words.

    A pasted command or log line is often only in a code block: the snippet then shows it.
    """
    snippet = make_snippet(body, is_hit)
    if not code or is_hit is None:
        return snippet
    from_code = make_snippet(code, is_hit)
    if len(_bold_words(from_code)) > len(_bold_words(snippet)):
        return from_code
    return snippet


def _bold_words(snippet: str) -> set[str]:
    return {word.lower() for word in _BOLD.findall(snippet)}


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


def _count(column: list[Any], docs: set[int]) -> dict[str, int]:
    counts = Counter(map(column.__getitem__, docs))
    return {str(k): v for k, v in sorted(counts.items()) if k}


def _suggestion(text: str, replaced: dict[str, str]) -> str | None:
    if not replaced:
        return None
    return re.sub(r"\w+", lambda m: replaced.get(m.group(0), m.group(0)), text)
