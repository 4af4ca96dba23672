"""A repository's own config and hooks cannot make KB Studio run a program (docs/sync.md).

Each test first shows with plain git (a CONTROL) that the setting really runs the program (it
writes a marker file), then does the same operation through KB Studio, which either succeeds
without running it or refuses with a message naming the setting.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kbstudio.cli import main
from kbstudio.handoff import sop_version
from kbstudio.kb import KnowledgeBase
from kbstudio.sop import parse_sop
from kbstudio.vcs import runner as runner_module
from kbstudio.vcs.programs import ConfigEntry, judge
from kbstudio.vcs.runner import GitRunner, RepositoryProgramsError
from kbstudio.vcs.service import VersionControl, allow_repository_programs, repository_programs

from .conftest import Side, git
from .test_http import PASSWORD, USER, http_remote  # noqa: F401 - the fixture is used by name

DOC = "articles/doc-1.md"
PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(120)


class Program:
    """An executable that appends a line to its marker file each time it runs."""

    def __init__(self, folder: Path, name: str, tail: str = "") -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.marker = folder.parent / f"{name}.ran"
        self.path = folder / name
        self.path.write_text(f'#!/bin/sh\necho "{name} $*" >> "{self.marker}"\n{tail}\n', "utf-8")
        self.path.chmod(0o755)

    @property
    def ran(self) -> bool:
        """Return True when the program ran since the last ``reset``."""
        return self.marker.exists()

    def reset(self) -> None:
        """Forget earlier runs."""
        self.marker.unlink(missing_ok=True)


def plain(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run plain git, as a user in a terminal would (the control)."""
    return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the KB Studio CLI in-process; return exit code, stdout and stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def programs_folder(tmp_path: Path) -> Path:
    return tmp_path / "programs"


# Hooks -----------------------------------------------------------------------------------------------

COMMIT_HOOKS = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "reference-transaction")


@pytest.mark.parametrize("where", [".git/hooks", "core.hooksPath"])
def test_hooks_never_run_on_commit(alice: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   where: str) -> None:
    folder = alice.root / ".git" / "hooks" if where == ".git/hooks" else tmp_path / "team-hooks"
    if where == "core.hooksPath":
        alice.git("config", "core.hooksPath", str(folder))
    hooks = [Program(folder, name) for name in COMMIT_HOOKS]
    alice.edit(DOC, "Try again.", "Try the cable.")
    code, out, _ = cli(capsys, "commit", str(alice.root), "-m", "Through KB Studio")
    assert code == 0 and out.strip() == alice.git("rev-parse", "HEAD").strip()
    assert not any(hook.ran for hook in hooks)
    alice.edit(DOC, "Try the cable.", "Try the power.")
    assert plain(alice.root, "commit", "-qam", "Plain git").returncode == 0
    assert all(hook.ran for hook in hooks)  # CONTROL


def test_hooks_never_run_on_pull_and_push(alice: Side, bob: Side, tmp_path: Path) -> None:
    bob.edit("articles/doc-2.md", "Try again.", "Bob's way.")
    bob.commit("Bob")
    assert bob.sync().pushed
    hooks = [Program(alice.root / ".git" / "hooks", name) for name in (
        "pre-push", "post-merge", "pre-merge-commit", "reference-transaction", "post-checkout")]
    alice.edit(DOC, "Try again.", "Alice's way.")
    alice.git("commit", "-qam", "Alice", "--no-verify")
    for hook in hooks:
        hook.reset()
    control = tmp_path / "control"
    shutil.copytree(alice.root, control)
    # CONTROL: the same pull and push with plain git, in a copy holding the same hooks
    assert plain(control, "pull", "-q", "--no-rebase", "--no-edit").returncode == 0
    assert plain(control, "push", "-q", "origin", "HEAD:refs/heads/control").returncode == 0
    ran = " ".join(hook.marker.read_text() for hook in hooks if hook.ran)
    assert all(name in ran for name in ("pre-push", "post-merge", "pre-merge-commit",
                                        "reference-transaction")), ran
    for hook in hooks:
        hook.reset()
    result = alice.sync()
    assert result.status == "ok" and result.pulled and result.pushed, result.message
    assert not any(hook.ran for hook in hooks)


def test_the_hooks_of_a_remote_folder_never_run_here(alice: Side, remote: Path, tmp_path: Path) -> None:
    hooks = [Program(remote / "hooks", name) for name in ("pre-receive", "update", "post-receive",
                                                          "reference-transaction")]
    alice.edit(DOC, "Try again.", "Alice's way.")
    alice.commit()
    result = alice.sync()
    assert result.status == "ok" and result.pushed, result.message
    assert not any(hook.ran for hook in hooks)
    findings = repository_programs(alice.root).findings
    assert any(f.setting == "hook pre-receive of remote origin" for f in findings)
    alice.edit(DOC, "Alice's way.", "Alice's second way.")
    alice.git("commit", "-qam", "second")
    assert plain(alice.root, "push", "-q").returncode == 0
    assert all(hook.ran for hook in hooks)  # CONTROL


def test_clone_runs_no_hook_not_even_from_the_users_template(remote: Path, tmp_path: Path,
                                                             git_sandbox: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    template = tmp_path / "template"
    hook = Program(template / "hooks", "post-checkout")
    git(tmp_path, "config", "--global", "init.templateDir", str(template))
    code, out, _ = cli(capsys, "clone", str(remote), str(tmp_path / "mine"))
    assert code == 0 and (tmp_path / "mine" / DOC).is_file()
    assert not hook.ran
    assert plain(tmp_path, "clone", "-q", str(remote), str(tmp_path / "control")).returncode == 0
    assert hook.ran  # CONTROL


# Filters: refused ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["clean", "smudge", "process"])
def test_filters_are_refused_naming_the_setting(alice: Side, tmp_path: Path, kind: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    program = Program(programs_folder(tmp_path), "filter", "cat")
    alice.git("config", f"filter.e.{kind}", str(program.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=e\n")
    alice.edit(DOC, "Try again.", "Try the cable.")
    for argv in (["commit", str(alice.root), "-m", "x"], ["sync", str(alice.root)],
                 ["history", str(alice.root), DOC]):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and f"filter.e.{kind} = {program.path}" in err, err
        assert "allow" in err
    assert not program.ran
    with pytest.raises(RepositoryProgramsError, match=f"filter.e.{kind}"):
        VersionControl.open(alice.kb)
    # CONTROL
    if kind == "smudge":
        (alice.root / DOC).unlink()
        plain(alice.root, "checkout", "--", DOC)
    else:
        plain(alice.root, "add", DOC)
    assert program.ran


def test_filters_from_an_included_file_or_the_worktree_config_are_refused(
        alice: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = Program(programs_folder(tmp_path), "filter", "cat")
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=e\n")
    included = tmp_path / "shared.gitconfig"
    included.write_text(f'[filter "e"]\n\tclean = {program.path}\n')
    alice.git("config", "include.path", str(included))
    alice.edit(DOC, "Try again.", "Try the cable.")
    code, _, err = cli(capsys, "commit", str(alice.root), "-m", "x")
    assert code == 2 and "filter.e.clean" in err and str(included) in err
    alice.git("config", "--unset", "include.path")
    alice.git("config", "extensions.worktreeConfig", "true")
    alice.git("config", "--worktree", "filter.w.clean", str(program.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=w\n")
    code, _, err = cli(capsys, "commit", str(alice.root), "-m", "x")
    assert code == 2 and "filter.w.clean" in err and "config.worktree" in err
    assert not program.ran
    plain(alice.root, "add", DOC)
    assert program.ran  # CONTROL


def test_an_allowed_repository_runs_its_programs_until_they_change(
        alice: Side, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = Program(programs_folder(tmp_path), "filter", "cat")
    alice.git("config", "filter.e.clean", str(program.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=e\n")
    hook = Program(alice.root / ".git" / "hooks", "post-commit")
    code, out, _ = cli(capsys, "git-programs", str(alice.root), "--json")
    report = json.loads(out)
    assert code == 0 and report["state"] == "protected"
    actions = {f["setting"]: f["action"] for f in report["findings"]}
    assert actions == {"filter.e.clean": "refused", "hook post-commit": "disabled"}
    assert cli(capsys, "git-programs", str(alice.root), "--allow")[0] == 0
    alice.edit(DOC, "Try again.", "Try the cable.")
    assert cli(capsys, "commit", str(alice.root), "-m", "allowed")[0] == 0
    assert program.ran and hook.ran
    assert not alice.git("status", "--porcelain")  # the allowance is not in the KB
    assert (Path(os.environ["KBSTUDIO_CONFIG_DIR"]) / "allowed-git-programs.json").is_file()
    program.reset()
    hook.reset()
    hook.path.write_text(hook.path.read_text() + "# changed\n")   # a changed hook needs allowing again
    code, out, _ = cli(capsys, "git-programs", str(alice.root))
    assert "changed since you allowed them" in out
    alice.edit(DOC, "Try the cable.", "Try the power.")
    assert cli(capsys, "commit", str(alice.root), "-m", "changed")[0] == 2
    assert not program.ran and not hook.ran
    assert cli(capsys, "git-programs", str(alice.root), "--allow")[0] == 0
    assert cli(capsys, "git-programs", str(alice.root), "--revoke")[0] == 0
    assert cli(capsys, "commit", str(alice.root), "-m", "revoked")[0] == 2
    assert not program.ran and not hook.ran


# Merge drivers: git's own line merge instead -----------------------------------------------------------

def _diverge(alice: Side, bob: Side, same_line: bool = False) -> None:
    if same_line:
        bob.edit(DOC, "Try again.", "Bob's line.")
    else:
        bob.edit(DOC, "The caller cannot", "Bob's line. The caller cannot")
    bob.commit("Bob")
    assert bob.sync().pushed
    alice.edit(DOC, "Try again.", "Alice's line.")
    alice.commit("Alice")


def test_a_merge_driver_is_replaced_by_gits_line_merge(alice: Side, bob: Side, tmp_path: Path) -> None:
    driver = Program(programs_folder(tmp_path), "driver", "exit 0")
    _diverge(alice, bob)
    alice.git("config", "merge.e.driver", f"{driver.path} %A %O %B")
    (alice.root / ".git" / "info" / "attributes").write_text("*.md merge=e\n")
    control = tmp_path / "control"
    shutil.copytree(alice.root, control)
    assert plain(control, "pull", "-q", "--no-rebase", "--no-edit").returncode == 0
    assert driver.ran  # CONTROL (and it kept only Alice's side)
    assert "Bob's line." not in (control / DOC).read_text()
    driver.reset()
    result = alice.sync()
    assert result.status == "ok" and result.pushed, result.message
    assert "Alice's line." in alice.read(DOC) and "Bob's line." in alice.read(DOC)
    assert not driver.ran


def test_a_replaced_merge_driver_still_reports_conflicts(alice: Side, bob: Side, tmp_path: Path) -> None:
    driver = Program(programs_folder(tmp_path), "driver", "exit 0")
    _diverge(alice, bob, same_line=True)
    alice.git("config", "merge.e.driver", str(driver.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md merge=e\n")
    result = alice.sync()
    assert result.status == "conflicts" and result.conflicts == [DOC]
    assert not driver.ran
    assert alice.vc().conflicts.resolve(DOC, "theirs").finished
    assert not driver.ran


def test_a_driver_named_union_cannot_hijack_the_retired_ids_merge(alice: Side, bob: Side,
                                                                 tmp_path: Path) -> None:
    driver = Program(programs_folder(tmp_path), "driver", "exit 0")
    alice.vc().repo.write_ignore_files()     # .gitattributes: retired-ids merge=union
    alice.write(".kbstudio/retired-ids", "KB-0099\n")
    alice.commit("start")
    assert alice.sync().pushed
    assert bob.sync().status == "ok"
    bob.write(".kbstudio/retired-ids", "KB-0099\nKB-0100\n")
    bob.commit("Bob retires 100")
    assert bob.sync().pushed
    alice.write(".kbstudio/retired-ids", "KB-0099\nKB-0101\n")
    alice.commit("Alice retires 101")
    alice.git("config", "merge.union.driver", str(driver.path))
    result = alice.sync()
    assert result.status == "ok", result.message
    assert alice.read(".kbstudio/retired-ids").split() == ["KB-0099", "KB-0101", "KB-0100"]
    assert not driver.ran


# Diff programs: never asked for ---------------------------------------------------------------------

def test_diff_programs_never_run(alice: Side, bob: Side, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    programs = programs_folder(tmp_path)
    textconv = Program(programs, "textconv", 'cat "$1"')
    command = Program(programs, "command", "exit 0")
    external = Program(programs, "external", "exit 0")
    alice.git("config", "diff.d.textconv", str(textconv.path))
    alice.git("config", "diff.d.command", str(command.path))
    alice.git("config", "diff.external", str(external.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md diff=d\n")
    alice.edit(DOC, "Try again.", "Try the cable.")
    alice.commit("cable")
    bob.edit("articles/doc-2.md", "Try again.", "Bob's way.")
    bob.commit("Bob")
    assert bob.sync().pushed
    vc = alice.vc()
    versions = vc.history.versions(DOC)
    assert len(versions) == 2 and not vc.history.diff(DOC, versions[1], versions[0]).identical
    assert cli(capsys, "history", str(alice.root), DOC)[0] == 0
    assert alice.sync().status == "ok"
    vc.history.restore(DOC, versions[1].sha)
    assert not (textconv.ran or command.ran or external.ran)
    plain(alice.root, "log", "-p", "-2", "--", DOC)
    assert textconv.ran or command.ran or external.ran  # CONTROL
    textconv.reset()
    plain(alice.root, "log", "-p", "--no-ext-diff", "-2", "--", DOC)
    assert textconv.ran  # CONTROL for textconv alone


# Signing -----------------------------------------------------------------------------------------

FAKE_GPG = ('cat > /dev/null\necho "[GNUPG:] SIG_CREATED D 1 8 00 0 X" >&2\n'
            'printf -- "-----BEGIN PGP SIGNATURE-----\\n\\nfake\\n-----END PGP SIGNATURE-----\\n"')


@pytest.mark.parametrize("setup", [
    {"commit.gpgSign": "true", "gpg.program": "{p}"},
    {"commit.gpgSign": "true", "gpg.format": "x509", "gpg.x509.program": "{p}"},
    {"commit.gpgSign": "true", "gpg.format": "ssh", "gpg.ssh.program": "{p}",
     "gpg.ssh.defaultKeyCommand": "{p}"},
])
def test_signing_programs_of_the_repository_never_run(alice: Side, tmp_path: Path, setup: dict[str, str],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    program = Program(programs_folder(tmp_path), "signer", "exit 1")
    for key, value in setup.items():
        alice.git("config", key, value.format(p=program.path))
    alice.edit(DOC, "Try again.", "Try the cable.")
    assert cli(capsys, "commit", str(alice.root), "-m", "unsigned")[0] == 0
    assert not program.ran
    assert "gpgsig" not in alice.git("cat-file", "commit", "HEAD")
    alice.edit(DOC, "Try the cable.", "Try the power.")
    plain(alice.root, "commit", "-qam", "control")
    assert program.ran  # CONTROL


def test_the_users_own_signing_program_is_used(alice: Side, tmp_path: Path) -> None:
    mine = Program(programs_folder(tmp_path), "my-gpg", FAKE_GPG)
    theirs = Program(programs_folder(tmp_path), "their-gpg", "exit 1")
    git(alice.root, "config", "--global", "commit.gpgSign", "true")
    git(alice.root, "config", "--global", "gpg.program", str(mine.path))
    alice.git("config", "gpg.program", str(theirs.path))
    alice.edit(DOC, "Try again.", "Try the cable.")
    alice.commit("signed with my own program")
    assert mine.ran and not theirs.ran
    assert "fake" in alice.git("cat-file", "commit", "HEAD")
    mine.reset()
    alice.edit(DOC, "Try the cable.", "Try the power.")
    plain(alice.root, "commit", "-qam", "control")
    assert theirs.ran and not mine.ran  # CONTROL: plain git takes the repository's program


# Credentials, ssh, proxy, askpass --------------------------------------------------------------------

@pytest.mark.parametrize("scoped", [False, True])
def test_credential_helpers_of_the_repository_never_run(bob: Side, http_remote: str, tmp_path: Path,  # noqa: F811
                                                        scoped: bool) -> None:
    helper = Program(programs_folder(tmp_path), "helper", f"echo username={USER}; echo password={PASSWORD}")
    key = f"credential.{http_remote.rsplit('/', 1)[0]}.helper" if scoped else "credential.helper"
    bob.git("remote", "set-url", "origin", http_remote)
    bob.git("config", key, f"!{helper.path}")
    result = bob.sync()
    assert result.status == "remote_error" and result.failure == "auth"
    assert not helper.ran
    assert plain(bob.root, "fetch", "-q").returncode == 0
    assert helper.ran  # CONTROL: plain git ran the helper and got in


def test_ssh_command_of_the_repository_never_runs(bob: Side, tmp_path: Path) -> None:
    ssh = Program(programs_folder(tmp_path), "ssh", "exit 1")
    bob.git("remote", "set-url", "origin", "ssh://git@127.0.0.1:1/kb.git")
    bob.git("config", "core.sshCommand", str(ssh.path))
    result = bob.vc(timeout=15).sync.sync()
    assert result.status == "remote_error"
    assert not ssh.ran
    plain(bob.root, "fetch", "-q")
    assert ssh.ran  # CONTROL


def test_git_proxy_of_the_repository_never_runs(bob: Side, tmp_path: Path) -> None:
    proxy = Program(programs_folder(tmp_path), "proxy", "exit 1")
    bob.git("remote", "set-url", "origin", "git://127.0.0.1:1/kb.git")
    bob.git("config", "core.gitProxy", str(proxy.path))
    result = bob.vc(timeout=15).sync.sync()
    assert result.status == "remote_error" and result.failure == "network"
    assert not proxy.ran
    plain(bob.root, "fetch", "-q")
    assert proxy.ran  # CONTROL
    proxy.reset()
    git(bob.root, "config", "--global", "core.gitProxy", "/usr/bin/false for example.invalid")
    with pytest.raises(RepositoryProgramsError, match="core.gitproxy"):
        bob.vc()   # the user's own proxy cannot be put back, so the repository is refused


def test_askpass_of_the_repository_never_runs(bob: Side, http_remote: str, tmp_path: Path) -> None:  # noqa: F811
    askpass = Program(programs_folder(tmp_path), "askpass", "echo nobody")
    bob.git("remote", "set-url", "origin", http_remote)
    bob.git("config", "core.askPass", str(askpass.path))
    result = bob.sync()
    assert result.status == "remote_error" and result.failure == "auth"
    assert not askpass.ran
    plain(bob.root, "fetch", "-q")
    assert askpass.ran  # CONTROL


# Editors and pagers ----------------------------------------------------------------------------------

def test_editors_of_the_repository_never_open(alice: Side, bob: Side, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    editor = Program(programs_folder(tmp_path), "editor", 'echo "edited" > "$1"')
    alice.git("config", "core.editor", str(editor.path))
    alice.git("config", "sequence.editor", str(editor.path))
    _diverge(alice, bob, same_line=True)
    assert alice.sync().status == "conflicts"
    vc = alice.vc()
    assert vc.conflicts.resolve(DOC, "mine").finished       # the merge commit, made with --no-edit
    alice.edit(DOC, "Alice's line.", "Alice's second line.")
    assert cli(capsys, "commit", str(alice.root), "-m", "x")[0] == 0
    assert not editor.ran
    alice.edit(DOC, "Alice's second line.", "Alice's third line.")
    plain(alice.root, "commit", "-qa")
    assert editor.ran  # CONTROL


def test_pagers_of_the_repository_never_start(alice: Side, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    pager = Program(programs_folder(tmp_path), "pager", "cat > /dev/null")
    alice.git("config", "core.pager", str(pager.path))
    alice.git("config", "pager.log", str(pager.path))
    assert cli(capsys, "history", str(alice.root), DOC)[0] == 0
    alice.vc().history.versions(DOC)
    assert not pager.ran
    # CONTROL: plain git in a terminal pages its log
    leader, follower = pty.openpty()
    try:
        subprocess.run(["git", "log", "-1"], cwd=alice.root, stdout=follower, stderr=follower,
                       stdin=subprocess.DEVNULL, timeout=20, check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert pager.ran


# Alternates, upload-pack, receive-pack, remote helpers ----------------------------------------------

def test_alternate_refs_command_of_the_repository_never_runs(alice: Side, bob: Side, tmp_path: Path) -> None:
    command = Program(programs_folder(tmp_path), "alternates", "exit 0")
    (alice.root / ".git" / "objects" / "info").mkdir(exist_ok=True)
    (alice.root / ".git" / "objects" / "info" / "alternates").write_text(str(bob.root / ".git" / "objects"))
    alice.git("config", "core.alternateRefsCommand", str(command.path))
    bob.edit("articles/doc-2.md", "Try again.", "Bob's way.")
    bob.commit("Bob")
    assert bob.sync().pushed
    assert alice.sync().status == "ok"
    assert not command.ran
    bob.edit("articles/doc-2.md", "Bob's way.", "Bob's second way.")
    bob.commit("Bob again")
    assert bob.sync().pushed
    plain(alice.root, "fetch", "-q")
    assert command.ran  # CONTROL


@pytest.mark.parametrize("key", ["uploadpack", "receivepack", "vcs"])
def test_upload_pack_receive_pack_and_remote_helpers_are_refused(
        alice: Side, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = programs_folder(tmp_path)
    program = Program(folder, "git-remote-evil" if key == "vcs" else "pack", "exit 1")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    alice.git("config", f"remote.origin.{key}", "evil" if key == "vcs" else str(program.path))
    alice.edit(DOC, "Try again.", "Alice's way.")
    alice.git("commit", "-qam", "Alice")
    code, _, err = cli(capsys, "sync", str(alice.root))
    assert code == 2 and f"remote.origin.{key}" in err
    assert not program.ran
    plain(alice.root, "push" if key == "receivepack" else "fetch", "-q")
    assert program.ran  # CONTROL


def test_pack_objects_hook_is_ignored_by_git_itself_in_a_repositorys_config(
        alice: Side, bob: Side, remote: Path, tmp_path: Path) -> None:
    hook = Program(programs_folder(tmp_path), "pack-objects-hook", 'exec "$@"')
    git(remote, "config", "uploadpack.packObjectsHook", str(hook.path))
    bob.edit("articles/doc-2.md", "Try again.", "Bob's way.")
    bob.commit("Bob")
    assert bob.sync().pushed
    assert alice.sync().status == "ok"
    plain(alice.root, "fetch", "-q", "file://" + str(remote))
    assert not hook.ran   # neither KB Studio nor plain git (git reads it only from the user's config)


@pytest.mark.parametrize("key", ["insteadOf", "pushInsteadOf"])
def test_a_url_rewritten_to_ext_is_refused(alice: Side, remote: Path, tmp_path: Path, key: str) -> None:
    marker = tmp_path / "ext.ran"
    alice.git("config", f"url.ext::sh -c touch% {marker}.{key}", str(remote))
    alice.git("config", "protocol.ext.allow", "always")
    alice.edit(DOC, "Try again.", "Alice's way.")
    alice.commit()
    result = alice.sync()
    assert result.status == "remote_error" and result.failure == "unsafe" and "ext::" in result.message
    assert not marker.exists()
    plain(alice.root, "push" if key == "pushInsteadOf" else "fetch", "-q")
    assert marker.exists()  # CONTROL


def test_submodules_are_never_entered(alice: Side, tmp_path: Path) -> None:
    alice.git("config", "submodule.recurse", "true")
    alice.edit(DOC, "Try again.", "Alice's way.")
    alice.commit()
    assert alice.sync().pushed
    args, _ = repository_programs(alice.root).command({}, ["status"])
    assert args == ["status"]
    from kbstudio.vcs.safety import SAFE_OPTIONS
    assert "submodule.recurse=false" in SAFE_OPTIONS and "push.recurseSubmodules=no" in SAFE_OPTIONS


# The SOP version lookup ------------------------------------------------------------------------------

def test_the_sop_version_lookup_runs_no_program(alice: Side, tmp_path: Path) -> None:
    program = Program(programs_folder(tmp_path), "filter", "cat")
    monitor = Program(programs_folder(tmp_path), "fsmonitor", "exit 1")
    hook = Program(alice.root / ".git" / "hooks", "reference-transaction")
    alice.git("config", "filter.e.clean", str(program.path))
    alice.git("config", "core.fsmonitor", str(monitor.path))
    (alice.root / ".git" / "info" / "attributes").write_text("*.md filter=e\n")
    alice.edit("sops/escalate.md", "Try again.", "Try later.")   # same size: git must read the file
    sop = parse_sop(KnowledgeBase(alice.root).load("sops/escalate.md"))
    assert sop_version(sop) == f"sha256:{sop.document.content_hash[:12]}"   # refused: the content hash
    assert not (program.ran or monitor.ran or hook.ran)
    plain(alice.root / "sops", "status", "--porcelain", "--", "escalate.md")
    assert program.ran and monitor.ran  # CONTROL
    program.reset()
    allow_repository_programs(alice.root)
    commit = alice.git("log", "-1", "--format=%h", "--", "sops/escalate.md").strip()
    assert sop_version(sop).startswith(f"{commit} + local changes")
    assert program.ran   # allowed: plain git's behaviour


# One runner --------------------------------------------------------------------------------------

def test_every_git_call_goes_through_the_runner() -> None:
    sources = {path.relative_to(PROJECT).as_posix(): path.read_text("utf-8")
               for path in (PROJECT / "kbstudio").rglob("*.py")}
    spawning = sorted(rel for rel, text in sources.items()
                      if any(word in text for word in ("subprocess", "os.system", "os.popen", "os.exec",
                                                       "os.spawn", "QProcess", "pty.spawn")))
    # Only the git runner starts programs, and the start-up check that runs ldd (never git) on Qt.
    assert spawning == ["kbstudio/qtcheck.py", "kbstudio/vcs/runner.py"]
    assert '"ldd"' in sources["kbstudio/qtcheck.py"] and '"git"' not in sources["kbstudio/qtcheck.py"]
    imports = re.compile(r"^\s*(import git\b|from git[. ])", re.MULTILINE)
    assert not [rel for rel, text in sources.items() if imports.search(text)]   # no GitPython at all


def test_stdin_is_given_without_error_when_git_exits_first(alice: Side, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    runner = GitRunner(alice.root, timeout=10)
    original = subprocess.Popen

    class ExitsFirst(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.wait()   # git is gone before its input is written: closing the pipe fails

    monkeypatch.setattr(runner_module.subprocess, "Popen", ExitsFirst)
    for size in (10, 1 << 20):
        assert runner("rev-parse", "HEAD", input="x" * size).stdout.strip()


# The policy, setting by setting ----------------------------------------------------------------------

def test_judge_names_every_program_setting() -> None:
    local = [("filter.crypt.clean", "git-crypt clean"), ("merge.ours.driver", "true"),
             ("merge.union.driver", "/x"), ("merge.binary.driver", "/x"), ("gpg.program", "/x"),
             ("gpg.x509.program", "/x"), ("commit.gpgsign", "true"), ("tag.gpgsign", "true"),
             ("push.gpgsign", "true"), ("log.showsignature", "true"), ("merge.verifysignatures", "true"),
             ("credential.helper", "!/x"), ("credential.https://h.example.helper", "!/y"),
             ("remote.origin.uploadpack", "/x"), ("lfs.customtransfer.t.path", "/x"),
             ("lfs.extension.e.clean", "/x"), ("core.alternaterefscommand", "/x"),
             ("core.pager", "/x"), ("alias.st", "!/x"), ("difftool.t.cmd", "/x"),
             ("uploadpack.packobjectshook", "/x"), ("core.editor", "/x"), ("diff.external", "/x")]
    entries = [ConfigEntry("global", "file:/home/u/.gitconfig", "credential.helper", "store"),
               ConfigEntry("global", "file:/home/u/.gitconfig", "gpg.program", "/usr/bin/gpg2"),
               *(ConfigEntry("local", "file:.git/config", key, value) for key, value in local)]
    programs = judge(entries, None, None, {})
    actions = {f.setting: f.action for f in programs.findings}
    assert {key for key, _ in local} == set(actions)
    assert {key for key, action in actions.items() if action == "refused"} == {
        "filter.crypt.clean", "remote.origin.uploadpack", "lfs.customtransfer.t.path",
        "lfs.extension.e.clean"}
    overrides = programs.overrides
    assert ("gpg.program", "/usr/bin/gpg2") in overrides and ("gpg.x509.program", "gpgsm") in overrides
    assert all((key, "false") in overrides for key in ("commit.gpgsign", "tag.gpgsign", "push.gpgsign",
                                                       "log.showsignature", "merge.verifysignatures"))
    helpers = [item for item in overrides if item[0].startswith("credential.")]
    assert helpers == [("credential.helper", ""), ("credential.helper", "store")]
    drivers = dict(item for item in overrides if item[0].startswith("merge."))
    assert "merge-file -L" in drivers["merge.ours.driver"] and "--union" in drivers["merge.union.driver"]
    assert drivers["merge.binary.driver"] == "false"
    assert ("core.alternaterefscommand", "") in overrides


def test_overrides_reach_git_exactly_even_with_odd_names(tmp_path: Path) -> None:
    root = tmp_path / "odd"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "merge.a=b 'c'.driver", "/x")
    runner = GitRunner(root)
    programs = runner.programs()
    assert [f.setting for f in programs.findings] == ["merge.a=b 'c'.driver"]
    out = runner("config", "--get-all", "merge.a=b 'c'.driver").stdout.splitlines()
    assert out[0] == "/x" and "merge-file" in out[-1]
