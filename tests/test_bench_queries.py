"""The search-quality bench's own logic: query generator, evaluator and baselines (issue #14).

A tiny corpus written here stands in for the real one, so these run without it.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench import make_queries as mq
from bench.baselines import Fts5Index, GrepCount, TantivyIndex, TutorialWhoosh, tantivy_available
from bench.search_quality import accepted, parse_weights, rank_of, summarise
from kbstudio.kb import KnowledgeBase
from tests.conftest import write

OUTLOOK = """---
title: Outlook doesn't open the user's shared calendar
description: Describes an issue in which Outlook shows a blank shared calendar for delegates.
---

# Outlook doesn't open a shared calendar

## Symptoms

When you open a shared calendar in Outlook, the calendar view stays blank. The delegate sees
an empty grid instead of the **manager's appointments** for the whole week. Nothing happens.

## Cause

This issue occurs because the [delegate permissions](https://example.com/perm) are stored in the
`FreeBusy Data` folder of the manager's mailbox.

In the log, you see the following entry:

```output
Error 0x80070005: The delegate cannot read the FreeBusy Data folder of this mailbox.
```

## Resolution

> An unexpected error has occurred.
"""

SHAREPOINT = """---
title: SharePoint list attachment can't be saved
description: Something went wrong when you attach a file with the same name to a list item.
---

## Symptoms

You attach a file to a SharePoint list item and select Save, then nothing happens at all.

## Cause

This issue occurs because the attachment name is still reserved by the deleted attachment
for one hour.

## More information

> An unexpected error has occurred.
"""

TWIN = """---
title: SharePoint list attachment can't be saved
---

A copy of the article under another path, as real corpora have.
"""


@pytest.fixture
def corpus(tmp_path: Path) -> mq.Corpus:
    """Return the generator's view of a three-article corpus."""
    write(tmp_path, "Outlook/shared-calendar.md", OUTLOOK)
    write(tmp_path, "SharePoint/list-attachment.md", SHAREPOINT)
    write(tmp_path, "SharePoint/list-attachment-copy.md", TWIN)
    return mq.Corpus(mq.load_articles(tmp_path))


def test_plain_is_what_a_reader_copies() -> None:
    markdown = "See **Save** in [the list](https://x/y(1)) with `Get-Mailbox` ![shot](a.png) and *this*."
    assert mq.plain(markdown) == "See Save in the list with Get-Mailbox and this."


def test_blocks_follow_sections_and_code_fences(corpus: mq.Corpus) -> None:
    article = next(a for a in corpus.articles if a.path == "Outlook/shared-calendar.md")
    kinds = {(b.section, b.kind) for b in article.blocks if b.kind != "heading"}
    assert ("symptoms", "prose") in kinds and ("cause", "code") in kinds and ("resolution", "quote") in kinds
    assert "freebusy data folder of the manager's mailbox" in article.reading


def test_symptom_sentences_skip_the_first_symptoms_sentence(corpus: mq.Corpus) -> None:
    article = next(a for a in corpus.articles if a.path == "Outlook/shared-calendar.md")
    sources = mq.symptom_sources(article)
    assert sources["symptoms"] == [
        "The delegate sees an empty grid instead of the manager's appointments for the whole week."]
    assert all("calendar view stays blank" not in s for found in sources.values() for s in found)
    assert sources["cause"][0].startswith("This issue occurs because the delegate permissions are")


def test_error_lines_come_from_outside_symptoms(corpus: mq.Corpus) -> None:
    article = next(a for a in corpus.articles if a.path == "Outlook/shared-calendar.md")
    found = mq.error_candidates(article)
    assert found == {
        "Error 0x80070005: The delegate cannot read the FreeBusy Data folder of this mailbox.": "code",
        "An unexpected error has occurred.": "quote"}


def test_accepted_holds_every_article_with_the_text(corpus: mq.Corpus) -> None:
    assert corpus.containing("an  UNEXPECTED error has occurred.") == [
        "Outlook/shared-calendar.md", "SharePoint/list-attachment.md"]
    sharepoint = next(a for a in corpus.articles if a.path == "SharePoint/list-attachment.md")
    assert corpus.same_title(sharepoint) == ["SharePoint/list-attachment.md",
                                             "SharePoint/list-attachment-copy.md"]


def test_title_words_keep_contraction_fragments() -> None:
    assert mq.title_words("Outlook doesn't open the user's shared calendar") == [
        "outlook", "doesn", "t", "open", "user", "s", "shared", "calendar"]


def edits(a: str, b: str) -> int:
    """Return the optimal-string-alignment distance (an adjacent swap is one edit)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_a_typo_is_one_edit() -> None:
    rng = random.Random(1)
    for word in ("calendar", "outlook", "sharepoint", "mailbox", "attachment"):
        for _ in range(50):
            assert edits(word, mq.typo(word, rng)) == 1


def test_generation_is_reproducible_and_consistent(corpus: mq.Corpus) -> None:
    rows = mq.generate(corpus, per_kind=2, seed=3)
    assert rows == mq.generate(corpus, per_kind=2, seed=3)
    assert {r["kind"] for r in rows} == set(mq.KINDS)
    for row in rows:
        assert row["accepted"][0] == row["expected"]
        if row["kind"] in ("error", "symptom"):
            assert row["accepted"] == sorted(corpus.containing(str(row["query"])),
                                             key=lambda p: p != row["expected"])
    json.dumps(rows)


def test_rank_counts_any_accepted_path() -> None:
    row = {"query": "q", "kind": "error", "expected": "a.md", "accepted": ["a.md", "b.md"]}
    assert rank_of(["x.md", "b.md", "a.md"], row) == 2
    assert rank_of(["x.md"] * 10 + ["a.md"], row) is None
    assert accepted({"query": "q", "kind": "typo", "expected": "a.md"}) == ["a.md"]


def test_summary_metrics() -> None:
    queries = [{"kind": "error"}, {"kind": "error"}, {"kind": "typo"}, {"kind": "typo"}]
    metrics = summarise(queries, [1, None, 2, 10])
    assert metrics["error"] == {"n": 2, "mrr": 0.5, "s1": 0.5, "s5": 0.5}
    assert metrics["typo"]["mrr"] == pytest.approx(0.3) and metrics["typo"]["s5"] == 0.5
    assert metrics["all"]["n"] == 4


def test_weights_overrides_name_unknown_fields() -> None:
    assert parse_weights('{"title": 4.0}').title == 4.0
    with pytest.raises(ValueError, match="unknown RankWeights field.*no_such_knob"):
        parse_weights('{"no_such_knob": 1}')
    with pytest.raises(ValueError):
        parse_weights("[1, 2]")


NASTY = ['AND OR NOT "unbalanced ( [ * ? title:x ^2 ~ -foo', "", "  ", "\\", '"', "a*b?c", "NOT",
         "x" * 300, "Get-Mailbox | Where {$_.Name -eq 'a'}", "5.7.60 (0x80070005) <Data>"]


def test_baselines_take_any_text(tmp_path: Path) -> None:
    write(tmp_path, "a.md", OUTLOOK)
    write(tmp_path, "b.md", SHAREPOINT)
    documents = KnowledgeBase(tmp_path).load_all()
    searches = [Fts5Index(documents, tuned=True).paths, TutorialWhoosh(documents, tmp_path / "w").search,
                GrepCount(documents).search]
    if tantivy_available():
        searches.append(TantivyIndex(documents).search)
    for search in searches:
        for text in NASTY:
            assert isinstance(search(text), list)
        assert search("shared calendar delegate")[0] == "a.md"
