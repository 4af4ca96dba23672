"""Rendering under a time budget in a real child process: hostile Markdown ends in bounded time.

The four pathological inputs are the issue's: each kept Python-Markdown busy for over 15 s in
process. Now each either renders (the renderer may learn to refuse some itself, as it does deep
nesting) or is stopped at the 1 s budget and shown as plain text. The tests of the mechanism
itself use a renderer with a tight budget, so they hold whatever the renderer learns. The file
runs in about 10 s.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbstudio.render_budget import (
    CRASHED,
    ERROR,
    TIMEOUT,
    BudgetedRenderer,
    BudgetedResult,
    plain_text_fallback,
)

pytestmark = pytest.mark.timeout(120)

SLACK_S = 3.0          # budget (1 s) plus kill and fallback, with room for a busy CI machine
TIGHT_BUDGET_S = 0.25  # any 1 MB document takes longer than this in Python-Markdown (1 MB prose: ~2 s)
NOTICE = "took too long to format"
PATHOLOGICAL = {
    "emphasis openers": ("*a" * 500_000, "*a*a*a*a"),
    "link openers": ("[" * 10**6, "[[[["),
    "deep quotes": ("\n".join("> " * i + "x" for i in range(1500)), "&gt; &gt; &gt; x"),
    "deep lists": ("\n".join("  " * i + "- x" for i in range(3000)), "      - x"),   # 9 MB
}
SLOW = "[" * 10**6
ARTICLE = "---\ntitle: Reset\n---\n# Reset a password\n\nSee [the policy](policy.md) and **do it**.\n"


@pytest.fixture(scope="module")
def renderer() -> Iterator[BudgetedRenderer]:
    """One renderer with the app's budget, for the module: its child is reused across tests."""
    with BudgetedRenderer() as shared:
        yield shared


@pytest.fixture(scope="module")
def tight() -> Iterator[BudgetedRenderer]:
    """A renderer whose budget every 1 MB document overruns: the fallback path, quickly."""
    with BudgetedRenderer(budget_s=TIGHT_BUDGET_S) as shared:
        yield shared


def timed_render(renderer: BudgetedRenderer, text: str,
                 base_dir: Path | None = None) -> tuple[BudgetedResult, float]:
    """Render ``text`` with a warm child (start-up is not part of the budget); return (result, seconds)."""
    renderer.render("warm")
    started = time.monotonic()
    result = renderer.render(text, base_dir)
    return result, time.monotonic() - started


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_pathological_input_ends_in_bounded_time(renderer: BudgetedRenderer, name: str) -> None:
    text, shown = PATHOLOGICAL[name]
    result, seconds = timed_render(renderer, text)
    assert seconds < SLACK_S
    html = result.rendered.html
    assert shown in html   # the text itself, escaped, whichever way it ended
    if result.is_fallback:
        assert result.timed_out and result.fallback == TIMEOUT
        assert result.notice is not None and NOTICE in result.notice
        assert html.startswith('<p class="render-notice">') and NOTICE in html.split("\n", 1)[0]
        assert result.rendered.links == []


def test_the_issue_example_times_out_to_the_notice_and_the_text(renderer: BudgetedRenderer) -> None:
    result, seconds = timed_render(renderer, SLOW)
    assert seconds < SLACK_S
    assert result.timed_out and NOTICE in result.rendered.html and "[[[[" in result.rendered.html


def test_a_normal_document_renders_real_html(renderer: BudgetedRenderer, tmp_path: Path) -> None:
    result, seconds = timed_render(renderer, ARTICLE, tmp_path)
    assert not result.is_fallback and result.notice is None
    assert "<h1" in result.rendered.html and "<strong>do it</strong>" in result.rendered.html
    assert "title: Reset" not in result.rendered.html
    assert result.rendered.links == ["policy.md"]
    assert seconds < SLACK_S


def test_the_child_starts_lazily_and_is_reused() -> None:
    with BudgetedRenderer() as renderer:
        assert renderer.pid is None   # nothing started by construction (nor by import)
        first = renderer.render(ARTICLE)
        pid = renderer.pid
        second = renderer.render(ARTICLE)
        assert pid is not None and renderer.pid == pid
        assert first.start_seconds > 0 and second.start_seconds == 0.0
        assert second.seconds + second.start_seconds < first.seconds + first.start_seconds
        assert not first.is_fallback and not second.is_fallback
    assert renderer.pid is None


def test_after_a_timeout_the_next_render_works(tight: BudgetedRenderer) -> None:
    tight.render("warm")
    before = tight.pid
    slow, seconds = timed_render(tight, SLOW)
    assert slow.timed_out and seconds < SLACK_S
    assert f"over {TIGHT_BUDGET_S:g} s" in (slow.notice or "")
    after = tight.render(ARTICLE)
    assert not after.is_fallback and "<h1" in after.rendered.html
    assert tight.pid != before


def test_hostile_text_in_the_fallback_is_escaped_without_front_matter(tight: BudgetedRenderer) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    result, _ = timed_render(tight, f"---\ntitle: Secret title\n---\n{hostile}\n" + SLOW)
    assert result.timed_out
    html = result.rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert "<img" not in html
    assert "Secret title" not in html


def test_a_child_killed_mid_render_gives_a_crash_fallback_then_recovers(renderer: BudgetedRenderer) -> None:
    renderer.render("warm")
    pid = renderer.pid
    assert pid is not None
    threading.Timer(0.2, os.kill, (pid, signal.SIGKILL)).start()
    result = renderer.render(SLOW)
    assert result.fallback == CRASHED and "[[[[" in result.rendered.html
    assert not renderer.render(ARTICLE).is_fallback


def test_a_child_that_died_while_idle_is_replaced_quietly(renderer: BudgetedRenderer) -> None:
    renderer.render("warm")
    pid = renderer.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while renderer._process is not None and renderer._process.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    result = renderer.render(ARTICLE)
    assert not result.is_fallback and renderer.pid != pid


def test_an_error_in_the_renderer_gives_an_error_fallback(renderer: BudgetedRenderer) -> None:
    # A base folder that is not a path fails the local-image check inside the child.
    result = renderer.render("# Title\n\n![shot](shot.png)\n", 42)  # type: ignore[arg-type]
    assert result.fallback == ERROR and "TypeError" in (result.notice or "")
    assert "![shot](shot.png)" in result.rendered.html
    assert not renderer.render(ARTICLE).is_fallback   # the child was kept


def test_a_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BudgetedRenderer(budget_s=0)


def test_long_lines_in_the_fallback_are_cut_so_the_read_view_can_lay_them_out() -> None:
    html = plain_text_fallback("a" * 2_500 + "\nshort line\n" + "b" * 1_000, "Notice.").html
    body = html.split("<pre", 1)[1].split(">", 1)[1].removesuffix("</pre>")
    assert body.split("\n") == ["a" * 1_000, "a" * 1_000, "a" * 500, "short line", "b" * 1_000]
