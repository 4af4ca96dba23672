"""Everything a reader sees is searchable: placeholders, alert and table text, code blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.index.search import SearchOptions
from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase

PLACEHOLDER = """Run the report for `<server name>` and mail it to <User>.

> [!NOTE]
> The quarterly escrow token expires after ninety days.

| Setting | Value |
|---|---|
| Retention bucket | glacierline |
"""

CODE = """Restart the spooler from an elevated prompt.

```powershell
Restart-Service -Name Spooler -Force
Get-PrintJob -PrinterName frobnicator
```
"""

PROSE = "The frobnicator printer jams when duplex is on: turn duplex off in its settings."


def _write(root: Path, rel: str, title: str, body: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\ntitle: {title}\nkind: article\ntier: L1\nstatus: published\n---\n\n"
                    f"# {title}\n\n## Issue\n\n{body}\n", "utf-8")


@pytest.fixture()
def service(tmp_path: Path, index_dir: Path):
    root = tmp_path / "kb"
    _write(root, "report.md", "Monthly report", PLACEHOLDER)
    _write(root, "spooler.md", "Restart the print spooler", CODE)
    _write(root, "jam.md", "Duplex jams", PROSE)
    svc = SearchService(KnowledgeBase(root), index_dir)
    svc.ensure()
    yield svc
    svc.close()


def _first(service: SearchService, text: str) -> tuple[str, str]:
    hit = service.search(text, SearchOptions()).results[0]
    return hit.path, hit.snippet


def test_a_placeholder_is_searchable_and_shown_with_its_brackets(service):
    path, snippet = _first(service, "server name")
    assert path == "report.md"
    assert "&lt;<b>server</b> <b>name</b>&gt;" in snippet


def test_text_inside_an_alert_and_a_table_cell_is_searchable(service):
    assert _first(service, "escrow token")[0] == "report.md"
    assert _first(service, "glacierline")[0] == "report.md"
    path, snippet = _first(service, "glacierline")
    assert "|" not in snippet and "---" not in snippet


def test_a_pasted_command_finds_the_page_with_the_code_block(service):
    assert _first(service, "Restart-Service -Name Spooler -Force")[0] == "spooler.md"


def test_prose_outweighs_a_code_listing_that_shares_a_word(service):
    # "frobnicator" is in jam.md's prose and in spooler.md's code block only
    paths = [hit.path for hit in service.search("frobnicator", SearchOptions()).results]
    assert paths == ["jam.md", "spooler.md"]


def test_the_snippet_shows_the_code_block_a_pasted_command_matched(service):
    path, snippet = _first(service, "Get-PrintJob -PrinterName frobnicator")
    assert path == "spooler.md"
    assert "<b>Get-PrintJob</b>" in snippet or "<b>Get</b>-<b>PrintJob</b>" in snippet
    assert "<b>frobnicator</b>" in snippet


def test_prose_snippets_stay_prose_when_the_code_adds_nothing(service):
    path, snippet = _first(service, "restart spooler elevated prompt")
    assert path == "spooler.md"
    assert "<b>elevated</b> <b>prompt</b>" in snippet
