"""Personal data rules: people's email addresses and phone numbers belong in the ticket, not the KB.

Not personal: role and shared mailboxes (servicedesk@, noreply@, accounts-payable@), placeholders
(user@, name@, firstname.lastname@), documentation domains (example.com/.net/.org and the fictitious
companies of vendor docs such as contoso.com), toll-free numbers and the 555-01xx fiction range.
A domain under the reserved ``.example`` top-level domain is treated as a real organisation's:
fictional KBs such as the demo use it for their own staff.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kbstudio.lint.page import Page
from kbstudio.lint.rule import Finding, LintContext

ROLE_WORDS = frozenset(
    "abuse account accounts admin administrator alert alerts alias all billing booking bounce "
    "calendar contact daemon desk do donotreply email example facilities finance first firstname "
    "group hello help helpdesk hostmaster hr info invoice invoices it itsupport journal last lastname "
    "mail mailbox mailer marketing me name no noc noreply not notification notifications office ops "
    "operations payable payroll postmaster printer privacy receivable reception recruiting reply room "
    "sales scan scanner security service servicedesk shared someone soc support team test user "
    "username webmaster you your yourname".split()
)
PLACEHOLDER_DOMAINS = frozenset(
    "example.com example.net example.org domain.com yourdomain.com yourcompany.com company.com".split()
)
# The fictitious companies of Microsoft's documentation, in any domain (contoso.com, contoso.onmicrosoft.com).
PLACEHOLDER_NAMES = frozenset(
    "contoso fabrikam adatum tailspintoys wingtiptoys fourthcoffee treyresearch litwareinc northwindtraders "
    "woodgrovebank proseware adventure-works alpineskihouse cohowinery lucernepublishing relecloud "
    "wideworldimporters margiestravel domain yourdomain mydomain company yourcompany foo".split()
)
PLACEHOLDER_TLDS = ("test", "invalid", "localhost", "local")
_EMAIL = re.compile(r"(?<![\w.%+-])([\w.%+-]+)@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})(?![\w-])")
_LOCAL_WORDS = re.compile(r"[a-z]+")
_MACHINE_LOCAL = re.compile(r"(?=[0-9a-f]*\d[0-9a-f]*\d[0-9a-f]*\d)[0-9a-f]{6,}", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w.+=/-])(?:"
    r"\+\d{1,3}(?:[ -]?\(?\d{1,4}\)?){2,6}"  # international: +44 20 7946 0958 (dots make decimals)
    r"|\(\d{3}\)[ -]?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}"  # North American: (425) 555-0100, 425-555-0100
    r"|0[1-9]\d{0,3}([ -])\d{2,4}\1\d{2,4}(?:\1\d{2,4})?"  # national trunk prefix: 020 7946 0958
    r")(?![\w.-]*\d)"
)
_PHONE_CANDIDATE = re.compile(r"[+(0-9][0-9 ().-]{7,}[0-9]")
_TOLL_FREE = re.compile(r"^(?:\+?1)?(?:800|888|877|866|855|844|833)|^(?:\+44|0)80[08]|^(?:\+49|0)800")
_FICTION = re.compile(r"555(01\d\d)$")
SHARED_LINE_WORDS = ("service desk", "servicedesk", "help desk", "helpdesk", "hotline", "switchboard",
                     "support line", "on-call", "reception")


def is_role_mailbox(local: str) -> bool:
    """Return True for role, shared-mailbox, placeholder (%m, {user}) and machine (message id) local parts."""
    if _MACHINE_LOCAL.search(local) or any(char in local for char in "%{}$"):
        return True
    found = _LOCAL_WORDS.findall(local.lower())
    return not found or all(word in ROLE_WORDS for word in found)


def is_placeholder_domain(domain: str) -> bool:
    """Return True for documentation and placeholder domains (and their subdomains)."""
    labels = domain.lower().rstrip(".").split(".")
    if labels[-1] in PLACEHOLDER_TLDS or PLACEHOLDER_NAMES.intersection(labels):
        return True
    return any(".".join(labels[i:]) in PLACEHOLDER_DOMAINS for i in range(len(labels) - 1))


def check_personal_email(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report email addresses of people in the body (front matter owners and reviewers are fine)."""
    if "@" not in page.document.body:
        return
    for index, line in enumerate(page.lines):
        if "@" not in line:  # the pattern is slow on long text, so it only runs on lines with an @
            continue
        for match in _EMAIL.finditer(line):
            if is_role_mailbox(match.group(1)) or is_placeholder_domain(match.group(2)):
                continue
            yield (page.file_line(index),
                   f"personal email address '{match.group(0)}': keep requester data in the ticket; "
                   "use a role mailbox or a placeholder")


def is_shared_number(number: str, line: str) -> bool:
    """Return True for toll-free, fictional or service desk numbers, which are not personal data."""
    digits = "+" * number.startswith("+") + re.sub(r"\D", "", number)
    if _TOLL_FREE.match(digits) or _FICTION.search(digits):
        return True
    lowered = line.lower()
    return any(word in lowered for word in SHARED_LINE_WORDS)


def check_personal_phone(page: Page, ctx: LintContext) -> Iterator[Finding]:
    """Report phone numbers in prose (code, error codes, versions, IPs and dates are not numbers)."""
    text = page.prose_text
    lines = sorted({text.count("\n", 0, match.start()) for match in _PHONE_CANDIDATE.finditer(text)})
    for index in lines:  # the precise pattern is slow, so it only runs on lines with a candidate
        line = page.prose[index]
        for match in _PHONE.finditer(line):
            number = match.group(0)
            least = 9 if number.startswith("0") else 8  # 01 50 04 83 is a hex dump, not a number
            if not least <= sum(char.isdigit() for char in number) <= 15 or is_shared_number(number, line):
                continue
            yield (page.file_line(index),
                   f"phone number '{number}': keep requester data in the ticket, not in the KB")
