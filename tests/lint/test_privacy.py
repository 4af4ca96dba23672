"""Personal data: people's addresses and phone numbers are found; role mailboxes and codes are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lint.helpers import article, lint, make

PERSONAL = """# T

Ask Jane (jane.doe@larkfield.example) or [John](mailto:j.smith@gmail.com).
Call her on +44 20 7946 0958 or on 020 7946 0959.
His mobile is (425) 882-8080, his desk 425-882-8081.
"""

NOT_PERSONAL = """# T

Mail servicedesk@larkfield.example, security@larkfield.example, noreply@larkfield.example,
accounts-payable@larkfield.example, it-support@larkfield.example or room1@larkfield.example.
Placeholders: user@larkfield.example, name@larkfield.example, firstname.lastname@larkfield.example,
jane.doe@example.com, tony@contoso.com, ben@fabrikam.onmicrosoft.com, admin@contoso.onmicrosoft.com,
%m@domain.mail.onmicrosoft.com and 991e8244-85@A.MB3331.outlook.com (a message id).
Server 192.168.10.254, gateway 10.0.0.1, IPv6 2001:db8::1 and fe80::1ff:fe23:4567:890a.
Error 0x8004010F, 0x80070005 and AADSTS50076; the bounce says 550 5.7.1 or 554 5.2.2.
Version 16.0.17928.20114 and build 10.0.22631.3155, Windows 11 23H2, KB5034441, KB 5034441.
Dates 2024-05-01, 01/05/2024, 2024-05-01 10:30:00 and 01-01-1601 00:00; ports 443 and 8080-8090.
The hex dump reads 01 50 04 83, and the range is 1000-2000. Serial 1234-5678-9012, MAC 00-1A-2B-3C-4D-5E.
Toll-free +1 800 642 7676 and 0800 123 4567, fiction (425) 555-0123, and the Service Desk on +44 20 7946 0000.
Timestamp 1700000000000 and id 123456789012.

```
Call 020 7946 0958 (code is not prose)
```
"""


def test_people_are_found_at_their_lines(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(body=PERSONAL)})
    problems = lint(root, "personal-email", "personal-phone")
    found = [(p.rule, p.line, p.message.split("'")[1]) for p in problems]
    assert found == [
        ("personal-email", 13, "jane.doe@larkfield.example"),
        ("personal-email", 13, "j.smith@gmail.com"),
        ("personal-phone", 14, "+44 20 7946 0958"),
        ("personal-phone", 14, "020 7946 0959"),
        ("personal-phone", 15, "(425) 882-8080"),
        ("personal-phone", 15, "425-882-8081"),
    ]
    assert {p.severity for p in problems} == {"warning"}


def test_roles_placeholders_and_codes_are_not_personal(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(body=NOT_PERSONAL)})
    assert lint(root, "personal-email", "personal-phone") == []


def test_front_matter_owner_is_not_flagged(tmp_path: Path) -> None:
    root = make(tmp_path, {"a.md": article(extra="reviewers: [Jane Doe <jane.doe@larkfield.example>]\n")})
    assert lint(root, "personal-email") == []


@pytest.mark.parametrize("text", ["0x8004010F", "550 5.7.1", "192.168.1.20", "16.0.4266.1001",
                                  "2023-11-24", "KB4484104", "+1.225-1.333-1.225"])
def test_single_false_positive_candidates(tmp_path: Path, text: str) -> None:
    root = make(tmp_path, {"a.md": article(body=f"# T\n\nSee {text} here.\n")})
    assert lint(root, "personal-phone", "personal-email") == []
