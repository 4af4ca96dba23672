"""The sop, handoff, escalate and map commands: output shapes, messages and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kbstudio.cli import main
from tests.conftest import write

VPN = "SOP-0003"
Cap = pytest.CaptureFixture[str]
FULL_ANSWERS = {
    "issue": "GlobalProtect says gateway unreachable",
    "environment": "Windows 11 laptop, home broadband",
    "urgency": "high",
    "started": "2025-05-06T10:02:00",
    "finished": "2025-05-06T10:19:00",
    "checks": [{"state": "done", "result": "no incident"}, "done", {"state": "done", "result": "fails"}],
    "fields": {"Username": "jdoe", "Device name": "LT-0042", "GlobalProtect status and message": "Gateway "
               "unreachable", "Caller's network": "home broadband, UK", "Checks done and results": "hotspot"},
}


def cli(capsys: Cap, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_sop_json_shape(content_copy: Path, capsys: Cap) -> None:
    code, out, err = cli(capsys, "sop", str(content_copy), VPN, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"id", "title", "tier", "escalates_to", "criteria", "checks", "collect", "steps", "time_limits",
            "team", "how", "version", "problems"} <= set(data)
    assert (data["id"], data["tier"], data["escalates_to"], data["team"]) == (VPN, "L1", "L2", "Network Team")
    assert all(isinstance(item, str) for key in ("criteria", "checks", "steps") for item in data[key])
    assert data["collect"][0] == {"name": "Username", "required": True, "long": False,
                                  "hint": "the caller's sign-in name."}
    assert data["time_limits"][0] == {"label": "Before escalating", "text": "20 minutes on the call",
                                      "minutes": 20, "business": False}
    assert data["version"].startswith("sha256:") and data["problems"] == []


def test_sop_text_view_and_lookup_by_path(content_copy: Path, capsys: Cap) -> None:
    code, out, _ = cli(capsys, "sop", str(content_copy), "sops/escalate-mfa-problems.md")
    assert code == 0
    assert out.startswith("SOP-0002  Escalate MFA and sign-in verification problems\n"
                          "L1 -> L2  Identity Team\n")
    for heading in ("Scope", "When to escalate", "Before escalating", "Information to collect", "Steps",
                    "Time limits"):
        assert f"\n{heading}\n" in out
    assert "  1. [ ] " in out and "(required)" in out and "**" not in out


def test_sop_unknown_id_or_not_an_sop_exits_two(content_copy: Path, capsys: Cap) -> None:
    code, out, err = cli(capsys, "sop", str(content_copy), "SOP-0999")
    assert code == 2 and out == ""
    assert "no SOP 'SOP-0999'" in err and "SOP-0001, SOP-0002" in err
    code, _, err = cli(capsys, "sop", str(content_copy), "KB-0002", "--json")
    assert code == 2 and "KB-0002 is an article, not an SOP" in err
    code, _, err = cli(capsys, "sop", str(content_copy / "nope"), VPN)
    assert code == 2 and "not a folder" in err


def test_sop_with_errors_exits_one(kb_root: Path, capsys: Cap) -> None:
    write(kb_root, "sops/down.md", "---\nid: SOP-0001\nkind: sop\ntier: L2\nescalates_to: L1\n---\n# Down\n")
    code, out, err = cli(capsys, "sop", str(kb_root), "SOP-0001", "--json")
    assert code == 1 and json.loads(out)["escalates_to"] == "L1"
    assert "sops/down.md:5: error: escalates to L1, which is not above its tier L2" in err


def test_handoff_blank_template(content_copy: Path, capsys: Cap) -> None:
    code, out, err = cli(capsys, "handoff", str(content_copy), VPN)
    assert code == 0 and err == ""
    assert out.startswith("Hand-off template: Escalate VPN and remote access problems\n")
    assert out.count("  [ ] ") == 7 and out.count("): ____") == 8
    code, out, _ = cli(capsys, "handoff", str(content_copy), VPN, "--markdown")
    assert code == 0 and out.startswith("## Hand-off template:") and out.count("- [ ] ") == 7


def test_handoff_with_full_answers(content_copy: Path, tmp_path: Path,
                                   capsys: Cap) -> None:
    answers = write(tmp_path, "answers.json", json.dumps(FULL_ANSWERS))
    code, out, err = cli(capsys, "handoff", str(content_copy), VPN, "--answers", str(answers))
    assert code == 0 and err.startswith("kbstudio: use recorded (escalated) in .kbstudio/usage/")
    assert out.startswith("Escalation to L2: Escalate VPN and remote access problems\n")
    assert "Time: 17 min (2025-05-06 10:02 to 10:19); limit before escalating: 20 minutes on the call, " \
           "within it" in out
    assert "  [x] Check for a known incident" in out and "      Result: no incident" in out
    assert "  Username: jdoe" in out and "MISSING" not in out
    code, out, _ = cli(capsys, "handoff", str(content_copy), VPN, "--answers", str(answers), "--markdown")
    assert code == 0 and "> GlobalProtect says gateway unreachable" in out and "- **Username:** jdoe" in out


def test_handoff_missing_required_fields_prints_the_note_and_exits_one(
        content_copy: Path, tmp_path: Path, capsys: Cap,
        monkeypatch: pytest.MonkeyPatch) -> None:
    partial = {**FULL_ANSWERS, "fields": {"Username": "jdoe"}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(partial)))
    code, out, err = cli(capsys, "handoff", str(content_copy), VPN, "--answers", "-")
    assert code == 1
    assert "Device name: MISSING (required)" in out and "MISSING REQUIRED INFORMATION: Device name;" in out
    assert "4 required field(s) missing: Device name; GlobalProtect status and message" in err


def test_handoff_resolved_at_l1(content_copy: Path, tmp_path: Path, capsys: Cap) -> None:
    solved = {"checks": {"3": {"state": "solved", "result": "ok"}}}
    answers = write(tmp_path, "solved.json", json.dumps(solved))
    code, out, _ = cli(capsys, "handoff", str(content_copy), VPN, "--answers", str(answers))
    assert code == 0 and out.startswith("Resolved at L1: Escalate VPN and remote access problems\n")
    assert "Link to the ticket: KB-0013 GlobalProtect says \"Gateway unreachable\" or won't connect\n" in out
    assert "articles/" not in out and "sops/" not in out, "no KB path: dead once pasted into a ticket"


@pytest.mark.parametrize(("content", "message"), [
    ('{"issue": "x",\n  "checks": [}', "bad.json:2:14: not valid JSON: Expecting value"),
    ('{"fields": {"User": "x"}}', "bad.json: fields: 'User' is not a field of SOP-0003"),
    ("[1, 2]", "bad.json: the answers must be a JSON object"),
    (b"\xff\xfe", "bad.json: the answers file is not UTF-8 text"),
])
def test_handoff_bad_answers_exit_two(content_copy: Path, tmp_path: Path, capsys: Cap,
                                      content: str | bytes, message: str) -> None:
    answers = write(tmp_path, "bad.json", content)
    code, out, err = cli(capsys, "handoff", str(content_copy), VPN, "--answers", str(answers))
    assert code == 2 and out == "" and message in err


def test_handoff_missing_answers_file_exits_two(content_copy: Path, capsys: Cap) -> None:
    code, _, err = cli(capsys, "handoff", str(content_copy), VPN, "--answers", "missing.json")
    assert code == 2 and "missing.json: cannot read the answers file" in err


def test_escalate_names_the_sop_of_an_article(content_copy: Path, capsys: Cap) -> None:
    code, out, _ = cli(capsys, "escalate", str(content_copy), "KB-0002")
    assert code == 0
    assert out.startswith("SOP-0001  Escalate account lockouts and password problems  [L1 -> L2]")
    code, out, _ = cli(capsys, "escalate", str(content_copy), "articles/network/vpn-gateway-unreachable.md",
                       "--json", "--limit", "1")
    data = json.loads(out)
    assert code == 0 and [(m["id"], m["linked"]) for m in data] == [(VPN, True)]
    code, _, err = cli(capsys, "escalate", str(content_copy), "KB-9999")
    assert code == 2 and "no document 'KB-9999'" in err


def test_map_text_json_and_svg(content_copy: Path, tmp_path: Path, capsys: Cap) -> None:
    code, out, _ = cli(capsys, "map", str(content_copy))
    assert code == 0 and "L1    Front line                         19    10" in out
    assert "L2 -> L4  SOP-0006  Escalate a hardware failure to the vendor" in out
    code, out, _ = cli(capsys, "map", str(content_copy), "--json")
    data = json.loads(out)
    assert code == 0 and len(data["edges"]) == 13 and data["tiers"][0] == {
        "tier": "L0", "name": "Self-service", "articles": 10, "sops": 1}
    target = tmp_path / "map.svg"
    code, _, err = cli(capsys, "map", str(content_copy), "--svg", str(target))
    assert code == 0 and f"wrote {target}" in err
    assert ElementTree.parse(target).getroot().tag.endswith("svg")


def test_map_with_sops_it_cannot_draw_exits_one(kb_root: Path, capsys: Cap) -> None:
    write(kb_root, "sops/untiered.md", "---\nid: SOP-0001\nkind: sop\n---\n# Untiered\n")
    code, _, err = cli(capsys, "map", str(kb_root))
    assert code == 1 and "sops/untiered.md: not on the map: no tier" in err


def test_the_commands_run_as_a_real_process(content_copy: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "kbstudio", "handoff", str(content_copy), "SOP-0013"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hand-off template: When to contact the service desk")
    help_text = subprocess.run([sys.executable, "-m", "kbstudio", "--help"], capture_output=True, text=True,
                               timeout=120).stdout
    for command in ("sop", "handoff", "escalate", "map"):
        assert command in help_text


def test_the_answers_example_in_the_docs_fits_the_vpn_sop(content_copy: Path, tmp_path: Path,
                                                          capsys: Cap) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "sops.md").read_text("utf-8")
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    answers = write(tmp_path, "example.json", example)
    code, out, err = cli(capsys, "handoff", str(content_copy), VPN, "--answers", str(answers), "--no-record")
    assert code == 0 and err == "" and "Username: jdoe" in out
