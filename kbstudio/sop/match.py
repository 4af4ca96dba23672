"""Find the SOP to follow when an article did not solve the problem ("Didn't work? Escalate")."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from whoosh.lang.porter import stem

from kbstudio.md_structure import parse_structure
from kbstudio.model import Document, DocumentFields, tier_rank
from kbstudio.names import nfc
from kbstudio.reader import full_document
from kbstudio.sop.inline import resolve_link

LINKED_IN_ESCALATION_SECTION = 2000.0
LINKED_ELSEWHERE = 1000.0
MIN_MATCH_SCORE = 5.0  # below this a match rests on one common word or product: no better than none
_ESCALATION_HEADING = re.compile(
    r"doesn.?t solve|didn.?t work|not solved?|escalat|if this|next steps?|still (?:not|broken)|get help",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z][a-z0-9]{2,}")


@dataclass(frozen=True)
class SopMatch:
    """An SOP that may apply to an article, with its score and why."""

    document: DocumentFields
    score: float
    linked: bool
    reasons: tuple[str, ...]


def linked_sops(article: Document, documents: Sequence[DocumentFields]
                ) -> list[tuple[DocumentFields, bool]]:
    """Return the SOPs the article links to, in order, and whether each link is in an escalation section."""
    by_path = {nfc(document.rel_path): document for document in documents if document.kind == "sop"}
    found: dict[str, tuple[DocumentFields, bool]] = {}
    structure = parse_structure(article.body)
    headings = structure.headings   # from the shared structure pass: none inside code
    position, in_escalation = 0, False
    for link in structure.links:
        while position < len(headings) and headings[position].index <= link.index:
            in_escalation = bool(_ESCALATION_HEADING.search(headings[position].text))
            position += 1
        if link.image:
            continue
        rel = resolve_link(article.rel_path, link.target)
        document = by_path.get(nfc(rel or ""))
        if document is None or document.rel_path == article.rel_path:
            continue
        if document.rel_path not in found or (in_escalation and not found[document.rel_path][1]):
            found[document.rel_path] = (document, in_escalation)
    return list(found.values())


def _weights(values: list[list[str]]) -> dict[str, float]:
    """Return a weight per value: rare values among SOPs count more than ones every SOP has."""
    counts: dict[str, int] = {}
    for items in values:
        for item in set(items):
            counts[item] = counts.get(item, 0) + 1
    total = max(len(values), 1)
    return {item: math.log(1 + total / count) for item, count in counts.items()}


def _stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(nfc(text).lower())}


def _norm(items: list[str]) -> list[str]:
    return [re.sub(r"[\s_]+", "-", item.strip().lower()).removesuffix("s") for item in items if item.strip()]


def rank_sops_for_article(article: Document, documents: Sequence[DocumentFields], limit: int = 5
                          ) -> list[SopMatch]:
    """Return the SOPs that may apply to ``article``, best first: linked, then by tags, products, tier.

    ``documents`` may be ``DocumentInfo``: the SOPs' texts are read from disk when their words count.
    """
    sops = [document for document in documents
            if document.kind == "sop" and document.status != "archived" and document.readable]
    matches: dict[str, SopMatch] = {}
    for position, (document, in_escalation) in enumerate(linked_sops(article, sops)):
        base = LINKED_IN_ESCALATION_SECTION if in_escalation else LINKED_ELSEWHERE
        where = "in its escalation section" if in_escalation else "in its text"
        reason = f"linked from the article {where}"
        matches[document.rel_path] = SopMatch(document, base - position, True, (reason,))
    if len(matches) >= limit:
        # A linked SOP scores in the thousands and a match by tags or words never does, so
        # weighing every SOP's words (the slow part, run each time an article opens) can't
        # change the answer.
        return sorted(matches.values(), key=lambda match: (-match.score, match.document.rel_path))[:limit]
    tag_weights = _weights([_norm(sop.tags) for sop in sops])
    product_weights = _weights([_norm(sop.products) for sop in sops])
    sop_words = {sop.rel_path: _stems(f"{sop.title} {full_document(sop).body}") for sop in sops}
    word_weights = _weights([sorted(words) for words in sop_words.values()])
    article_tags, article_products = set(_norm(article.tags)), set(_norm(article.products))
    article_words = _stems(" ".join(article.tags))
    article_rank = tier_rank(article.tier)
    for sop in sops:
        if sop.rel_path in matches or sop.rel_path == article.rel_path:
            continue
        sop_rank = tier_rank(sop.tier)
        if article_rank >= 0 and sop_rank > article_rank:
            continue
        tags = sorted(article_tags & set(_norm(sop.tags)))
        products = sorted(article_products & set(_norm(sop.products)))
        words = sorted(word for word in article_words & sop_words[sop.rel_path]
                       if word_weights[word] > math.log(3))  # words in half the SOPs or more say nothing
        score = (3 * sum(tag_weights[tag] for tag in tags) + sum(product_weights[item] for item in products)
                 + sum(word_weights[word] for word in words))
        if score < MIN_MATCH_SCORE:
            continue
        reasons = [f"tags: {', '.join(tags)}"] if tags else []
        reasons += [f"products: {', '.join(products)}"] if products else []
        reasons += [f"words: {', '.join(words)}"] if words else []
        if article_rank >= 0 and sop_rank >= 0:
            score += 1.0 - 0.25 * (article_rank - sop_rank)  # prefer the SOP for the article's own tier
        matches[sop.rel_path] = SopMatch(sop, score, False, tuple(reasons))
    ranked = sorted(matches.values(), key=lambda match: (-match.score, match.document.rel_path))
    return ranked[:limit]


def sop_for_article(article: Document, documents: Sequence[DocumentFields]) -> DocumentFields | None:
    """Return the SOP to follow when ``article`` did not solve the problem, or None."""
    ranked = rank_sops_for_article(article, documents, limit=1)
    return ranked[0].document if ranked else None
