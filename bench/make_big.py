"""Write a big KB made from the corpus: copies with their own titles, tiers, statuses and products.

Usage: python bench/make_big.py TARGET [--corpus DIR] [--count 25000] [--near-duplicates]

Copy 0 of each article keeps its text; every later copy gets front-matter fields picked from the
article's place (tier, status, kind, products, tags, review_by: deterministic, no random state) and
a title of its own. Two shapes:

- ``distinct`` (default): a later copy's title starts with its site number and the words of its
  Issue/Symptoms section are enciphered per copy (letters rotated, links, code and markup left
  alone), so copies are not near-duplicates of each other; only the corpus's own near-twins are.
- ``near-duplicates``: a later copy's title starts with a site *name* (no digits) and its body is
  the original's, so every article has nine copies whose titles and issue statements are alike:
  the worst case for the likely-duplicate rule.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "officedocs-support"

SITES = ("Amsterdam", "Berlin", "Chicago", "Dublin", "Edinburgh", "Florence", "Geneva", "Helsinki",
         "Istanbul", "Jakarta", "Kyoto", "Lisbon")
PRODUCTS = ("Outlook", "Teams", "Exchange", "SharePoint", "OneDrive", "VPN", "Windows", "Printers",
            "Active Directory", "Intune")
TAGS = ("email", "calendar", "login", "mfa", "network", "sync", "licensing", "mobile", "")
STATUSES = ("published", "published", "review", "draft", "archived")
ISSUE_HEADING = re.compile(r"^#{2,6}\s*(issue|symptoms?|problem|summary)\s*:?\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^#{1,6}\s")
_PLAIN_WORD = re.compile(r"(?<![\w/.#@-])[A-Za-z]{4,}(?![\w/.@(-])")


def rotate(word: str, shift: int) -> str:
    """Return ``word`` with each ASCII letter moved ``shift`` places along the alphabet."""
    out = []
    for char in word:
        base = ord("a") if char.islower() else ord("A")
        out.append(chr(base + (ord(char) - base + shift) % 26))
    return "".join(out)


def encipher_issue(body: str, shift: int) -> str:
    """Return ``body`` with the plain words of its Issue/Symptoms section rotated by ``shift``.

    Lines holding links, code, HTML or DocFX markup are left as they are, so no link breaks.
    """
    lines = body.split("\n")
    inside = False
    for number, line in enumerate(lines):
        if ISSUE_HEADING.match(line.strip()):
            inside = True
            continue
        if inside and _HEADING.match(line):
            break
        if inside and not any(mark in line for mark in ("](", "`", "<", ":::", "[!", "|", "~~~")):
            lines[number] = _PLAIN_WORD.sub(lambda m: rotate(m.group(0), shift), line)
    return "\n".join(lines)


def front_matter_fields(copy: int, number: int) -> list[str]:
    """Return the YAML lines added to the ``number``-th article of copy ``copy``."""
    pick = copy * 7919 + number * 104729
    tier = f"L{pick % 5}"
    status = STATUSES[(pick // 5) % len(STATUSES)]
    products = [PRODUCTS[(pick // 3) % len(PRODUCTS)], PRODUCTS[(pick // 11) % len(PRODUCTS)]]
    tag = TAGS[(pick // 13) % len(TAGS)]
    review_by = date(2025, 1, 1) + timedelta(days=(pick // 17) % 900)
    lines = [f"tier: {tier}", f"status: {status}", f"products: [{', '.join(dict.fromkeys(products))}]",
             f"review_by: {review_by.isoformat()}", f"owner: Team {copy}"]
    if tag:
        lines.append(f"tags: [{tag}]")
    return lines


def vary(text: str, copy: int, number: int, near_duplicates: bool) -> str:
    """Return one corpus article's text as copy ``copy`` of the big KB."""
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---", 4)
    if end < 0:
        return text
    head, rest = text[4:end], text[end:]
    kept = [line for line in head.split("\n") if not line.startswith(("tier:", "status:", "products:",
                                                                     "review_by:", "owner:", "tags:"))]
    if copy:
        prefix = f"{SITES[copy % len(SITES)]} office" if near_duplicates else f"(site {copy})"
        kept = [re.sub(r"^title:\s*", f"title: {prefix} ", line, count=1) if line.startswith("title:")
                else line for line in kept]
        if not near_duplicates:
            rest = encipher_issue(rest, copy)
    return "---\n" + "\n".join(kept + front_matter_fields(copy, number)) + rest


def make_big_kb(corpus: Path, target: Path, count: int, near_duplicates: bool = False) -> int:
    """Write a KB of ``count`` documents made from ``corpus`` into ``target``; return how many."""
    sources = sorted(corpus.rglob("*.md"))
    written = copy = 0
    while written < count:
        for number, source in enumerate(sources):
            if written >= count:
                break
            dest = target / f"copy-{copy:02d}" / source.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text("utf-8", errors="replace")
            dest.write_text(vary(text, copy, number, near_duplicates), "utf-8")
            written += 1
        copy += 1
    for path in corpus.rglob("*"):   # images and other files the articles' relative links reach
        if path.is_file() and path.suffix != ".md":
            for folder in range(copy):
                dest = target / f"copy-{folder:02d}" / path.relative_to(corpus)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(path.read_bytes())
    return written


def main() -> int:
    """Write the KB named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--count", type=int, default=25_000)
    parser.add_argument("--near-duplicates", action="store_true")
    args = parser.parse_args()
    if args.target.exists() and any(args.target.iterdir()):
        print(f"{args.target} is not empty", file=sys.stderr)
        return 2
    count = make_big_kb(args.corpus, args.target, args.count, args.near_duplicates)
    print(f"{count} documents in {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
