"""The comparison behind bench/render_fidelity.py, on small hand-written pairs of reference and our HTML."""

from __future__ import annotations

import cmarkgfm
from cmarkgfm.cmark import Options

from bench.fidelity import (
    TEXT_LOSS_MIN_WORDS,
    Loss,
    compare,
    extract,
    normalise_code,
    placeholders,
)

PROSE = "<p>Open the admin center and sign in with an account that has the role you need.</p>"


def kinds(reference: str, ours: str) -> list[str]:
    """Return the loss kinds ``compare`` finds, in its order."""
    return [loss.kind for loss in compare(reference, ours)]


def test_identical_html_agrees() -> None:
    page = PROSE + "<ul><li>one</li><li>two</li></ul><pre><code>Get-Mailbox\n</code></pre>"
    assert compare(page, page) == []


def test_highlighted_code_with_spans_equals_the_plain_block() -> None:
    reference = '<pre lang="powershell"><code>Get-Item x\n  &lt;path&gt;   \n</code></pre>'
    ours = ('<div class="highlight"><pre><span></span><span style="color: #007020">Get-Item</span> x\n'
            "  &lt;path&gt;\n</pre></div>")
    assert compare(reference, ours) == []


def test_code_block_folded_to_one_line_is_a_code_loss() -> None:
    reference = "<pre><code>$a = 1\n$b = 2\n</code></pre>"
    ours = "<p><code>$a = 1 $b = 2</code></p>"
    assert compare(reference, ours) == [Loss("code", "folded into one line", "$a = 1")]


def test_code_block_causes_whitespace_merged_and_missing() -> None:
    assert compare("<pre>a\n  b</pre>", "<pre>a\nb</pre>") == [Loss("code", "whitespace differs", "a")]
    assert compare("<pre>a\nb\n\n</pre>", "<pre>\na\nb</pre>") == []   # blank edge lines are invisible
    assert compare("<pre>b</pre><pre>c</pre>", "<pre>b\nc</pre>") == [
        Loss("code", "merged into a longer block", "b"), Loss("code", "merged into a longer block", "c")]
    twice = "<pre>x = 1</pre><pre>x = 1</pre>"
    assert compare(twice, "<pre>x = 1</pre>") == [Loss("code", "missing", "x = 1")]


def test_fewer_list_items_tables_and_cells() -> None:
    reference = "<ol><li>a</li><li>b</li></ol><table><tr><th>h</th></tr><tr><td>a</td></tr></table>"
    ours = "<ol><li>a b</li></ol><p>h a</p>"
    assert compare(reference, ours) == [
        Loss("list_items", "fewer list items", "1 < 2"),
        Loss("tables", "fewer tables", "0 < 1"),
        Loss("tables", "fewer cells", "0 < 2"),
    ]


def test_alert_box_satisfies_the_alert_check() -> None:
    reference = "<blockquote>\n<p>[!note]\nRestart the service.</p>\n</blockquote>"
    ours = '<div class="alert alert-note"><p class="alert-title">Note</p><p>Restart the service.</p></div>'
    assert compare(reference, ours) == []


def test_alert_shown_as_text_and_box_missing() -> None:
    reference = "<blockquote>\n<p>[!WARNING]\nBack up first.</p>\n</blockquote>"
    ours = "<blockquote><p>[!WARNING] Back up first.</p></blockquote>"
    assert compare(reference, ours) == [
        Loss("alert_text", "[!WARNING]", "[!WARNING] Back up first."),
        Loss("alert_box", "alert-warning", "0 < 1"),
    ]


def test_alert_marker_in_code_is_not_shown_as_text() -> None:
    page = "<p>Write <code>&gt; [!NOTE]</code> to start a note.</p>"
    assert compare(page, page) == []


def test_docfx_colons_in_code_are_not_a_loss() -> None:
    page = '<p>Use <code>:::image type="content":::</code> in DocFX.</p><pre>:::zone pivot="a"</pre>'
    assert compare(page, page) == []


def test_docfx_colons_in_text_are_a_loss_per_directive() -> None:
    reference = '<p>:::image type="content" source="a.png" alt-text="Sign-in page.":::</p>'
    ours = '<p>:::image type="content" source="a.png" alt-text="Sign-in page.":::</p><p>:::zone-end:::</p>'
    assert compare(reference, ours) == [
        Loss("docfx_text", ":::image", ':::image type="content" source="a.png" alt-text="Sign-in page.":::'),
        Loss("docfx_text", ":::zone-end", ":::zone-end:::"),
    ]


def test_missing_placeholder_is_detected() -> None:
    reference = "<p>Run the check on &lt;AD FS 2.0 Server Name&gt; and &lt;Domain.suffix&gt; today.</p>"
    ours = "<p>Run the check on  and &lt;Domain.suffix&gt; today.</p>"
    assert kinds(reference, ours) == ["placeholder", "text_lost"]
    assert compare(reference, ours)[0] == Loss("placeholder", "not shown", "<AD FS 2.0 Server Name>")


def test_placeholder_in_reference_code_is_not_required_in_text() -> None:
    reference = "<p>Set <code>&lt;max bytes&gt;</code> first.</p>"
    ours = "<p>Set <code>max bytes</code> first.</p>"
    assert compare(reference, ours) == []


def test_placeholders_are_found_within_one_block_only() -> None:
    page = "<p>a &lt;b c&gt; &lt;b c&gt;</p><p>x &lt; 1</p><p>2 &gt; y</p>"
    assert placeholders(extract(page).text) == ["<b c>"]


def test_swallowed_paragraph_is_text_lost() -> None:
    lost = "<p>Restart the Microsoft Exchange Transport service on every mailbox server afterwards.</p>"
    found = compare(PROSE + lost, PROSE)
    assert [loss.kind for loss in found] == ["text_lost"]
    assert found[0].detail == ("11/27 words (40.7%): "
                               "Restart the Microsoft Exchange Transport service on every mailbox ser…")


def test_small_word_differences_and_docfx_syntax_are_not_text_lost() -> None:
    reference = PROSE + '<p>:::image type="content" source="media/sign.png" alt-text="Sign-in page.":::</p>'
    ours = PROSE + '<p><span class="remote-image">[remote image not loaded: Sign-in page.]</span></p>'
    assert compare(reference, ours) == []
    few = " ".join(f"w{index}" for index in range(TEXT_LOSS_MIN_WORDS - 1))
    assert compare(f"<p>{few}</p>", "<p></p>") == []


def test_extract_counts_and_normalises() -> None:
    page = ("<ul><li>a<ul><li>b</li></ul></li></ul><table><thead><tr><th>x</th><th>y</th></tr></thead>"
            "<tbody><tr><td>1</td><td>2</td></tr></tbody></table><pre>line  \nnext\n\n</pre>")
    found = extract(page)
    assert (found.list_items, found.tables, found.cells) == (2, 1, 4)
    assert found.code_blocks == ["line\nnext"]
    assert normalise_code("\n  \n  a \n\n b\n\n") == "  a\n\n b"


def test_cmark_gfm_shows_alerts_and_placeholders_as_the_checks_expect() -> None:
    markdown = "> [!Note]\n> Sign in to \\<Domain.suffix>.\n"
    found = extract(cmarkgfm.github_flavored_markdown_to_html(markdown, Options.CMARK_OPT_UNSAFE))
    assert found.alert_quotes == {"note": 1}
    assert placeholders(found.text) == ["<Domain.suffix>"]
