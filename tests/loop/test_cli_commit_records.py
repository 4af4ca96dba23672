"""Real git: ``kbstudio commit`` commits documents, not the knowledge loop's records (Sync commits those
on their own); records named explicitly are committed."""

from __future__ import annotations

import pytest

from kbstudio.cli import main
from tests.vcs.conftest import Side


def test_commit_leaves_loop_records_out_unless_named(alice: Side, capsys: pytest.CaptureFixture[str]) -> None:
    kb = str(alice.root)
    rel = "articles/doc-1.md"
    assert main(["use", kb, rel, "--tier", "L2"]) == 0
    text = alice.read(rel)
    alice.write(rel, text.replace("title: ", "title: B edits ", 1))
    capsys.readouterr()
    assert main(["commit", kb, "-m", "B edits title"]) == 0
    _, err = capsys.readouterr()
    assert "committed 1 files" in err                     # the log and its .gitattributes (merge=union):
    assert "left out 2 knowledge-loop record file(s)" in err
    assert alice.git("show", "--name-only", "--format=", "HEAD").split() == [rel]
    pending = alice.git("status", "--porcelain", "--untracked-files=all").split("\n")
    usage = [line[3:] for line in pending if line.startswith("?? .kbstudio/usage/")]
    assert sorted(name.rsplit(".", 1)[-1] for name in usage) == ["gitattributes", "jsonl"]
    assert main(["commit", kb, *usage, "-m", "Record the use"]) == 0   # named: committed
    assert sorted(alice.git("show", "--name-only", "--format=", "HEAD").split()) == sorted(usage)
