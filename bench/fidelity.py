"""Compare our HTML of a Markdown document with a reference HTML (cmark-gfm) on what a reader would lose.

Only the standard library's ``html.parser`` is used, so the comparison does not depend on either
renderer. ``extract`` reads one HTML string into the facts compared (code blocks, list items, tables,
alerts, visible text); ``compare`` returns the losses of ours against the reference as ``Loss``
records. A document "agrees" when ``compare`` returns nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

ALERT_KINDS = ("note", "tip", "important", "warning", "caution")
# Loss kinds, in report order, with the label printed for each.
KINDS: dict[str, str] = {
    "code": "code block missing or folded",
    "list_items": "fewer list items",
    "tables": "fewer tables or cells",
    "alert_text": "alert shown as text",
    "alert_box": "alert box missing",
    "docfx_text": "::: shown as text",
    "placeholder": "<placeholder> not shown",
    "text_lost": "text lost",
    "error": "render error",
}
TEXT_LOSS_RATIO = 0.02
"""Share of the reference's words that may be missing from ours before a document counts as "text lost".

Renderers legitimately differ in a few words (an alert's title, an image label, a stray marker), so
a word-level diff is never zero; a swallowed paragraph, list item or table, though, takes far more
than 2% of an article's words. The check catches losses the structural counts miss.
"""
TEXT_LOSS_MIN_WORDS = 3
"""Fewest missing words that count as "text lost", so a 40-word document missing one word passes."""

BLOCK_SEP = "\x1f"   # put between blocks (and around code) in extracted text, so words never join
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "template", "head", "title"})
_ALERT_MARK = re.compile(r"\[!(" + "|".join(ALERT_KINDS) + r")\]", re.IGNORECASE)
_DOCFX_MARK = re.compile(r":::\s*([\w-]*)(?:[^" + BLOCK_SEP + r"]*?:::)?")   # ":::image ...:::" is one
_PLACEHOLDER = re.compile(r"<[^<>" + BLOCK_SEP + r"]{1,120}>")
_DOCFX_SYNTAX = re.compile(r":::[^" + BLOCK_SEP + r"]*?:::|:::[^" + BLOCK_SEP + r"]*|\[!\w+")
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
DETAIL_WIDTH = 70


@dataclass(frozen=True)
class Loss:
    """One thing a reader of ours misses.

    ``kind`` is a key of KINDS, ``cause`` a short category shared across documents (e.g. "folded into
    one line"), ``detail`` concrete text from this document (e.g. the code block's first line).
    """

    kind: str
    cause: str
    detail: str


@dataclass
class Extract:
    """What is compared of one HTML document.

    ``text``: visible text outside ``<pre>`` and ``<code>``; ``prose``: visible text outside ``<pre>``
    (inline code kept). Both have runs of whitespace collapsed to one space and BLOCK_SEP between blocks.
    ``alert_quotes``: kinds of blockquotes whose text starts with ``[!KIND]`` (GitHub's alert syntax);
    ``alert_boxes``: kinds of elements with the class ``alert-KIND``.
    """

    code_blocks: list[str] = field(default_factory=list)
    list_items: int = 0
    tables: int = 0
    cells: int = 0
    text: str = ""
    prose: str = ""
    alert_quotes: Counter[str] = field(default_factory=Counter)
    alert_boxes: Counter[str] = field(default_factory=Counter)


class _Extractor(HTMLParser):
    """Walk HTML once, filling an Extract; text arrives unescaped (``convert_charrefs``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = Extract()
        self._text: list[str] = []
        self._prose: list[str] = []
        self._pre: list[str] | None = None
        self._pre_depth = 0
        self._code_depth = 0
        self._hidden_depth = 0
        self._quotes_waiting = 0   # open blockquotes whose first text is not seen yet

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(tag, attrs)
        self._separate(tag)
        if tag in _HIDDEN_TAGS:
            self._hidden_depth += 1
        elif tag == "pre":
            self._pre_depth += 1
            if self._pre is None:
                self._pre = []
        elif tag == "code":
            self._code_depth += 1
            self._text.append(BLOCK_SEP)
        elif tag == "blockquote":
            self._quotes_waiting += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._count(tag, attrs)
        self._separate(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag == "pre" and self._pre_depth:
            self._pre_depth -= 1
            if not self._pre_depth and self._pre is not None:
                self.out.code_blocks.append(normalise_code("".join(self._pre)))
                self._pre = None
        elif tag == "code" and self._code_depth:
            self._code_depth -= 1
            self._text.append(BLOCK_SEP)
        elif tag == "blockquote":
            self._quotes_waiting = max(0, self._quotes_waiting - 1)
        self._separate(tag)

    def handle_data(self, data: str) -> None:
        if self._hidden_depth:
            return
        if self._pre is not None:
            self._pre.append(data)
            return
        self._prose.append(data)
        if not self._code_depth:
            self._text.append(data)
        if self._quotes_waiting and data.strip():
            mark = _ALERT_MARK.match(data.lstrip())
            if mark:
                self.out.alert_quotes[mark.group(1).lower()] += 1
            self._quotes_waiting = 0

    def close(self) -> None:
        super().close()
        if self._pre is not None:   # an unclosed <pre> still counts
            self.out.code_blocks.append(normalise_code("".join(self._pre)))
            self._pre = None
        self.out.text = collapse("".join(self._text))
        self.out.prose = collapse("".join(self._prose))

    def _count(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            self.out.list_items += 1
        elif tag == "table":
            self.out.tables += 1
        elif tag in ("td", "th"):
            self.out.cells += 1
        classes = next((value or "" for name, value in attrs if name == "class"), "").split()
        for kind in ALERT_KINDS:
            if f"alert-{kind}" in classes:
                self.out.alert_boxes[kind] += 1

    def _separate(self, tag: str) -> None:
        if tag in _BLOCK_TAGS and self._pre is None:
            self._text.append(BLOCK_SEP)
            self._prose.append(BLOCK_SEP)


def collapse(text: str) -> str:
    """Return ``text`` with whitespace runs as one space, blocks trimmed and blank blocks dropped."""
    blocks = (_SPACES.sub(" ", block).strip() for block in text.split(BLOCK_SEP))
    return BLOCK_SEP.join(block for block in blocks if block)


def normalise_code(text: str) -> str:
    """Return a code block's text with each line right-stripped and no blank first or last lines.

    Trailing spaces and blank lines at either end are invisible to a reader, and Pygments drops the
    blank edge lines that cmark-gfm keeps (a fence closed after an empty line); they are not losses.
    """
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    first = next((index for index, line in enumerate(lines) if line), len(lines))
    return "\n".join(lines[first:])


def extract(html_text: str) -> Extract:
    """Parse ``html_text`` (any HTML fragment) into an Extract."""
    parser = _Extractor()
    parser.feed(html_text)
    parser.close()
    return parser.out


def _short(text: str) -> str:
    """Return the first non-blank line of ``text``, cut to DETAIL_WIDTH characters."""
    line = next((part.strip() for part in text.split("\n") if part.strip()), "")
    return line if len(line) <= DETAIL_WIDTH else line[: DETAIL_WIDTH - 1] + "…"


def _flat(text: str) -> str:
    """Return ``text`` on one line: whitespace runs, newlines and block breaks as one space."""
    return _SPACES.sub(" ", text.replace(BLOCK_SEP, " ")).strip()


def code_losses(ref: Extract, ours: Extract) -> list[Loss]:
    """Return a loss per reference code block with no equal block in ours (blocks compared as a multiset).

    The cause says what became of it: "whitespace differs" (a block of ours equal but for spacing),
    "folded into one line" (its lines are in ours outside ``<pre>``, run together: the "one line"
    symptom), "shown as text" (the same for a one-line block), "merged into a longer block", or "missing".
    """
    unmatched = Counter(ours.code_blocks)
    lost: list[str] = []
    for block in ref.code_blocks:
        if unmatched[block] > 0:
            unmatched[block] -= 1
        else:
            lost.append(block)
    spare = Counter(_flat(block) for block in unmatched.elements())   # ours' blocks left over
    prose = _flat(ours.prose)
    ours_flat = [_flat(block) for block in ours.code_blocks]
    losses = []
    for block in lost:
        flat = _flat(block)
        if flat and spare[flat] > 0:
            spare[flat] -= 1
            cause = "whitespace differs"
        elif flat and flat in prose:
            cause = "folded into one line" if "\n" in block else "shown as text"
        elif flat and any(flat in longer and flat != longer for longer in ours_flat):
            cause = "merged into a longer block"
        else:
            cause = "missing"
        losses.append(Loss("code", cause, _short(block) or "(empty block)"))
    return losses


def count_losses(ref: Extract, ours: Extract) -> list[Loss]:
    """Return losses for fewer list items, tables or table cells in ours than in the reference."""
    losses = []
    if ours.list_items < ref.list_items:
        losses.append(Loss("list_items", "fewer list items", f"{ours.list_items} < {ref.list_items}"))
    if ours.tables < ref.tables:
        losses.append(Loss("tables", "fewer tables", f"{ours.tables} < {ref.tables}"))
    if ours.cells < ref.cells:
        losses.append(Loss("tables", "fewer cells", f"{ours.cells} < {ref.cells}"))
    return losses


def _around(text: str, start: int) -> str:
    """Return the block of ``text`` that holds position ``start``, shortened."""
    begin = text.rfind(BLOCK_SEP, 0, start) + 1
    end = text.find(BLOCK_SEP, start)
    return _short(text[begin : end if end >= 0 else len(text)])


def alert_losses(ref: Extract, ours: Extract) -> list[Loss]:
    """Return losses for ``[!KIND]`` markers visible in ours, and for reference alerts (blockquotes
    starting with ``[!KIND]``) outnumbering ours' elements of class ``alert-kind``."""
    losses = []
    seen: set[str] = set()
    for mark in _ALERT_MARK.finditer(ours.text):
        cause = f"[!{mark.group(1).upper()}]"
        if cause not in seen:
            seen.add(cause)
            losses.append(Loss("alert_text", cause, _around(ours.text, mark.start())))
    for kind, wanted in sorted(ref.alert_quotes.items()):
        if ours.alert_boxes[kind] < wanted:
            losses.append(Loss("alert_box", f"alert-{kind}", f"{ours.alert_boxes[kind]} < {wanted}"))
    return losses


def docfx_losses(ours: Extract) -> list[Loss]:
    """Return a loss per kind of DocFX ``:::`` directive (``:::image``, ``:::zone``...) visible in ours."""
    losses = []
    seen: set[str] = set()
    for mark in _DOCFX_MARK.finditer(ours.text):
        cause = f":::{mark.group(1).lower()}"
        if cause not in seen:
            seen.add(cause)
            losses.append(Loss("docfx_text", cause, _around(ours.text, mark.start())))
    return losses


def placeholders(text: str) -> list[str]:
    """Return the distinct ``<...>`` strings of ``text`` (within one block), in order of appearance."""
    return list(dict.fromkeys(_PLACEHOLDER.findall(text)))


def placeholder_losses(ref: Extract, ours: Extract) -> list[Loss]:
    """Return a loss per ``<placeholder>`` a reader sees in the reference but not in ours (outside code)."""
    return [Loss("placeholder", "not shown", shown)
            for shown in placeholders(ref.text) if shown not in ours.text]


def words(text: str) -> Counter[str]:
    """Return the multiset of casefolded ``\\w+`` words of ``text``."""
    return Counter(_WORD.findall(text.casefold()))


def text_loss(ref: Extract, ours: Extract) -> list[Loss]:
    """Return a "text lost" loss when ours misses more than TEXT_LOSS_RATIO of the reference's words.

    Words are compared outside ``<pre>`` (code blocks have their own check). DocFX syntax that the
    reference shows as text (``:::image ...:::``, ``[!NOTE``, ``[!INCLUDE``) is left out first, since
    ours is right not to show it. The detail quotes the first reference block most of whose words are
    missing, else the most common missing words.
    """
    wanted = words(_DOCFX_SYNTAX.sub(" ", ref.prose))
    missing = wanted - words(ours.prose)
    lost, total = sum(missing.values()), sum(wanted.values())
    if not total or lost < TEXT_LOSS_MIN_WORDS or lost / total <= TEXT_LOSS_RATIO:
        return []
    head = f"{lost}/{total} words ({lost / total:.1%})"
    for block in ref.prose.split(BLOCK_SEP):
        block_words = _WORD.findall(block.casefold())
        if len(block_words) >= 3 and sum(word in missing for word in block_words) > len(block_words) / 2:
            return [Loss("text_lost", "words missing", f"{head}: {_short(block)}")]
    sample = ", ".join(word for word, _ in missing.most_common(5))
    return [Loss("text_lost", "words missing", f"{head}, e.g. {sample}")]


def compare(reference_html: str, ours_html: str) -> list[Loss]:
    """Return every loss of ``ours_html`` against ``reference_html``; empty when the document agrees."""
    ref, ours = extract(reference_html), extract(ours_html)
    return [
        *code_losses(ref, ours),
        *count_losses(ref, ours),
        *alert_losses(ref, ours),
        *docfx_losses(ours),
        *placeholder_losses(ref, ours),
        *text_loss(ref, ours),
    ]
