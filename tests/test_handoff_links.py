"""Hand-off notes name the article a run started from, and their links are ready for a ticket.

Also the KB's web address (``.kbstudio/links.yaml``), the ``long`` field marker and the inline HTML
the run panel shows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbstudio.cli import main
from kbstudio.handoff import (
    RESOLVED,
    SOLVED,
    AnswersError,
    CheckAnswer,
    SopRun,
    build_note,
    resolution_article,
    run_from_answers,
    run_to_answers,
    started_from,
)
from kbstudio.kb import KnowledgeBase
from kbstudio.kbconfig import KbConfig, load_kb_config
from kbstudio.sop import counted, find_document, inline_html, parse_sop
from tests.conftest import write

OUTLOOK = "KB-0019"
OUTLOOK_TITLE = "Outlook keeps asking for a password"
OUTLOOK_PATH = "articles/email/outlook-keeps-asking-for-password.md"
EMAIL_SOP = "SOP-0004"
OUTAGE = "KB-0044 Check for a known outage before you troubleshoot"
WEB = "https://kb.larkfield.example/"


@pytest.fixture()
def email(content_copy: Path):
    documents = KnowledgeBase(content_copy).load_all()
    return parse_sop(find_document(documents, EMAIL_SOP)), documents


def _run(**changes) -> SopRun:
    run = SopRun(issue="Outlook asks for my password every few minutes", article=OUTLOOK,
                 checks={0: CheckAnswer("done", "no incident")},
                 fields={"Affected mailbox": "j.smith", "Where it fails": "Outlook for Windows only",
                         "Exact error or bounce": "Need Password\nWe couldn't sign you in.",
                         "Steps already tried": "signed out and in; cleared credentials"})
    for key, value in changes.items():
        setattr(run, key, value)
    return run


def test_the_note_names_the_article_the_run_started_from(email) -> None:
    sop, documents = email
    note = build_note(sop, _run(), version="abc1234", documents=documents)
    text, markdown = note.text(), note.markdown()
    assert f"Started from: {OUTLOOK} {OUTLOOK_TITLE}\n" in text
    assert f"- **Started from:** {OUTLOOK} {OUTLOOK_TITLE}\n" in markdown
    assert started_from(_run(), documents).rel_path == OUTLOOK_PATH
    assert started_from(_run(article=OUTLOOK_PATH), documents).id == OUTLOOK, "by KB path too"
    assert "Started from" not in build_note(sop, _run(article=""), documents=documents).text()


def test_links_are_the_document_id_and_title_never_a_kb_path(email) -> None:
    sop, documents = email
    note = build_note(sop, _run(), version="abc1234", documents=documents)
    text, markdown = note.text(), note.markdown()
    assert f"[x] Check for a known incident with {OUTAGE}.\n" in text
    assert f"- [x] Check for a known incident with {OUTAGE}.\n" in markdown
    assert "SOP: SOP-0004 Escalate email delivery and Outlook problems, version abc1234\n" in text
    # A link whose text is not the title keeps both; a web link keeps its address in plain text.
    assert "Outlook data file errors: rebuild the offline cache" in text
    assert "Outlook on the web at https://outlook.office.com to tell" in text
    for rendered in (text, markdown):
        assert ".md" not in rendered and "](../" not in rendered and "articles/" not in rendered


def test_with_a_web_base_links_carry_the_absolute_address(email) -> None:
    sop, documents = email
    config = KbConfig(web_base=WEB)
    note = build_note(sop, _run(), version="abc1234", documents=documents, config=config)
    text, markdown = note.text(), note.markdown()
    url = f"{WEB}{OUTLOOK_PATH}"
    assert f"Started from: {OUTLOOK} {OUTLOOK_TITLE} ({url})\n" in text
    assert f"- **Started from:** [{OUTLOOK} {OUTLOOK_TITLE}]({url})\n" in markdown
    assert f"with [{OUTAGE}]({WEB}articles/outages/check-for-a-known-outage.md)." in markdown
    assert f"- **SOP:** [SOP-0004 Escalate email delivery and Outlook problems]({WEB}sops/" in markdown
    assert "](../" not in markdown and "](articles/" not in markdown


def test_resolved_at_l1_links_the_article_not_the_sop(email) -> None:
    sop, documents = email
    # Check 2 (Outlook on the web) links no article: the ticket gets the article the run started from.
    run = _run(checks={1: CheckAnswer(SOLVED, "works on the web: profile rebuilt")})
    assert resolution_article(sop, run, documents).id == OUTLOOK
    note = build_note(sop, run, version="abc1234", documents=documents, config=KbConfig(web_base=WEB))
    assert note.outcome == RESOLVED
    assert f"Link to the ticket: {OUTLOOK} {OUTLOOK_TITLE} ({WEB}{OUTLOOK_PATH})\n" in note.text()
    assert f"- **Link to the ticket:** [{OUTLOOK} {OUTLOOK_TITLE}]({WEB}{OUTLOOK_PATH})\n" in note.markdown()
    assert "Link to the ticket: SOP-" not in note.text()
    # A check that names an article links that article; without a starting article, the SOP.
    linked = _run(checks={4: CheckAnswer(SOLVED)})
    assert resolution_article(sop, linked, documents).id == "KB-0021"
    alone = _run(article="", checks={1: CheckAnswer(SOLVED)})
    assert resolution_article(sop, alone, documents).id == EMAIL_SOP


def test_answers_name_the_article_and_prefill_the_issue(email) -> None:
    sop, documents = email
    run = run_from_answers(sop, {"article": OUTLOOK_PATH}, documents)
    assert (run.article, run.issue) == (OUTLOOK, OUTLOOK_TITLE)
    kept = run_from_answers(sop, {"article": "kb-0019", "issue": "the caller's words"}, documents)
    assert (kept.article, kept.issue) == (OUTLOOK, "the caller's words")
    assert run_to_answers(sop, run)["article"] == OUTLOOK
    assert run_from_answers(sop, run_to_answers(sop, run), documents).article == OUTLOOK
    with pytest.raises(AnswersError, match="article: no document 'KB-9999'"):
        run_from_answers(sop, {"article": "KB-9999"}, documents)


def test_cli_handoff_with_the_kbs_web_base(content_copy: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(content_copy, ".kbstudio/links.yaml", f"web_base: {WEB}\n")
    answers = write(tmp_path, "run.json", json.dumps({"article": OUTLOOK, "checks": {"2": "solved"}}))
    code = main(["handoff", str(content_copy), EMAIL_SOP, "--answers", str(answers), "--markdown",
                 "--no-record"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert f"> {OUTLOOK_TITLE}" in out, "the issue is pre-filled from the article"
    assert f"- **Link to the ticket:** [{OUTLOOK} {OUTLOOK_TITLE}]({WEB}{OUTLOOK_PATH})" in out
    write(content_copy, ".kbstudio/links.yaml", "web_base: file:///srv/kb\n")
    code = main(["handoff", str(content_copy), EMAIL_SOP])
    out, err = capsys.readouterr()
    assert code == 0 and "links.yaml: web_base must be an http:// or https:// address" in err
    assert "file://" not in out


@pytest.mark.parametrize(("base", "url"), [
    ("https://kb.example.com/", "https://kb.example.com/articles/email/caf%C3%A9%20wifi.md"),
    ("https://kb.example.com/docs", "https://kb.example.com/docs/articles/email/caf%C3%A9%20wifi.md"),
    ("https://kb.example.com/{page}/", "https://kb.example.com/articles/email/caf%C3%A9%20wifi/"),
    ("https://git.example.com/it/kb/-/blob/main/{path}",
     "https://git.example.com/it/kb/-/blob/main/articles/email/caf%C3%A9%20wifi.md"),
    ("https://kb.example.com/view?id={id}", "https://kb.example.com/view?id=KB-0007"),
])
def test_document_urls(base: str, url: str) -> None:
    assert KbConfig(web_base=base).document_url("articles/email/café wifi.md", "KB-0007") == url
    assert KbConfig().document_url("articles/x.md", "KB-0007") is None


def test_the_kb_links_file(tmp_path: Path) -> None:
    assert load_kb_config(tmp_path) == KbConfig()
    write(tmp_path, ".kbstudio/links.yaml", "# where the KB is published\nweb_base: https://kb.example.com/\n")
    assert load_kb_config(tmp_path) == KbConfig(web_base="https://kb.example.com/")
    write(tmp_path, ".kbstudio/links.yaml", "web_base: https://kb.example.com/view?id={id}\n")
    assert load_kb_config(tmp_path).document_url("a.md", "KB-1") == "https://kb.example.com/view?id=KB-1"
    write(tmp_path, ".kbstudio/links.yaml", "web_base: [https://a\n")
    assert "links.yaml: cannot be read" in load_kb_config(tmp_path).problems[0]
    write(tmp_path, ".kbstudio/links.yaml", "web_bsae: https://kb.example.com/\n")
    assert "unknown setting 'web_bsae'" in load_kb_config(tmp_path).problems[0]
    write(tmp_path, ".kbstudio/links.yaml", "web_base: javascript:alert(1)\n")
    config = load_kb_config(tmp_path)
    assert config.web_base is None and "http:// or https://" in config.problems[0]
    assert config.document_url("articles/x.md") is None


SOP_WITH_MARKS = """---
id: SOP-0050
title: Marks
kind: sop
tier: L1
escalates_to: L2
---
## Information to collect

- **Exact error** (required, long): the text on screen.
- **Steps tried** (optional) (long): what you did.
- **Device** (required): the name.
- **Notes (long)**: anything else.
- **Asset tag** (optional): (on the label) under the laptop.
"""


def test_fields_marked_long(kb_root: Path, content_copy: Path) -> None:
    write(kb_root, "sops/marks.md", SOP_WITH_MARKS)
    sop = parse_sop(KnowledgeBase(kb_root).load(kb_root / "sops/marks.md"))
    assert [(f.name, f.required, f.long, f.hint) for f in sop.collect] == [
        ("Exact error", True, True, "the text on screen."),
        ("Steps tried", False, True, "what you did."),
        ("Device", True, False, "the name."),
        ("Notes", False, True, "anything else."),
        ("Asset tag", False, False, "(on the label) under the laptop."),
    ]
    assert [p.rule for p in sop.problems if p.rule == "sop-field-requirement"] == ["sop-field-requirement"]
    email = parse_sop(KnowledgeBase(content_copy).load(content_copy / "sops/escalate-email-problems.md"))
    assert [f.name for f in email.collect if f.long] == [
        "Exact error or bounce", "Steps already tried", "Message details"]
    assert email.to_json()["collect"][2]["long"] is True
    for document in KnowledgeBase(content_copy).load_all():
        if document.kind == "sop":
            assert any(f.long for f in parse_sop(document).collect), f"{document.rel_path}: no long field"


def test_inline_html_for_the_run_panel() -> None:
    html = inline_html("Run `a<b>` then see [Fix **it**](../articles/fix.md) or https://status.example.com/a?b=1&c=2.")
    assert html == ('Run <code>a&lt;b&gt;</code> then see <a href="../articles/fix.md">Fix <b>it</b></a> or '
                    '<a href="https://status.example.com/a?b=1&amp;c=2">https://status.example.com/a?b=1&amp;c=2'
                    "</a>.")
    assert inline_html("<script>x</script> ![alt](media/x.png)") == "&lt;script&gt;x&lt;/script&gt; alt"


def test_counted() -> None:
    assert [counted(n, "SOP") for n in (0, 1, 2)] == ["0 SOPs", "1 SOP", "2 SOPs"]
    assert counted(1, "untiered article") == "1 untiered article"
