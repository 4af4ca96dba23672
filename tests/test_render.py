"""Markdown rendering: the flavours we support, and hostile input made harmless."""

from __future__ import annotations

from kbstudio.render import MarkdownRenderer


def render(text: str) -> str:
    return MarkdownRenderer().convert(text).html


def test_front_matter_is_not_rendered() -> None:
    html = render("---\ntitle: Secret meta\nowner: x\n---\n# Heading\n")
    assert "Secret meta" not in html and "<h1" in html


def test_github_alerts_and_docfx_alerts() -> None:
    html = render("> [!WARNING]\n> Back up **first**.\n\nAfter.\n")
    assert '<div class="alert alert-warning">' in html
    assert "<strong>first</strong>" in html
    assert "<p>After.</p>" in html


def test_docfx_image_and_include() -> None:
    html = render(':::image type="content" source="media/shot.png" alt-text="The dialog":::\n\n'
                  "[!INCLUDE [Applies to](../includes/applies.md)]\n")
    assert '<img alt="The dialog" src="media/shot.png">' in html
    assert 'href="../includes/applies.md"' in html


def test_tables_task_lists_and_highlighted_code() -> None:
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [ ] todo\n- [x] done\n\n"
                  "```powershell\nGet-Mailbox -Identity x\n```\n")
    assert "<table>" in html and "<td>1</td>" in html
    assert "☐ todo" in html and "☑ done" in html
    assert 'style="color:' in html and "Get-Mailbox" in html


def test_code_fences_keep_alert_syntax_literal() -> None:
    html = render("```text\n> [!NOTE]\n> not an alert\n```\n")
    assert "alert-note" not in html


def test_hostile_html_is_removed() -> None:
    hostile = (
        "<script>alert(1)</script>\n\n"
        '<a href="javascript:alert(2)">js</a> <a href="file:///etc/passwd">file</a> '
        '<a href="smb://server/share">smb</a> <a href="data:text/html,x">data</a>\n\n'
        '<img src="x.png" onerror="alert(3)"> <iframe src="https://evil"></iframe>\n\n'
        '<div onclick="alert(4)" style="background:url(https://evil/x)">div</div>\n\n'
        "[md js](javascript:alert(5)) <style>body{}</style> <form><input></form>\n"
    )
    html = render(hostile).lower()
    for bad in ("<script", "javascript:", "file:", "smb:", "data:", "onerror", "onclick",
                "<iframe", "url(", "<style", "<form", "<input"):
        assert bad not in html, bad


def test_remote_images_become_placeholders_and_local_images_stay() -> None:
    html = render("![tracker](https://evil.example/pixel.png) ![local](media/a.png) "
                  '<img src="//evil.example/x.png" alt="proto">\n')
    assert "evil.example" not in html
    assert "[remote image not loaded: tracker]" in html
    assert "[remote image not loaded: proto]" in html
    assert 'src="media/a.png"' in html


def test_links_are_collected() -> None:
    rendered = MarkdownRenderer().convert("[a](../x.md) [b](https://example.com) [c](mailto:a@b.c)\n")
    assert rendered.links == ["../x.md", "https://example.com", "mailto:a@b.c"]


def test_every_corpus_document_renders(corpus) -> None:
    renderer = MarkdownRenderer()
    count = 0
    for path in corpus.rglob("*.md"):
        html = renderer.convert(path.read_text("utf-8", errors="replace")).html
        assert "<script" not in html.lower()
        count += 1
    assert count == 2459


def test_fenced_code_inside_a_list_item_is_rendered_as_code() -> None:
    html = render("1. Run this:\n\n   ```powershell\n   Get-Service spooler\n   ```\n\n2. Then check.\n")
    assert "<pre" in html and "Get-Service" in html
    assert ">powershell" not in html


def test_steps_keep_their_numbers_around_images_and_code() -> None:
    text = ("1. Open the app.\n\n"
            "   :::image type=\"content\" source=\"media/a.png\" alt-text=\"The app\":::\n\n"
            "2. Run this:\n\n   ```powershell\n   Get-Thing\n   ```\n\n3. Done.\n\nAfter the list.\n")
    out = MarkdownRenderer().convert(text).html
    assert out.count("<li>") == 3
    first_list = out[:out.index("</ol>")]
    assert 'alt="The app"' in first_list, "the image stays inside its step"
    assert out.count("<ol") == 1, "one list: the code block stays inside its step"
    assert first_list.index("Get-Thing") < first_list.index("Done.")
    assert "<p>After the list.</p>" in out


def test_missing_local_images_are_labelled_and_existing_ones_kept(tmp_path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "ok.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    text = "![Present](media/ok.png)\n\n![Gone <b>](media/gone%20now.png)\n"
    out = MarkdownRenderer().convert(text, base_dir=tmp_path).html
    assert '<img alt="Present" src="media/ok.png">' in out
    assert '<span class="missing-image">[missing image: Gone &lt;b&gt; (media/gone%20now.png)]</span>' in out


def test_a_step_right_after_an_indented_paragraph_is_a_new_step() -> None:
    out = render("1. One:\n\n   ```\n   code\n   ```\n\n   Then this.\n2. Two.\n")
    assert out.count("<li>") == 2 and "Then this. 2." not in out
