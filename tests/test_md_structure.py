"""The one structural pass over Markdown (kbstudio.md_structure) and the consumers that read it.

Lint, the index, the SOP parser and the SOP matcher used to have their own heading, fence and link
regexes, and disagreed on tricky documents. They now read ``parse_structure``; the first test
proves they give the same headings and links for one document that trips every old regex.
Expected values follow CommonMark 0.31 / GFM as cmark-gfm renders them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbstudio import md_structure as ms
from kbstudio.index.text import split_sections
from kbstudio.kb import KnowledgeBase
from kbstudio.lint.page import parse_page
from kbstudio.md_structure import Heading, parse_structure
from kbstudio.model import first_h1
from kbstudio.sop import linked_sops, parse_sop
from kbstudio.sop.parser import _split_sections
from tests.conftest import write

TRICKY = """---
id: SOP-0900
title: Tricky structure
kind: sop
tier: L1
escalates_to: L2
---
# Tricky structure

#hashtag is a word here, not a heading; so is #5 in "#5 bolts".
Text with `[in code](code.md)` and a [real link](real.md).

## Scope

1. Step with a fence at the item's three columns:

   ```bash
   # not a heading
   echo "[fenced](fence.md)"
   ```
2. Next step, see ![screen](images/step.png).

Before escalating
-----------------

Run this first:

    # indented code, not a heading

- [ ] Check the cable.

> ### When to escalate
> - It is still broken, see [the runbook](runbook.md).

<img src="images/html.png" alt="HTML image">

:::image type="content" source="images/docfx.png" alt-text="DocFX image":::

## Escalate to ##

- **Tier:** L2 [queue][queue]

[queue]: queues/l2.md
"""
BODY_LINE = 8  # the body starts on file line 8, after the front matter

# (file line, level, text): what cmark-gfm makes of the body. Not headings: the '#' line in the fence
# of the list item, the indented '#' line, '#hashtag' and '#5'. The quoted one and the setext one are.
EXPECTED_HEADINGS = [
    (8, 1, "Tricky structure"),
    (13, 2, "Scope"),
    (23, 2, "Before escalating"),
    (32, 3, "When to escalate"),
    (39, 2, "Escalate to"),
]
# (file line, target, image): not the link in inline code, nor the one in the fence.
EXPECTED_LINKS = [
    (11, "real.md", False),
    (21, "images/step.png", True),
    (33, "runbook.md", False),
    (35, "images/html.png", True),
    (37, "images/docfx.png", True),
    (43, "queues/l2.md", False),
]


@pytest.fixture
def tricky(tmp_path: Path):
    write(tmp_path, "sops/tricky.md", TRICKY)
    document = KnowledgeBase(tmp_path).load(Path("sops/tricky.md"))
    assert document.body_line == BODY_LINE
    return document


def test_lint_index_sop_and_structure_agree_on_a_tricky_document(tricky) -> None:
    structure = parse_structure(tricky.body)
    assert [(BODY_LINE + h.index, h.level, h.text) for h in structure.headings] == EXPECTED_HEADINGS
    assert [(BODY_LINE + link.index, link.target, link.image) for link in structure.links] == EXPECTED_LINKS

    page = parse_page(tricky)
    assert [(h.line, h.level, h.text) for h in page.headings] == EXPECTED_HEADINGS
    assert [(link.line, link.target, link.image) for link in page.links] == EXPECTED_LINKS
    # The fence and the indented code are blanked for the rules; inline code too.
    prose = {BODY_LINE + index: line for index, line in enumerate(page.prose)}
    assert page.lines[18 - BODY_LINE].strip() == "# not a heading" and prose[18].strip() == ""
    assert page.lines[28 - BODY_LINE].strip() == "# indented code, not a heading" and prose[28].strip() == ""
    assert "[in code]" not in prose[11] and "[real link]" in prose[11]
    # A setext heading's section starts after its underline.
    assert [h.content_line for h in page.headings] == [9, 14, 25, 33, 40]

    sections = split_sections(tricky.body)
    assert [heading for heading, _ in sections] == ["", *(text for _, _, text in EXPECTED_HEADINGS)]
    scope, before = dict(sections)["Scope"], dict(sections)["Before escalating"]
    assert "# not a heading" in scope and "#hashtag" in sections[1][1]
    assert before.lstrip("\n").startswith("Run this first:") and "-----" not in before
    assert "# indented code, not a heading" in before

    # Every heading below the title names an SOP section, so the SOP parser cuts at each of them.
    assert [(s.line, s.heading) for s in _split_sections(tricky)] == [
        (line, text) for line, level, text in EXPECTED_HEADINGS if level > 1]
    sop = parse_sop(tricky)
    assert sop.section_lines == {"scope": 13, "checks": 23, "criteria": 32, "target": 39}
    assert [check.text for check in sop.checks] == ["Check the cable."]
    assert sop.target.tier == "L2"


def test_sop_items_inside_a_fence_come_from_the_structure(tmp_path: Path) -> None:
    text = ("---\nid: SOP-0901\nkind: sop\n---\n# T\n\n## Steps\n\n1. Run:\n   ```\n   - not an item\n"
            "   # not a heading\n   ```\n2. Done.\n\n~~~\n- still code\n~~~\n")
    write(tmp_path, "s.md", text)
    sop = parse_sop(KnowledgeBase(tmp_path).load(Path("s.md")))
    assert sop.steps == ["Run:\n   ```\n   - not an item\n   # not a heading\n   ```",
                         "Done.\n~~~\n- still code\n~~~"]


def test_the_sop_matcher_reads_headings_and_links_from_the_structure(tmp_path: Path) -> None:
    sop = "---\nid: SOP-1\nkind: sop\ntitle: S\n---\n# S\n"
    article = ("---\nid: KB-1\ntitle: A\n---\n# A\n\n## Fix\n\n```\n## Escalation\n```\n\n"
               "See [one](sops/one.md).\n\nNext steps\n----------\n\n"
               "- [two](sops/two.md) and `[three](sops/three.md)`\n")
    for name in ("one", "two", "three"):
        write(tmp_path, f"sops/{name}.md", sop)
    write(tmp_path, "a.md", article)
    documents = KnowledgeBase(tmp_path).load_all()
    found = linked_sops(next(d for d in documents if d.rel_path == "a.md"), documents)
    assert [(document.rel_path, in_escalation) for document, in_escalation in found] == [
        ("sops/one.md", False), ("sops/two.md", True)]


def test_a_title_from_the_first_level_one_heading_skips_code() -> None:
    assert first_h1("```sh\n# comment\n```\n\n# Real title\n") == "Real title"
    assert first_h1("Setext title\n============\n\n# Second\n") == "Setext title"
    assert first_h1("# Learn C#\n") == "Learn C#"
    assert first_h1("#hashtag\n    # code\n## Two\n") is None


# --- the structure pass itself, exact values --------------------------------------------------------

def _kinds(body: str) -> list[tuple[str, int, str]]:
    """Return (kind, container depth, text) per line."""
    return [(line.kind, len(line.containers), line.text) for line in parse_structure(body).lines]


@pytest.mark.parametrize(("body", "indent"), [
    ("1.  x\n\n    y\n\n   z\n", 4),    # '1.' plus two spaces: continuation at 4, not 3
    ("- x\n\n  y\n\n z\n", 2),
    ("10. x\n\n    y\n\n   z\n", 4),
])
def test_list_items_continue_at_their_content_column(body: str, indent: int) -> None:
    structure = parse_structure(body)
    assert [c.indent for c in structure.lines[0].containers] == [indent]
    assert _kinds(body) == [("para", 1, "x"), ("blank", 1, ""), ("para", 1, "y"), ("blank", 1, ""),
                            ("para", 0, "z")]
    assert structure.list_items == 1


def test_lazy_continuation_lines() -> None:
    for body in ("> a\nb\n", "- a\nb\n"):
        lines = parse_structure(body).lines
        assert [(line.kind, len(line.containers), line.text, line.lazy) for line in lines] == [
            ("para", 1, "a", False), ("para", 1, "b", True)]
    # A line that starts a block is never lazy; nor is anything after a blank line.
    assert _kinds("> a\n# h\n") == [("para", 1, "a"), ("heading", 0, "# h")]
    assert _kinds("> a\n---\n") == [("para", 1, "a"), ("break", 0, "---")]
    assert _kinds("- a\n\nb\n") == [("para", 1, "a"), ("blank", 1, ""), ("para", 0, "b")]


def test_a_list_interrupts_a_paragraph_only_when_it_may() -> None:
    assert _kinds("para\n2. not\n1. yes\n") == [
        ("para", 0, "para"), ("para", 0, "2. not"), ("para", 1, "yes")]
    assert _kinds("para\n1) yes\n") == [("para", 0, "para"), ("para", 1, "yes")]
    assert _kinds("para\n- yes\n") == [("para", 0, "para"), ("para", 1, "yes")]
    assert _kinds("para\n* \n") == [("para", 0, "para"), ("para", 0, "* ")]        # an empty item may not
    assert _kinds("para\n-\n") == [("setext_text", 0, "para"), ("setext_line", 0, "-")]


@pytest.mark.parametrize("body", ["-\tfoo\n\n\tbar\n", "1.\tfoo\n\n\tbar\n"])
def test_a_tab_after_the_marker_counts_to_the_next_tab_stop(body: str) -> None:
    structure = parse_structure(body)
    assert [c.indent for c in structure.lines[0].containers] == [4]
    assert _kinds(body) == [("para", 1, "foo"), ("blank", 1, ""), ("para", 1, "bar")]


def test_a_fence_in_a_list_in_a_quote() -> None:
    body = "> 1. item\n>    ~~~\n>    # code\n>    ~~~\n> # h\n"
    structure = parse_structure(body)
    assert _kinds(body) == [("para", 2, "item"), ("fence_open", 2, "~~~"), ("fence_code", 2, "# code"),
                            ("fence_close", 2, "~~~"), ("heading", 1, "# h")]
    assert [(c.kind, c.indent) for c in structure.lines[0].containers] == [("quote", 0), ("item", 3)]
    assert structure.code_blocks == [ms.CodeBlock(1, 3, "", "# code\n", True)]
    assert structure.headings == [Heading(4, 1, "h")]


def test_an_item_that_starts_with_an_empty_line() -> None:
    for body in ("-\n  foo\n", "-  \n  foo\n"):
        structure = parse_structure(body)
        assert _kinds(body) == [("blank", 1, ""), ("para", 1, "foo")]
        assert [c.indent for c in structure.lines[0].containers] == [2]
        assert structure.list_items == 1


@pytest.mark.parametrize(("body", "kinds"), [
    ("<script>\n# a\n</script>\n# h\n", ["html", "html", "html", "heading"]),          # 1: to its end tag
    ("<pre>x</pre>\n# h\n", ["html", "heading"]),
    ("<textarea>\n\n# a\n</textarea>\n# h\n", ["html", "html", "html", "html", "heading"]),
    ("<!--\n# a\n-->\n# h\n", ["html", "html", "html", "heading"]),                      # 2
    ("<!-- one line -->\n# h\n", ["html", "heading"]),
    ("<?php\n# a\n?>\n# h\n", ["html", "html", "html", "heading"]),                      # 3
    ("<!DOCTYPE\n# a >\n# h\n", ["html", "html", "heading"]),                            # 4
    ("<![CDATA[\n# a\n]]>\n# h\n", ["html", "html", "html", "heading"]),                 # 5
    ("<div>\n# a\n\n# h\n", ["html", "html", "blank", "heading"]),                       # 6: to a blank line
    ("  <DIV class='x'>\n# a\n\n# h\n", ["html", "html", "blank", "heading"]),
    ("para\n<div>\n# a\n", ["para", "html", "html"]),                                    # 6 interrupts
    ("<User>\n# a\n\n# h\n", ["html", "html", "blank", "heading"]),                      # 7: to a blank line
    ("para\n<User>\n# h\n", ["para", "para", "heading"]),                                # 7 does not
])
def test_html_blocks_of_each_kind_end_where_commonmark_ends_them(body: str, kinds: list[str]) -> None:
    structure = parse_structure(body)
    assert [line.kind for line in structure.lines] == kinds
    assert [h.index for h in structure.headings] == [i for i, kind in enumerate(kinds) if kind == "heading"]


def test_gfm_tables() -> None:
    assert _kinds("a | b\n--- | ---\n1 | 2\n3\n\nafter\n") == [
        ("table_head", 0, "a | b"), ("table_delim", 0, "--- | ---"), ("table_row", 0, "1 | 2"),
        ("table_row", 0, "3"), ("blank", 0, ""), ("para", 0, "after")]
    assert _kinds("| a |\n|:-:|\n| x |\n") == [
        ("table_head", 0, "| a |"), ("table_delim", 0, "|:-:|"), ("table_row", 0, "| x |")]
    # The delimiter row must have as many cells as the header.
    assert _kinds("a | b\n--- | --- | ---\n") == [("para", 0, "a | b"), ("para", 0, "--- | --- | ---")]


def test_nesting_past_max_depth_stays_text() -> None:
    structure = parse_structure("> " * 40 + "x\n")
    assert len(structure.lines[0].containers) == ms.MAX_DEPTH == 32
    assert structure.lines[0].text == "> " * 8 + "x"      # the 8 markers past 32 are text
    assert structure.too_deep
    shallow = parse_structure("> " * 32 + "x\n")
    assert not shallow.too_deep and shallow.lines[0].text == "x"


# --- pathological input: finishes, in a child process with a deadline --------------------------------

_SUMMARY = """
import json, sys
from kbstudio.md_structure import parse_structure
s = parse_structure(eval(sys.argv[1]))
kinds = {}
for line in s.lines:
    kinds[line.kind] = kinds.get(line.kind, 0) + 1
print(json.dumps({"lines": len(s.lines), "kinds": kinds, "headings": len(s.headings), "links": len(s.links),
                  "code": [[c.first, c.last, c.fenced] for c in s.code_blocks], "too_deep": s.too_deep,
                  "items": s.list_items, "depth": max((len(line.containers) for line in s.lines), default=0),
                  "last": s.lines[-1].text[:20] if s.lines else ""}))
"""


def _summary(expression: str, seconds: float = 10.0) -> dict:
    done = subprocess.run([sys.executable, "-c", _SUMMARY, expression], capture_output=True, text=True,
                          timeout=seconds, cwd=Path(__file__).resolve().parent.parent, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize(("expression", "expected"), [
    ("'[a](' * 200000", {"lines": 1, "kinds": {"para": 1}, "headings": 0, "links": 0, "code": [],
                         "too_deep": False, "items": 0, "depth": 0, "last": "[a]([a]([a]([a]([a]("}),
    ("'`' * 500000", {"lines": 1, "kinds": {"fence_open": 1}, "headings": 0, "links": 0,
                      "code": [[0, 0, True]], "too_deep": False, "items": 0, "depth": 0, "last": "`" * 20}),
    ("'[' * 10**6", {"lines": 1, "kinds": {"para": 1}, "headings": 0, "links": 0, "code": [],
                     "too_deep": False, "items": 0, "depth": 0, "last": "[" * 20}),
    # Each line opens an item inside the last: 32 levels, then the markers stay paragraph text.
    ("'\\n'.join('  ' * i + '- x' for i in range(3000))",
     {"lines": 3000, "kinds": {"para": 3000}, "headings": 0, "links": 0, "code": [], "too_deep": True,
      "items": 32, "depth": 32, "last": "- x"}),
    ("'\\n'.join('> ' * i for i in range(1, 1501))",
     {"lines": 1500, "kinds": {"blank": 32, "para": 1468}, "headings": 0, "links": 0, "code": [],
      "too_deep": True, "items": 0, "depth": 32, "last": "> " * 10}),
])
def test_pathological_input_finishes_with_the_right_structure(expression: str, expected: dict) -> None:
    assert _summary(expression) == expected


def test_many_unclosed_tags_finish() -> None:
    assert _summary("'<a ' * 200000") == {"lines": 1, "kinds": {"para": 1}, "headings": 0, "links": 0,
                                          "code": [], "too_deep": False, "items": 0, "depth": 0,
                                          "last": "<a <a <a <a <a <a <a"}


# --- cases checked against cmark-gfm ---------------------------------------------------------------

def _links(body: str) -> list[tuple[int, str, bool]]:
    return [(link.index, link.target, link.image) for link in parse_structure(body).links]


def test_a_label_with_brackets_is_no_reference_definition() -> None:
    assert _links("- [[MS-ASHTTP]: Exchange ActiveSync: HTTP Protocol](/openspecs/x)\n") == [
        (0, "/openspecs/x", False)]


def test_text_after_a_destination_makes_no_reference_definition() -> None:
    assert _links("- [9/1/2011 6:23:51 PM]: Activation of the connector has started.\n") == []
    assert _links("> [Stage DeliverPreDelivery]:StoreDriverRules; Message is deleted by mailboxrules\n") == []


def test_a_link_that_wraps_is_found() -> None:
    assert [target for _, target, _ in _links("See [the\narticle](other.md) for more.\n")] == ["other.md"]
    assert [target for _, target, _ in _links("Go to [Connect](/office365/connect\n).\n")] == [
        "/office365/connect"]


def test_an_html_image_tag_that_wraps_is_found() -> None:
    assert [(target, image) for _, target, image in _links('<img\n  src="pic.png">\n')] == [("pic.png", True)]


def test_an_image_inside_a_link_is_found() -> None:
    assert _links("[![alt](badge.png)](page.md)\n") == [(0, "badge.png", True), (0, "page.md", False)]


def test_an_escaped_bracket_starts_no_link() -> None:
    assert _links("\\[no](esc.md)\n") == []


def test_a_link_in_a_wrapped_code_span_is_no_link() -> None:
    assert _links("a ``code\n[x](y.md)`` b\n") == []


def test_an_indented_fence_continues_a_paragraph() -> None:
    assert _kinds("text\n    ```\n# h\n") == [("para", 0, "text"), ("para", 0, "```"), ("heading", 0, "# h")]
    assert [line.kind for line in parse_structure("text\n    <div>\n# h\n").lines] == [
        "para", "para", "heading"]
    assert [line.kind for line in parse_structure("text\n    ***\n").lines] == ["para", "para"]


def test_a_type_7_html_block_after_a_quote_paragraph() -> None:
    assert [line.kind for line in parse_structure("> quote\n<User>\n# not a heading\n").lines] == [
        "para", "html", "html"]
    assert parse_structure("- item\n</pre>\n## not a heading\n").headings == []


def test_an_empty_item_followed_by_a_blank_line_ends() -> None:
    assert _kinds("-\n\n  foo\n") == [("blank", 1, ""), ("blank", 0, ""), ("para", 0, "foo")]
    assert parse_structure("-\n\n    # x\n").headings == []


def test_a_tab_after_a_marker_right_after_a_fence() -> None:
    lines = parse_structure("> ```\n-\tx\n\n\tmore\n").lines
    assert [(line.kind, [c.indent for c in line.containers]) for line in lines] == [
        ("fence_open", [0]), ("para", [4]), ("blank", [4]), ("para", [4])]


def test_links_skip_inline_code_and_fences_and_find_html_and_docfx() -> None:
    body = ("`[a](code.md)` [b](b.md) ![c](c.png 'title')\n\n```\n[d](fence.md)\n```\n"
            "<a href=\"e.md\">e</a> <img src='f.png'>\n:::image type=\"content\" source=\"g.png\":::\n"
            "[h]: <h path.md>\n[x](<sp ace.md>)\n")
    assert _links(body) == [(0, "b.md", False), (0, "c.png", True), (5, "e.md", False), (5, "f.png", True),
                            (6, "g.png", True), (7, "h path.md", False), (8, "sp ace.md", False)]


def test_sections_skip_a_setext_underline() -> None:
    structure = parse_structure("lead\n\nTwo\nlines\n---\nbody\n# Next\nmore\n")
    assert structure.headings == [Heading(2, 2, "Two lines"), Heading(6, 1, "Next")]
    assert structure.sections() == [("", 0, 2), ("Two lines", 5, 6), ("Next", 7, 8)]
    assert structure.links == []


def test_links_inside_html_comments_are_no_links() -> None:
    body = ("<!-- Link the SOP, for example [Escalate](../../sops/x.md). -->\n\n"
            "text [a](b.md) <!-- [c](d.md) -->\n")
    assert _links(body) == [(2, "b.md", False)]


def test_many_docfx_image_openings_on_one_line_are_linear():
    """Each ':::image' used to rescan the rest of the line for source=: 10**5 took minutes."""
    import time

    started = time.perf_counter()
    structure = parse_structure(":::image " * 100_000 + 'source="media/late.png":::')
    assert time.perf_counter() - started < 2.0
    assert [link.target for link in structure.links] == ["media/late.png"]
