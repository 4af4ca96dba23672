"""One command registry: dispatch, `kbstudio --help` and "command or app?" all come from its table."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbstudio import cli
from kbstudio.cli_registry import COMMANDS, Command, CommandRegistry
from kbstudio.logs import LOG_NAME

COMMAND_MODULES = ("kbstudio.cli_git", "kbstudio.cli_guard", "kbstudio.cli_lint", "kbstudio.cli_loop",
                   "kbstudio.cli_resolve", "kbstudio.cli_review", "kbstudio.cli_search", "kbstudio.cli_set",
                   "kbstudio.cli_sop")


def setup_hello(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name")
    parser.add_argument("--shout", action="store_true")


def cmd_hello(args: argparse.Namespace) -> int:
    greeting = f"hello {args.name}"
    print(greeting.upper() if args.shout else greeting)
    return 7


HELLO = Command("hello", "say hello", f"{__name__}:setup_hello", f"{__name__}:cmd_hello")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kbstudio", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_every_registered_command_has_its_set_up_and_handler() -> None:
    assert len({command.name for command in COMMANDS}) == len(COMMANDS)
    for command in COMMANDS:
        assert callable(command.load_setup()) and callable(command.load_handler()), command.name
    parser = cli.build_parser()   # every command set up: no two define the same argument twice
    assert cli.subcommand_names() == {command.name for command in COMMANDS} == cli.COMMAND_NAMES
    assert parser.parse_args(["list", "x"]).command == "list"


def test_help_lists_every_command_with_its_help_from_the_table() -> None:
    result = run("--help")
    assert result.returncode == 0, result.stderr
    listed = " ".join(result.stdout.split())   # help wraps long lines
    for command in COMMANDS:
        assert f"{command.name} {command.help}" in listed
    assert "--log-path" in listed and "--version" in listed


def test_help_and_the_app_decision_load_no_command_module(tmp_path: Path) -> None:
    probe = ("import json, sys\n"
             "from kbstudio import cli\n"
             "cli._run_app = lambda argv: 0\n"
             "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
             f"assert cli.main([{str(tmp_path)!r}]) == 0\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('kbstudio.cli_'))))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["kbstudio.cli_registry"]


def test_a_command_loads_only_its_own_module(kb_root: Path) -> None:
    probe = ("import json, sys\n"
             "from kbstudio import cli\n"
             f"argv = ['set', {str(kb_root)!r}, 'articles/reset.md', 'owner=Desk', '--dry-run']\n"
             "assert cli.main(argv) == 0\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith('kbstudio.cli_'))))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "kbstudio.cli_set" in loaded
    # cli_search is loaded for the index errors every command reports (exit 2); no other command's
    assert not loaded & (set(COMMAND_MODULES) - {"kbstudio.cli_set", "kbstudio.cli_search"})


def test_a_newly_registered_command_runs_and_never_starts_the_app(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "_run_app", lambda argv: started.append(list(argv)) or 0)
    registry = CommandRegistry([*COMMANDS, HELLO])
    assert cli.main(["hello", "world", "--shout"], registry) == 7
    assert capsys.readouterr().out == "HELLO WORLD\n"
    with pytest.raises(SystemExit) as unknown:   # without it in the table: bad usage, not the app
        cli.main(["hello", "world"])
    assert unknown.value.code == 2 and "invalid choice: 'hello'" in capsys.readouterr().err
    assert started == []
    assert cli.main([], registry) == 0 and cli.main([str(tmp_path)], registry) == 0
    assert started == [[], [str(tmp_path)]]


def test_help_of_a_registered_command(capsys: pytest.CaptureFixture[str]) -> None:
    registry = CommandRegistry([*COMMANDS, HELLO])
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"], registry)
    assert done.value.code == 0
    assert "say hello" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["hello", "--help"], registry)
    assert "usage: kbstudio hello [-h] [--shout] name" in capsys.readouterr().out


def test_what_starts_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = CommandRegistry()
    assert registry.wants_app([])
    assert registry.wants_app([str(tmp_path)])
    assert not registry.wants_app([str(tmp_path / "missing")])       # bad usage: exit 2
    assert not registry.wants_app([str(tmp_path), "extra"])
    assert not registry.wants_app(["list", str(tmp_path)])
    assert not registry.wants_app(["--version"])
    (tmp_path / "list").mkdir()
    monkeypatch.chdir(tmp_path)
    assert not registry.wants_app(["list"])   # a command name wins over a folder of that name


def test_two_commands_of_one_name_are_refused() -> None:
    with pytest.raises(ValueError, match="two commands are named 'hello'"):
        CommandRegistry([HELLO, HELLO])


def test_log_path_prints_the_log_file(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}
    env.pop("KBSTUDIO_STATE_DIR", None)
    result = run("--log-path", env=env)
    assert result.returncode == 0, result.stderr
    expected = subprocess.run(
        [sys.executable, "-c", "from kbstudio.logs import log_file_path; print(log_file_path())"],
        capture_output=True, text=True, timeout=60, env=env).stdout
    assert result.stdout == expected and result.stdout.strip().endswith(LOG_NAME)
    assert not Path(result.stdout.strip()).exists()   # printing the path writes nothing


def test_a_missing_kb_path_is_said_to_be_no_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []
    monkeypatch.setattr(cli, "_run_app", lambda argv: started.append(list(argv)) or 0)
    for argument in ("/nonexistent/kb", "./kb", "~/kb", "..\\kb"):
        assert cli.main([argument]) == 2
        assert capsys.readouterr().err == f"kbstudio: {argument} is not a folder\n"
    assert cli.main(["lsit"]) == 2
    assert capsys.readouterr().err == ("kbstudio: lsit is not a folder, nor a command "
                                       "(kbstudio --help lists them)\n")
    (tmp_path / "file.md").write_text("# Not a folder\n", "utf-8")
    registry = CommandRegistry()
    assert registry.missing_kb([str(tmp_path / "file.md")]) == f"{tmp_path / 'file.md'} is not a folder"
    assert registry.missing_kb([str(tmp_path)]) is None
    assert registry.missing_kb(["list"]) is None and registry.missing_kb(["--version"]) is None
    assert registry.missing_kb(["/nonexistent/kb", "extra"]) is None   # bad usage, said by the parser
    assert started == []
