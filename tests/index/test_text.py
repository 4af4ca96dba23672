"""The text the index stores: reading text from the shared structure pass, placeholders kept as words.

Excerpts marked "corpus" are copied from /work/shared/corpus/officedocs-support, "demo KB" from content/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.index.text import IndexText, index_text, plain_text, split_sections
from kbstudio.model import Document
from kbstudio.reader import parse_document


def _document(text: str) -> Document:
    return parse_document(Path("/kb/a.md"), "a.md", text.encode("utf-8"))


def _parts(text: str) -> IndexText:
    return index_text(_document(text))


@pytest.mark.parametrize("placeholder", [
    "<Domain.suffix>", "<AD FS 2.0 Server Name>", "<User>", "<server name>", "</Directory>"])
def test_placeholders_stay_in_the_text_as_words(placeholder: str) -> None:
    assert plain_text(f"Type {placeholder} here.") == f"Type {placeholder} here."


def test_html_tags_comments_and_autolinks_go() -> None:
    text = ('One<br>two <img src="x.png" alt="shot"> <a href="y.md">three</a> <!-- note --> '
            '<https://example.com/page> <someone@example.com> <B>four</B> <img\n src="z.png">')
    assert plain_text(text).split() == ["One", "two", "three", "four"]


def test_markup_goes_and_placeholders_keep_their_brackets() -> None:
    # Was "Run Get-Mailbox <User>  docs and  here": the '|' and '#' a reader sees in this
    # sentence (no table, no heading) were stripped as if they were markup.
    assert plain_text("> **Run** `Get-Mailbox <User>` | [docs](d.md) and # here") == \
        "Run Get-Mailbox <User> | docs and # here"


def test_sections_come_from_the_structure() -> None:
    body = ("lead #hashtag\n\n# One\n\n```\n# fenced\n```\n\n    # indented\n\nTwo\n===\n\n"
            "- ## In a list\n\n> ## Quoted\n")
    assert [heading for heading, _ in split_sections(body)] == ["", "One", "Two", "In a list", "Quoted"]
    sections = dict(split_sections(body))
    assert sections[""] == "lead #hashtag\n"
    assert "# fenced" in sections["One"] and "# indented" in sections["One"]
    assert sections["Two"] == ""


def test_a_lone_angle_bracket_does_not_swallow_the_tag_after_it() -> None:
    # Was ["x", "<", "5", "and", "bold", ",", "a", "b"]: the '>' of "a > b" went, and the
    # </b> tag parted "bold" from its comma.
    assert plain_text("x < 5 and <b>bold</b>, a > b") == "x < 5 and bold, a > b"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", ["[" * 10**6, "[a](" * 300_000, "[!NOTE" * 200_000, "![" * 500_000])
def test_plain_text_is_linear_on_bracket_floods(text: str) -> None:
    # '[' * 10**6 took about an hour (quadratic) while indexing held the GIL and froze the app.
    assert len(plain_text(text)) > 0


# The demo KB's "Unlock a locked-out account" (content/articles/accounts/unlock-a-locked-account.md).
UNLOCK = """# Unlock a locked-out account

## Issue

The caller can't sign in because their account is locked. Typical phrasings:

- "It says my account is locked out."
- "I tried my password a few times and now nothing works."

What they see depends on where the lock is:

| Where | Message |
|---|---|
| Windows sign-in, file shares | `The referenced account is currently locked out.` |
| Microsoft 365 web sign-in | `Your account is temporarily locked to prevent unauthorized use.` |

## Resolution

2. Check the account state:

   ```powershell
   $sam = Read-Host 'Username'
   ```

   `BadLogonCount` and `LastBadPasswordAttempt` come from the domain controller you queried.
"""


def test_body_has_one_block_per_line_and_an_empty_line_after_each_heading() -> None:
    parts = _parts(UNLOCK)
    assert parts.body == (
        "Unlock a locked-out account\n\n"
        "Issue\n\n"
        "The caller can't sign in because their account is locked. Typical phrasings:\n"
        '"It says my account is locked out."\n'
        '"I tried my password a few times and now nothing works."\n'
        "What they see depends on where the lock is:\n"
        "Where\tMessage\n"
        "Windows sign-in, file shares\tThe referenced account is currently locked out.\n"
        "Microsoft 365 web sign-in\tYour account is temporarily locked to prevent unauthorized use.\n"
        "Resolution\n\n"
        "Check the account state:\n"
        "BadLogonCount and LastBadPasswordAttempt come from the domain controller you queried.")
    assert parts.code == "$sam = Read-Host 'Username'"
    assert parts.headings == "Issue\nResolution"
    assert parts.title == "Unlock a locked-out account"


def test_issue_is_the_issue_sections_reading_text_after_the_description() -> None:
    parts = _parts("---\ndescription: Locked **out** &amp; stuck.\n---\n" + UNLOCK)
    assert parts.issue == (
        "Locked out & stuck.\n"
        "The caller can't sign in because their account is locked. Typical phrasings:\n"
        '"It says my account is locked out."\n'
        '"I tried my password a few times and now nothing works."\n'
        "What they see depends on where the lock is:\n"
        "Where\tMessage\n"
        "Windows sign-in, file shares\tThe referenced account is currently locked out.\n"
        "Microsoft 365 web sign-in\tYour account is temporarily locked to prevent unauthorized use.")


def test_without_an_issue_section_the_lead_or_first_section_stands_in() -> None:
    assert _parts("Lead *text*.\n\n## Steps\n\nDo it.\n").issue == "Lead text."
    assert _parts("# Title\n\nFirst section.\n\n## Steps\n\nDo it.\n").issue == "First section."
    assert _parts("## **Symptoms:**\n\nIt breaks.\n\n## Cause\n\nBecause.\n").issue == "It breaks."


def test_code_blocks_are_their_own_part_and_inline_code_stays_in_the_body() -> None:
    parts = _parts("Run `Get-Mailbox -Identity <User>` first.\n\n```\nfenced &amp; <b>kept</b>\n```\n\n"
                   "    indented\n    two\n\n- item\n\n  ~~~\n  in a list\n  ~~~\n")
    assert parts.body == "Run Get-Mailbox -Identity <User> first.\nitem"
    assert parts.code == "fenced &amp; <b>kept</b>\nindented\ntwo\nin a list"


def test_task_list_markers_go() -> None:
    # Demo KB, content/sops/escalate-file-access-and-data-loss.md ("Before escalating").
    body = ("## Before escalating\n\n"
            "- [ ] Check for a known incident with [Check for a known outage before you troubleshoot]"
            "(../articles/outages/check-for-a-known-outage.md).\n"
            "- [x] For `\\\\files01`, have the caller right-click the parent folder.\n- [ ] \n")
    assert plain_text(body) == (
        "Before escalating\n\n"
        "Check for a known incident with Check for a known outage before you troubleshoot.\n"
        "For \\\\files01, have the caller right-click the parent folder.")


def test_alert_and_div_markers_go_and_their_contents_stay() -> None:
    # Corpus, SharePoint/OneDrive/storage/check-storage-increase-eligibility.md.
    body = (
        "> [!NOTE]\n> This diagnostic isn't available for the GCC High or DoD environments.\n\n"
        "1. Select **Run Tests** below, which will populate the diagnostic in the Microsoft 365 "
        "Admin Center. \n\n"
        "    > [!div class=\"nextstepaction\"]\n"
        "    > [Run Tests: OneDrive Storage Limited to 5TB](https://aka.ms/PillarOneDriveStorageLimited)\n\n"
        "1. In the **Run diagnostics** section, type or paste the User Principle Name (UPN).\n\n"
        "    :::image type=\"content\" "
        "source=\"media/check-storage-increase-eligibility/storage-limited.png\" "
        "alt-text=\"Screenshot of the Need Help window says we understand you want to increase OneDrive "
        "storage beyond 5 TB.\":::\n")
    assert plain_text(body) == (
        "This diagnostic isn't available for the GCC High or DoD environments.\n"
        "Select Run Tests below, which will populate the diagnostic in the Microsoft 365 Admin Center.\n"
        "Run Tests: OneDrive Storage Limited to 5TB\n"
        "In the Run diagnostics section, type or paste the User Principle Name (UPN).\n"
        "Screenshot of the Need Help window says we understand you want to increase OneDrive storage "
        "beyond 5 TB.")


def test_include_and_video_lines_go() -> None:
    # Corpus: SkypeforBusiness/.../you-cant-sign-in-with-this-version-of-lync.md and
    # Microsoft365/admin/active-directory/set-up-adfs-for-single-sign-on.md.
    body = ("Before.\n\n[!INCLUDE [Third-party information disclaimer]"
            "(../../../includes/third-party-information-disclaimer.md)]\n\n"
            "> [!VIDEO https://www.microsoft.com/videoplayer/embed/9ffdb7ee-07bf-45ba-adec-f1acf576bd65]\n\n"
            "After, with :::image type=\"icon\" source=\"x.png\"::: an icon and "
            ":::no-loc text=\"Teams\"::: kept.\n")
    assert plain_text(body) == "Before.\nAfter, with an icon and Teams kept."


def test_entities_are_decoded() -> None:
    # Corpus, SkypeforBusiness/SkypeHybrid/hybrid-sign-in/sso-no-longer-works.md.
    assert plain_text("_Original KB number:_ &nbsp; 4508931\n") == "Original KB number: 4508931"
    assert plain_text("A &amp; B, &lt;User&gt;, &copy; &#169; &#xA9;, &bogus; and ?a=1&copy=2") == \
        "A & B, <User>, © © ©, &bogus; and ?a=1&copy=2"


def test_backslash_escapes_show_their_characters() -> None:
    # Corpus, Outlook/Mac/diagnostic-logging/how-to-enable-logging-in-outlook-for-mac.md.
    body = ("3. Type the following command in **Terminal** window:\n\n"
            "    > [!NOTE]\n    > The placeholder \\<max bytes\\> represents a byte value.\n\n"
            "Use \\_underscores\\_, \\*stars\\* and a line\\\nbreak; `code \\_ stays`.\n")
    assert plain_text(body) == (
        "Type the following command in Terminal window:\n"
        "The placeholder <max bytes> represents a byte value.\n"
        "Use _underscores_, *stars* and a line break; code \\_ stays.")


def test_links_keep_their_text_and_images_their_alt_text() -> None:
    text = ("See [the docs](https://example.com/a_(b) \"Title\"), ![a screenshot](shot.png), "
            "[![badge](b.png)](page.md), [a reference][ref] and "
            "[[MS-ASHTTP]: Exchange ActiveSync](/openspecs/ms-ashttp).\n\n[ref]: https://example.com\n")
    assert plain_text(text) == \
        "See the docs, a screenshot, badge, a reference and [MS-ASHTTP]: Exchange ActiveSync."


def test_emphasis_markers_go_and_snake_case_stays() -> None:
    assert plain_text("**Bold**, *it*, __init__, _em_, ***both***, ~~old~~, file_name, a * b, x _ y") == \
        "Bold, it, init, em, both, old, file_name, a * b, x _ y"


def test_table_cells_lose_pipes_and_keep_their_text() -> None:
    # Corpus, Office/Client/office-suite-issues/set-default-font.md (shortened).
    table = ("|ADMX|Policy name|Value|\n|---|---|---|\n"
             "|excel16.admx|Font|Name, Size<br/>Arial, 10|\n| a \\| b | `c \\| d` | |\n")
    assert plain_text(table) == \
        "ADMX\tPolicy name\tValue\nexcel16.admx\tFont\tName, Size Arial, 10\na | b\tc | d"


def test_html_blocks_keep_their_text_and_comments_go() -> None:
    text = ("<details>\n<summary>Show the steps</summary>\n\nStep one &amp; two.\n\n</details>\n\n"
            "<!-- A hint\nfor authors -->\n\nText after.\n")
    assert plain_text(text) == "Show the steps\nStep one & two.\nText after."


def test_setext_headings_and_their_underlines() -> None:
    assert plain_text("Title\n=====\n\nSetext two\nlines\n---\n\ntext") == "Title\n\nSetext two lines\n\ntext"


def test_text_is_nfc() -> None:
    assert _parts("# Re\u0301seau\n\nMu\u0308nchen\n").body == "R\u00e9seau\n\nM\u00fcnchen"


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("text", "body"), [
    ("[" * 10**6, "[" * 10**6),
    ("<" * 10**6, "<" * 10**6),
    ("`" * 10**6, ""),                        # an opening code fence: an empty code block
    ("x " + "`" * 10**6, "x " + "`" * 10**6),  # a backtick run that nothing closes is text
    ("`a" * 500_000, "a" * 500_000),
    (">" * 10**5 + " deep", ">" * (10**5 - 32) + " deep"),   # 32 levels deep, the rest is text
    ("\\" * 10**6, "\\" * (10**6 // 2)),
    ("x " + "_ " * 500_000, "x " + "_ " * 499_999 + "_"),
    ("<!--" * 200_000, ""),
    ("&#" * 500_000, "&#" * 500_000),
    ("[x][" * 300_000, "[x][" * 300_000),
    ("[!INCLUDE [" * 100_000, "[!INCLUDE [" * 99_999 + "[!INCLUDE ["),
])
def test_index_text_is_linear_on_floods(text: str, body: str) -> None:
    parts = _parts(text)
    assert parts.body == body
