"""Link rules: broken links to documents and files, broken images and anchors, orphans, clashing names."""

from __future__ import annotations

from collections.abc import Iterator

from kbstudio.lint.facts import split_target
from kbstudio.lint.page import Link, Outline
from kbstudio.lint.rule import Finding, LintContext
from kbstudio.names import form_name, same_name, shown_name

LIVE_STATUSES = ("review", "published")


def _broken(page: Outline, ctx: LintContext, image: bool) -> Iterator[Finding]:
    noun = "image" if image else "link"
    for link in page.links:
        if link.image != image:
            continue
        resolved = split_target(page.rel_path, link.target)
        if resolved is None or resolved[0] == "":
            continue
        path = resolved[0]
        if path == "\0":
            yield link.line, f"{noun} has an empty target"
        elif not ctx.facts.exists(path):
            where = "" if path == link.target.split("#")[0] else f" (resolves to {path})"
            yield link.line, f"{noun} target '{link.target}' does not exist{where}"


def check_broken_link(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report relative links to documents or files that do not exist."""
    yield from _broken(page, ctx, image=False)


def check_broken_image(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report images whose relative path does not exist."""
    yield from _broken(page, ctx, image=True)


def _anchor_target(page: Outline, ctx: LintContext, link: Link) -> tuple[Outline, str] | None:
    resolved = split_target(page.rel_path, link.target)
    if resolved is None or not resolved[1]:
        return None
    path, anchor = resolved
    target = page if path == "" or same_name(path, page.rel_path) else ctx.facts.page(path)
    if target is None or not target.document.readable:
        return None
    return target, anchor


def check_broken_anchor(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report links to a #heading that the target document does not have."""
    for link in page.links:
        found = _anchor_target(page, ctx, link)
        if found is None:
            continue
        target, anchor = found
        if anchor.lower().startswith("tab/"):  # DocFX tab ids, not headings
            continue
        if anchor.lower() not in target.anchors:
            where = "this document" if target is page else shown_name(target.rel_path)
            yield link.line, f"no heading '#{anchor}' in {where}"


def check_orphan(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report a review or published document that no other document links to and has no tags."""
    document = page.document
    if not document.readable or document.status not in LIVE_STATUSES or document.tags:
        return
    if not ctx.facts.links_to(page.rel_path):
        yield page.title_line(), "orphan: no other document links here and it has no tags"


def check_unicode_name_clash(page: Outline, ctx: LintContext) -> Iterator[Finding]:
    """Report documents whose paths differ only in Unicode normalisation, once, naming every one."""
    others = ctx.facts.same_name(page.rel_path)
    if not others or page.rel_path > others[0]:
        return  # reported once, on the first of them in code point order
    names = " and ".join(f"'{shown_name(path)}' ({form_name(path)})" for path in [page.rel_path, *others])
    yield 1, (f"{names} differ only in Unicode normalisation: they look the same, links and search "
              "treat them as one document, and macOS and Windows keep only one of them")
