"""Links: broken documents, images and anchors; what is not checked; orphans."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import article, lint, make, where

LINKS = """# Printer shows offline

## Issue

See [the VPN article](../network/vpn.md) and [missing](../network/nope.md "title").
![Screenshot](media/offline.png) and ![gone](media/gone.png)
Web [site](https://example.com/x.md), [mail](mailto:someone@example.com), [top](#issue),
[tel](tel:+15550100) and [site-absolute](/docs/x.md) are not checked.

```
[in code](not-checked.md)
```

Inline `[code](not-checked-either.md)` too. Reference: [ref][r].
<img src="media/html-gone.png"> and :::image type="content" source="media/docfx-gone.png" alt-text="x":::

[r]: ./ref-gone.md

## Resolution

- [Wrong heading](../network/vpn.md#no-such-heading), [right heading](../network/vpn.md#connect-first),
  [here](#resolution), [nowhere](#nowhere) and [spaced](../network/my%20notes.md).
"""


def _kb(tmp_path: Path) -> Path:
    return make(tmp_path, {
        "printing/offline.md": article(body=LINKS),
        "printing/media/offline.png": b"\x89PNG",
        "network/vpn.md": article("KB-2", "VPN", body="# VPN\n\n## Connect first\n\nText.\n"),
        "network/my notes.md": article("KB-3", "Notes"),
    })


def test_broken_links_images_and_anchors_at_their_lines(tmp_path: Path) -> None:
    problems = lint(_kb(tmp_path))
    path = "printing/offline.md"
    first = 11  # the body starts after 10 front-matter lines
    assert where(problems, "broken-link") == [(path, first + 4), (path, first + 16)]
    assert where(problems, "broken-image") == [(path, first + 5), (path, first + 14), (path, first + 14)]
    assert where(problems, "broken-anchor") == [(path, first + 20), (path, first + 21)]
    messages = [p.message for p in problems if p.rule == "broken-link"]
    assert "'../network/nope.md'" in messages[0] and "network/nope.md" in messages[0]
    assert {p.severity for p in problems if p.rule.startswith("broken-") and p.rule != "broken-anchor"} == {
        "error"}
    assert {p.severity for p in problems if p.rule == "broken-anchor"} == {"warning"}


def test_html_and_custom_anchors_count(tmp_path: Path) -> None:
    body = ("# T\n\n<a name=\"step-3\"></a>\n<h2 id=details>Details</h2>\n\n## Install {#setup}\n\n"
            "## Intro\n\nx\n\n## Intro\n\ny\n\n[a](#step-3) [b](#details) [c](#setup) [d](#intro-1) "
            "[e](#Intro)\n")
    root = make(tmp_path, {"a.md": article(body=body)})
    assert where(lint(root), "broken-anchor") == []


def test_links_to_folders_and_other_files_are_fine(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(body="# T\n\n[folder](sub/) [pdf](sub/form.pdf?x=1)\n"),
                           "sub/form.pdf": b"%PDF"})
    assert where(lint(root), "broken-link") == []


def test_orphans_are_live_documents_without_inbound_links_or_tags(tmp_path: Path) -> None:
    root = make(tmp_path, {
        "linked.md": article("KB-1", "Linked", tags="[]"),
        "hub.md": article("KB-2", "Hub", body="# Hub\n\n[linked](linked.md#issue)\n"),
        "lonely.md": article("KB-3", "Lonely", tags="[]"),
        "self.md": article("KB-4", "Self", tags="[]", body="# Self\n\n[me](self.md)\n"),
        "draft.md": article("KB-5", "Draft", tags="[]", status="draft"),
    })
    problems = lint(root, "orphan")
    assert where(problems, "orphan") == [("lonely.md", 3), ("self.md", 3)]
    assert problems[0].severity == "warning"
