"""The read view shows real-world KB Markdown as its authors wrote it (issue [1/6] examples).

Each test asserts the structure of the HTML (what is in which element), parsed with the standard
library, not just that rendering finished.
"""

from __future__ import annotations

import time
from html.parser import HTMLParser

import pytest

from kbstudio.render import MarkdownRenderer
from tests.conftest import CONTENT


class _Outline(HTMLParser):
    """Code blocks (text of each ``<pre>``), list items, alerts, and the text outside code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.code: list[str] = []
        self.items = 0
        self.alerts: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.pre_inside_li: list[bool] = []
        self.pre_inside_alert: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "pre":
            self.code.append("")
            self.pre_inside_li.append("li" in self.stack)
            self.pre_inside_alert.append(any(s.startswith("alert-") for s in self.stack))
        if tag == "li":
            self.items += 1
        if tag == "div" and "alert" in classes:
            kind = next(c for c in classes if c.startswith("alert-"))
            self.alerts.append(kind)
            self.stack.append(kind)
            return
        if tag not in ("br", "img", "hr", "input"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            top = self.stack.pop()
            if top == tag or (tag == "div" and top.startswith("alert-")):
                break

    def handle_data(self, data: str) -> None:
        if "pre" in self.stack:
            self.code[-1] += data
        elif "code" not in self.stack:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def outline(markdown: str) -> _Outline:
    parsed = _Outline()
    parsed.feed(MarkdownRenderer().convert(markdown).html)
    return parsed


def test_fence_in_a_nested_list_item_keeps_its_lines() -> None:
    text = (CONTENT / "articles/accounts/reset-a-password-for-a-caller.md").read_text("utf-8")
    page = outline(text)
    assert len(page.code) == 1
    assert page.code[0].splitlines()[:2] == [
        "$sam  = Read-Host 'Username'",
        "$temp = Read-Host 'Temporary password' -AsSecureString",
    ]
    assert page.pre_inside_li == [True]
    assert ":::powershell" not in page.visible
    # Steps 6-11 after the code block are still list items (11 steps, 2 sub-steps, 7 more bullets).
    assert page.items == 20


def test_script_placeholders_in_a_fence_under_a_step_stay() -> None:
    text = (CONTENT / "articles/outages/check-for-a-known-outage.md").read_text("utf-8")
    page = outline(text)
    script = next(block for block in page.code if "We are aware" in block)
    assert script.splitlines()[0] == (
        "We are aware of a problem affecting <service> since <time>. Our teams are working on it.")
    assert "the incident <number>;" in script


def test_alert_inside_a_list_item_is_an_alert_box() -> None:
    text = (CONTENT / "articles/files/restore-a-deleted-file.md").read_text("utf-8")
    page = outline(text)
    assert "alert-note" in page.alerts
    assert "[!NOTE]" not in page.visible
    assert "Unless you own the site, you only see the items you deleted." in page.visible


def test_alert_in_a_list_item_keeps_its_code_block() -> None:
    page = outline("1. Run this:\n\n   > [!TIP]\n   > Copy it:\n   >\n   > ```console\n"
                   "   > defaults write x \\<max bytes>\n   > second line\n   > ```\n\n2. Done.\n")
    assert page.alerts == ["alert-tip"]
    assert page.code == ["defaults write x \\<max bytes>\nsecond line\n"]
    assert page.pre_inside_alert == [True] and page.pre_inside_li == [True]
    assert page.items == 2


@pytest.mark.parametrize("kind", ["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"])
def test_every_alert_kind_indented_in_a_list(kind: str) -> None:
    page = outline(f"- Step:\n\n  > [!{kind}]\n  > Body text.\n")
    assert page.alerts == [f"alert-{kind.lower()}"]
    assert f"[!{kind}]" not in page.visible and "Body text." in page.visible


def test_angle_bracket_placeholders_stay_visible() -> None:
    page = outline("Run `x` then:\n\nSet-MSOLDomainFederationSettings -domain name <Domain.suffix> "
                   "-issueruri \\<newURI> -now\n\nIn this command, the placeholder <AD FS 2.0 Server Name> "
                   "represents the server.\n\n> [!NOTE]\n> The placeholder \\<max bytes> represents a byte "
                   "value. For example, type 10240.\n\n"
                   "| Name | Value |\n|---|---|\n| <User> | <server name> |\n")
    visible = page.visible
    assert "-domain name <Domain.suffix> -issueruri <newURI> -now" in visible
    assert "the placeholder <AD FS 2.0 Server Name> represents the server." in visible
    assert "The placeholder <max bytes> represents a byte value. For example, type 10240." in visible
    assert "<User>" in visible and "<server name>" in visible


def test_real_html_is_still_sanitised_and_known_tags_kept() -> None:
    html = MarkdownRenderer().convert("Line<br>break <b>bold</b> <script>alert(1)</script> <User>\n").html
    assert "<br>" in html and "<b>bold</b>" in html
    assert "<script" not in html and "&lt;User&gt;" in html


def test_corpus_article_keeps_every_list_item(corpus) -> None:
    import cmarkgfm

    from kbstudio.frontmatter import split_front_matter

    text = next(corpus.rglob("email-messages-incorrectly-quarantined.md")).read_text("utf-8")
    reference = cmarkgfm.github_flavored_markdown_to_html(split_front_matter(text).body).count("<li")
    assert reference == 21   # 17 steps and sub-steps plus the 4 links under "More information"
    assert outline(text).items == reference


def test_corpus_note_after_a_placeholder_keeps_its_text(corpus) -> None:
    path = next(corpus.rglob("how-to-enable-logging-in-outlook-for-mac.md"))
    page = outline(path.read_text("utf-8"))
    assert "The placeholder <max bytes> represents a byte value. For example, if you want to change" \
        in page.visible
    assert any(block.startswith("defaults write ~/Library/Preferences/com.microsoft.Outlook "
                                "EWSMaxLogLength \\<max bytes>") for block in page.code)


def test_commonmark_list_columns_at_every_depth() -> None:
    page = outline("1. One\n   continues\n\n   ```\n   code at 3\n   ```\n\n   - nested\n\n"
                   "     ```sh\n     deep code\n     ```\n\n     10. deeper\n\n         text of ten\n"
                   "2. Two\n")
    assert page.code == ["code at 3\n", "deep code\n"]
    assert page.items == 4
    assert page.pre_inside_li == [True, True]
    assert "text of ten" in page.visible


def test_docfx_blocks_are_not_shown_as_text(tmp_path) -> None:
    (tmp_path / "includes").mkdir()
    (tmp_path / "includes" / "note.md").write_text("Included **words**.\n", encoding="utf-8")
    text = (':::image type="content" source="media/a.png" alt-text="The dialog":::\n\n'
            'Select the icon (:::image type="icon" source="media/i.png":::) and :::no-loc text="V14":::.\n\n'
            ":::image-end:::\n\n> [!div class=\"nextstepaction\"]\n> [Run Tests](https://aka.ms/x)\n\n"
            "[!INCLUDE [disclaimer](includes/note.md)]\n\n[!INCLUDE [missing](includes/none.md)]\n")
    rendered = MarkdownRenderer().convert(text, base_dir=tmp_path, kb_root=tmp_path)
    page = _Outline()
    page.feed(rendered.html)
    assert ":::" not in page.visible and "[!div" not in page.visible
    assert "and V14." in page.visible
    assert "<p>Included <strong>words</strong>.</p>" in rendered.html
    assert 'href="includes/none.md"' in rendered.html
    assert "<blockquote>" not in rendered.html and 'href="https://aka.ms/x"' in rendered.html


def test_include_outside_the_kb_is_not_read(tmp_path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (tmp_path / "secret.md").write_text("SECRET\n", encoding="utf-8")
    rendered = MarkdownRenderer().convert("[!INCLUDE [x](../secret.md)]\n", base_dir=kb, kb_root=kb)
    assert "SECRET" not in rendered.html


def test_code_blocks_are_listed_raw_in_order() -> None:
    rendered = MarkdownRenderer().convert(
        "```sh\necho 'a' < b\n```\n\n    indented\n\n- x\n\n  ~~~\n  in list\n  ~~~\n")
    assert rendered.code_blocks == ["echo 'a' < b\n", "indented\n", "in list\n"]


def test_task_lists_have_boxes_and_classes() -> None:
    html = MarkdownRenderer().convert("- [ ] todo\n- [x] done\n").html
    assert '<ul class="task-list">' in html
    assert html.count('<li class="task-list-item">') == 2
    assert "☐ todo" in html and "☑ done" in html


@pytest.mark.parametrize(("build", "shown"), [
    (lambda: "\n".join("> " * depth + "x" for depth in range(1500)), "\n&gt; &gt; x\n"),
    (lambda: "\n".join("  " * depth + "- x" for depth in range(3000)), "\n    - x\n"),
])
def test_deep_nesting_is_plain_text_quickly(build, shown: str) -> None:
    text = build()
    started = time.perf_counter()
    rendered = MarkdownRenderer().convert(text)
    assert time.perf_counter() - started < 10   # ~0.3-0.8 s here; generous for a loaded CI machine
    assert rendered.html.startswith('<p class="render-notice">')
    assert "nested more than 32 levels deep" in rendered.html
    assert "<pre>" in rendered.html and shown in rendered.html


def test_link_destinations_follow_commonmark() -> None:
    html = MarkdownRenderer().convert(
        "at X.CoreInvoke[TOutput](IEnumerable input, PSDataCollection output)\n\n"
        '[ok](a.md "title") [angle](<a b.md>) [parens](x(1).md) ![pic](m/a.png)\n').html
    assert "CoreInvoke[TOutput](IEnumerable input, PSDataCollection output)" in html
    assert '<a href="a.md" title="title">ok</a>' in html
    assert '<a href="a b.md">angle</a>' in html and '<a href="x(1).md">parens</a>' in html
    assert '<img alt="pic" src="m/a.png">' in html


@pytest.mark.parametrize(("markdown", "items", "texts"), [
    ("- Item\n\n\tparagraph\n", 1, ["Item", "paragraph"]),
    ("- Item\n\tcontinued\n", 1, ["Item continued"]),
    ("- a\n\t- sub\n\t\t- subsub\n", 3, ["a", "sub", "subsub"]),
])
def test_tab_indented_list_content_keeps_every_character(markdown: str, items: int, texts: list[str]) -> None:
    page = outline(markdown)
    assert page.items == items
    for text in texts:
        assert text in page.visible
    assert "agraph" not in page.visible.replace("paragraph", "")


def test_tab_indented_fence_under_a_bullet() -> None:
    page = outline("* Step\n\n\t```powershell\n\tSet-Mailbox -Identity x\n\t```\n\n\tAfter code\n")
    assert page.code == ["Set-Mailbox -Identity x\n"]
    assert page.pre_inside_li == [True] and "After code" in page.visible


def test_quote_opened_on_the_item_line() -> None:
    html = MarkdownRenderer().convert("- > HRESULT: 0x8001010A\n  > VB Error: -2147417846\n- next\n").html
    assert "<blockquote>\n<p>HRESULT: 0x8001010A\nVB Error: -2147417846</p>\n</blockquote>" in html
    assert html.count("<li>") == 2 and "&gt;" not in html


def test_empty_item_is_an_item_not_a_heading() -> None:
    html = MarkdownRenderer().convert("- a\n- \n- c\n").html
    assert "<h2" not in html and html.count("<li") == 3


def test_escaped_pipe_in_table_code_is_a_pipe() -> None:
    html = MarkdownRenderer().convert("| a | b |\n|---|---|\n| `Get-Process \\| Stop-Process` | x |\n").html
    assert "<td><code>Get-Process | Stop-Process</code></td>" in html and "<td>x</td>" in html


@pytest.mark.parametrize("tag", ["Template", "script", "style", "Title", "textarea", "iframe", "xmp",
                                 "plaintext", "noembed", "noscript", "Date", "Select", "Form", "Input"])
def test_placeholders_named_like_html_elements_stay_text_and_keep_the_rest(tag: str) -> None:
    page = outline(f"1. In the portal, set <{tag}> to the template.\n2. Save.\n\n## Next\n\n```\ncode\n```\n")
    assert f"set <{tag}> to the template." in page.visible
    assert page.items == 2 and "Next" in page.visible and page.code == ["code\n"]
