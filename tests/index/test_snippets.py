"""Snippets are reading text: block boundaries shown as separators, never markup, HTML-escaped.

Each excerpt is copied from a real document (the demo KB in content/ or the corpus at
/work/shared/corpus/officedocs-support) whose old snippet showed markup.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kbstudio.index.snippets import hit_test, make_snippet, readable
from kbstudio.index.text import index_text
from kbstudio.reader import parse_document


def _snippet(markdown: str, *words: str) -> str:
    document = parse_document(Path("/kb/a.md"), "a.md", markdown.encode("utf-8"))
    return make_snippet(index_text(document).body, hit_test(set(), set(words)))


# Demo KB, content/articles/accounts/unlock-a-locked-account.md.
UNLOCK = "\n".join([
    "# Unlock a locked-out account",
    "",
    "## Issue",
    "",
    "The caller can't sign in because their account is locked. Typical phrasings:",
    "",
    '- "It says my account is locked out."',
    '- "I tried my password a few times and now nothing works."',
    '- "Teams and Outlook keep telling me to try again later."',
    "",
    "What they see depends on where the lock is:",
    "",
    "| Where | Message |",
    "|---|---|",
    "| Windows sign-in, file shares "
    "| `The referenced account is currently locked out and may not be logged on to.` |",
    "| Microsoft 365 web sign-in | `Your account is temporarily locked to prevent unauthorized use. "
    "Try again later, and if you still have trouble, contact your admin.` |",
    "",
])


def test_a_heading_is_set_off_from_the_sentence_after_it() -> None:
    # Was "…a locked-out account Issue The <b>caller</b> can&#x27;t sign in because their account is
    # locked. Typical phrasings: - &quot;It says my account is locked out.&quot; - &quot;I tried…".
    assert _snippet(UNLOCK, "caller") == (
        "Unlock a locked-out account — Issue — The <b>caller</b> can&#x27;t sign in because their account "
        "is locked. Typical phrasings: · &quot;It says my account is locked out.&quot; · &quot;I tried my "
        "password a few times and now nothing works.&quot; · &quot;Teams and…")


def test_a_table_reads_as_cells_and_rows_without_pipes_or_its_delimiter_row() -> None:
    # Was "…depends on where the lock is: Where <b>Message</b> ------ Windows sign-in, file shares The
    # referenced account is currently locked out and may not be logged on to. Microsoft 365 web…".
    assert _snippet(UNLOCK, "message") == (
        "…depends on where the lock is: · Where – <b>Message</b> · Windows sign-in, file shares – The "
        "referenced account is currently locked out and may not be logged on to. · Microsoft 365 web "
        "sign-in – Your account is temporarily locked to prevent…")


def test_a_task_list_reads_without_its_markers() -> None:
    # Demo KB, content/sops/escalate-file-access-and-data-loss.md. Was "…escalating - [ ] Check for a
    # known <b>incident</b> with … troubleshoot. - [ ] For \\files01, … choose Properties Previous Versions…".
    markdown = ("## Before escalating\n\n"
                "- [ ] Check for a known incident with [Check for a known outage before you troubleshoot]"
                "(../articles/outages/check-for-a-known-outage.md).\n"
                "- [ ] For `\\\\files01`, have the caller right-click the parent folder, choose Properties > "
                "Previous Versions, and check for a copy from before the loss.\n")
    assert _snippet(markdown, "incident") == (
        "Before escalating — Check for a known <b>incident</b> with Check for a known outage before you "
        "troubleshoot. · For \\\\files01, have the caller right-click the parent folder, choose Properties "
        "&gt; Previous Versions, and check for a…")


def test_a_next_step_button_reads_as_its_text() -> None:
    # Corpus, SharePoint/OneDrive/storage/check-storage-increase-eligibility.md. Was "…Education customers.
    # 1. Select Run <b>Tests</b> below, … Admin Center. [!div class=&quot;nextstepaction&quot;] Run
    # <b>Tests</b>: OneDrive Storage Limited to 5TB 1. In the Run…".
    markdown = (
        "> [!NOTE]\n> This diagnostic isn't available for the GCC High or DoD environments, or for "
        "Microsoft 365 operated by 21Vianet, or for Microsoft Education customers.\n\n"
        "1. Select **Run Tests** below, which will populate the diagnostic in the Microsoft 365 "
        "Admin Center. \n\n"
        "    > [!div class=\"nextstepaction\"]\n"
        "    > [Run Tests: OneDrive Storage Limited to 5TB](https://aka.ms/PillarOneDriveStorageLimited)\n\n"
        "1. In the **Run diagnostics** section, type or paste the User Principle Name (UPN) of the "
        "user whose OneDrive storage limit needs to be increased, and then select **Run Tests**.\n")
    assert _snippet(markdown, "tests") == (
        "…Education customers. · Select Run <b>Tests</b> below, which will populate the diagnostic in the "
        "Microsoft 365 Admin Center. · Run <b>Tests</b>: OneDrive Storage Limited to 5TB · In the Run "
        "diagnostics section, type or paste the User…")


def test_a_non_breaking_space_entity_reads_as_a_space() -> None:
    # Corpus, SkypeforBusiness/SkypeHybrid/hybrid-sign-in/sso-no-longer-works.md. Was "…in Skype for
    # Business Original KB <b>number</b>: &amp;nbsp; 4508931 Symptoms New users can&#x27;t sign in…".
    markdown = ("# Can't sign in using SSO if ADAL and AD FS used in Skype for Business\n\n"
                "_Original KB number:_ &nbsp; 4508931\n\n## Symptoms\n\n"
                "New users can't sign in to Microsoft Skype for Business 2016 on-premises using the "
                "Single Sign-on (SSO) method when Azure Active Directory Authentication Library (ADAL) "
                "and Active Directory Federation Services (AD FS) are used.\n")
    assert _snippet(markdown, "number") == (
        "…in Skype for Business — Original KB <b>number</b>: 4508931 · Symptoms — New users can&#x27;t "
        "sign in to Microsoft Skype for Business 2016 on-premises using the Single Sign-on (SSO) method "
        "when Azure Active Directory Authentication…")


def test_a_video_line_and_an_escaped_placeholder_read_cleanly() -> None:
    # Corpus, Microsoft365/admin/active-directory/set-up-adfs-for-single-sign-on.md and
    # Outlook/Mac/diagnostic-logging/how-to-enable-logging-in-outlook-for-mac.md. Was "This <b>video</b>
    # shows how to set up AD FS. [!<b>VIDEO</b> https://www.microsoft.com/videoplayer/embed/9ffdb7ee-…]
    # The <b>placeholder</b> \&lt;max bytes&gt; represents a byte value.".
    markdown = ("This video shows how to set up AD FS.\n\n"
                "> [!VIDEO https://www.microsoft.com/videoplayer/embed/9ffdb7ee-07bf-45ba-adec-f1acf576bd65]\n\n"
                "> [!NOTE]\n> The placeholder \\<max bytes> represents a byte value.\n")
    assert _snippet(markdown, "video", "placeholder") == (
        "This <b>video</b> shows how to set up AD FS. · The <b>placeholder</b> &lt;max bytes&gt; "
        "represents a byte value.")


def test_the_window_holds_the_most_query_words() -> None:
    text = ("printer " * 60 + "\n" + "filler " * 60 + "\nThe printer queue is stuck on spooler.\n"
            + "tail " * 60)
    snippet = make_snippet(text, hit_test(set(), {"printer", "spooler"}))
    assert "<b>printer</b> queue is stuck on <b>spooler</b>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")


def test_without_a_match_the_start_is_shown_cut_between_words() -> None:
    text = "Heading\n\n" + "word " * 100
    assert make_snippet(text, None, width=40) == "Heading — word word word word word word…"
    assert make_snippet("  \n ", None) == ""


def test_readable_separators() -> None:
    assert readable("Heading\n\nFirst block\nA\tB\nC\tD\n") == "Heading — First block · A – B · C – D"


@pytest.mark.timeout(20)
def test_snippets_stay_fast() -> None:
    text = ("Reset the password for the caller.\nThe caller\tcan't sign in\n" * 1000)[:30_000]
    is_hit = hit_test({"caller", "password"}, {"caller", "password"})
    started = time.perf_counter()
    for _ in range(1000):
        make_snippet(text, is_hit)
    assert time.perf_counter() - started < 5   # about 0.1 ms each; 5 ms each would be a regression
