"""Programs a repository's own git config and hooks would make git run, and what KB Studio does instead.

The policy (docs/sync.md, "Programs a repository names"):

- The user's own config is trusted: git's scopes ``system``, ``global`` and ``command`` (``-c`` and
  the environment), so git-lfs or a credential manager set up there keeps working.
- A program named by the repository's own config (``.git/config``, ``.git/config.worktree`` and every
  file they include: git's scopes ``local`` and ``worktree``) never runs. Where git can be given the
  user's own value or git's default instead, it is (through GIT_CONFIG_PARAMETERS, which git reads
  after the repository's files); where it cannot, or where doing without the program could write the
  wrong bytes (a clean filter may be what encrypts a file), every git command in that repository is
  refused with a message naming the setting.
- Hooks never run, wherever they are (``.git/hooks``, any ``core.hooksPath``, a remote on a local path).
- The user may allow one repository's programs. The allowance lives in the user's own settings
  (``kbstudio.vcs.trust``), never in the KB, which is repository content, and covers the programs
  as they were when allowed: a changed setting or hook needs allowing again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

TRUSTED_SCOPES = frozenset({"system", "global", "command"})
NO_HOOKS = os.devnull  # core.hooksPath naming a file, not a folder: git finds no hook there
Action = Literal["refused", "replaced", "disabled", "not used", "checked"]
State = Literal["none", "protected", "allowed", "changed"]
HOOK_NAMES = frozenset({
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
    "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge",
    "pre-push", "pre-receive", "update", "proc-receive", "post-receive", "post-update",
    "reference-transaction", "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
    "fsmonitor-watchman", "p4-changelist", "p4-prepare-changelist", "p4-post-changelist",
    "p4-pre-submit", "post-index-change",
})
GPG_DEFAULTS = {"gpg.program": "gpg", "gpg.openpgp.program": "gpg", "gpg.x509.program": "gpgsm",
                "gpg.ssh.program": "ssh-keygen", "gpg.ssh.defaultkeycommand": ""}
SIGNING = ("commit.gpgsign", "tag.gpgsign", "push.gpgsign", "log.showsignature", "merge.verifysignatures")
UNUSED_COMMANDS = {"difftool": "difftool", "mergetool": "mergetool", "browser": "help --web",
                   "web": "help --web", "man": "help", "sendemail": "send-email", "guitool": "gui",
                   "instaweb": "instaweb"}
_HELPER_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_FALSE = frozenset({"false", "no", "off", "0", ""})
_DIFF_COMMANDS = frozenset({"diff", "log", "show", "whatchanged"})


@dataclass(frozen=True)
class ConfigEntry:
    """One line of ``git config --list --show-scope --show-origin``."""

    scope: str
    origin: str
    key: str
    value: str | None

    @property
    def trusted(self) -> bool:
        """Return True for the user's own config (system, global, command line and environment)."""
        return self.scope in TRUSTED_SCOPES


@dataclass(frozen=True)
class Finding:
    """A program the repository names (a setting or a hook) and what KB Studio does about it."""

    setting: str
    value: str
    origin: str
    action: Action
    effect: str

    def to_json(self) -> dict[str, str]:
        """Return the finding as a JSON-ready dict."""
        return {"setting": self.setting, "value": self.value, "origin": self.origin,
                "action": self.action, "effect": self.effect}


@dataclass
class Programs:
    """What one repository's config and hooks name, and how git is kept from running it."""

    git_dir: Path | None
    findings: list[Finding] = field(default_factory=list)
    overrides: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    local_remotes: frozenset[str] = frozenset()
    fingerprint: str = ""
    watched: tuple[Path, ...] = ()
    signature: tuple[tuple[str, tuple[int, int, int] | None], ...] = ()
    allowed: bool = False
    allowed_before: bool = False

    @property
    def refused(self) -> list[Finding]:
        """Return the settings KB Studio cannot switch off, so git is not run at all."""
        return [finding for finding in self.findings if finding.action == "refused"]

    @property
    def state(self) -> State:
        """Return none (nothing to allow), protected, allowed, or changed (allowed, then changed)."""
        if not any(finding.action != "not used" for finding in self.findings):
            return "allowed" if self.allowed else "none"
        if self.allowed:
            return "allowed"
        return "changed" if self.allowed_before else "protected"

    def refusal(self) -> str:
        """Return the message naming the settings that stop every git command here."""
        names = "; ".join(f"{f.setting} = {f.value} (in {f.origin})" for f in self.refused)
        return (f"this repository's own git config names programs KB Studio does not run and cannot "
                f"switch off: {names}. Remove the setting, or, if you trust where this repository came "
                "from, allow its programs (Git > Allow this repository's git programs..., or "
                "'kbstudio git-programs PATH --allow').")

    def command(self, base_env: Mapping[str, str], args: Sequence[str], git: str = "git"
                ) -> tuple[list[str], dict[str, str]]:
        """Return the arguments and environment that run ``git ARGS`` under this policy.

        Raises nothing: the caller checks ``refused`` first. Allowed repositories get git's plain
        behaviour (apart from the options every command has, SAFE_OPTIONS).
        """
        args = list(args)
        verb = args[0] if args else ""
        if verb in _DIFF_COMMANDS:
            args[1:1] = ["--no-ext-diff", "--no-textconv"]
        env = dict(base_env)
        if self.allowed:
            return args, env
        env.update(self.env)
        params = [("core.hooksPath", NO_HOOKS), *self.overrides]
        encoded = " ".join(f"{_sq(key)}={_sq(value)}" for key, value in params)
        earlier = env.get("GIT_CONFIG_PARAMETERS", "").strip()
        env["GIT_CONFIG_PARAMETERS"] = f"{earlier} {encoded}" if earlier else encoded
        if verb == "push" and _remote_argument(args) in self.local_remotes:
            no_hooks = f"{shlex.quote(git)} -c core.hooksPath={shlex.quote(NO_HOOKS)} receive-pack"
            args.insert(1, f"--receive-pack={no_hooks}")
        return args, env


def parse_config_list(output: str) -> list[ConfigEntry]:
    """Parse ``git config --list --show-scope --show-origin -z`` output."""
    fields = output.split("\0")
    entries = []
    for index in range(0, len(fields) - 2, 3):
        scope, origin, item = fields[index:index + 3]
        key, newline, value = item.partition("\n")
        entries.append(ConfigEntry(scope, origin, key, value if newline else None))
    return entries


def split_key(key: str) -> tuple[str, str, str]:
    """Return (section, subsection, name) of a canonical config key; subsection may be ''."""
    section, _, rest = key.partition(".")
    subsection, _, name = rest.rpartition(".")
    return section, subsection, name


def is_local_url(url: str) -> bool:
    """Return True when git reaches ``url`` as a folder on this computer (a path or file://)."""
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() == "file"
    if _HELPER_URL.match(url):
        return False
    colon, slash = url.find(":"), url.find("/")
    scp_like = colon > 0 and (slash < 0 or colon < slash) and not re.match(r"^[A-Za-z]:[\\/]", url)
    return not scp_like


def judge(entries: list[ConfigEntry], git_dir: Path | None, top: Path | None,
          base_env: Mapping[str, str], git: str = "git") -> Programs:
    """Return what the repository's config and hooks name, and the overrides that stop them."""
    trusted: dict[str, list[str]] = {}
    for entry in entries:
        if entry.trusted:
            trusted.setdefault(entry.key, []).append(entry.value or "")
    programs = Programs(git_dir)
    credentials_reset = False
    for entry in entries:
        if entry.trusted:
            continue
        finding = _judge_entry(entry, trusted, base_env, git, programs)
        if finding is not None:
            programs.findings.append(finding)
        if finding is not None and entry.key.endswith(".helper") and entry.key.startswith("credential."):
            if not credentials_reset:
                credentials_reset = True
                programs.overrides.append(("credential.helper", ""))
                programs.overrides.extend(
                    (item.key, item.value or "") for item in entries
                    if item.trusted and item.key.startswith("credential.") and item.key.endswith(".helper"))
    hooks_dir = _hooks_dir(entries, git_dir, top)
    digests: list[str] = []
    watched: list[Path] = []
    if hooks_dir is not None:
        watched.append(hooks_dir)
        for path, digest in _hooks(hooks_dir):
            watched.append(path)
            digests.append(f"{path.name}:{digest}")
            programs.findings.append(Finding(
                f"hook {path.name}", str(path), str(hooks_dir), "disabled",
                f"hooks never run: git is given core.hooksPath={NO_HOOKS}"))
    local = _local_remotes(entries)
    programs.local_remotes = frozenset([*local, *(url for urls in local.values() for url in urls)])
    for name, urls in sorted(local.items()):
        for url in urls:
            folder = Path(url.removeprefix("file://")).expanduser()
            folder = folder if folder.is_absolute() else (top or Path.cwd()) / folder
            for candidate in (folder / "hooks", folder / ".git" / "hooks"):
                for path, digest in _hooks(candidate):
                    watched.append(path)
                    digests.append(f"{name}/{path.name}:{digest}")
                    programs.findings.append(Finding(
                        f"hook {path.name} of remote {name}", str(path), url, "disabled",
                        "a remote in a folder is another repository whose hooks git would run on this "
                        "computer: a push gives it core.hooksPath=" + NO_HOOKS))
    record = [[f.setting, f.value, f.origin] for f in programs.findings if f.action != "not used"]
    programs.fingerprint = hashlib.sha256(json.dumps([record, sorted(digests)]).encode(
        "utf-8", "surrogateescape")).hexdigest()
    for entry in entries:
        if entry.origin.startswith("file:"):
            origin = Path(entry.origin[5:])
            if not origin.is_absolute():
                origin = (top or (git_dir.parent if git_dir else Path.cwd())) / origin
            watched.append(origin)
    if git_dir is not None:
        watched += [git_dir / "config", git_dir / "config.worktree"]
    programs.watched = tuple(dict.fromkeys(watched))
    return programs


def _judge_entry(entry: ConfigEntry, trusted: dict[str, list[str]], base_env: Mapping[str, str],
                 git: str, programs: Programs) -> Finding | None:
    key, value = entry.key, entry.value or ""
    section, subsection, name = split_key(key)

    def found(action: Action, effect: str) -> Finding:
        return Finding(key, value, entry.origin.removeprefix("file:"), action, effect)

    def replace(default: str, effect: str) -> Finding:
        programs.overrides.append((key, trusted[key][-1] if key in trusted else default))
        return found("replaced", effect)

    if section == "core" and not subsection:
        if name == "hookspath":
            return found("disabled", f"hooks never run: git is given core.hooksPath={NO_HOOKS}")
        if name == "fsmonitor" and value.lower() not in _FALSE:
            return found("disabled", "every git command runs with core.fsmonitor=false")
        if name == "sshcommand":
            return found("disabled", "git is given GIT_SSH_COMMAND (your ssh in batch mode), which "
                                     "wins over this setting")
        if name == "askpass":
            return found("disabled", "git never asks for a password: core.askPass is emptied")
        if name == "editor":
            return found("disabled", "no editor ever opens: GIT_EDITOR=:")
        if name == "pager":
            return found("not used", "git's output goes to KB Studio, not a terminal, so no pager starts")
        if name == "gitproxy":
            if "GIT_PROXY_COMMAND" in base_env:
                return found("disabled", "your GIT_PROXY_COMMAND wins over this setting")
            if "core.gitproxy" in trusted:
                return found("refused", "git takes the first matching proxy, so KB Studio cannot put "
                                        "your own core.gitProxy back")
            programs.env["GIT_PROXY_COMMAND"] = ""
            return found("disabled", "git:// connects directly: GIT_PROXY_COMMAND is empty")
        if name == "alternaterefscommand":
            return replace("", "git reads no refs from alternates (your own command, if you set one)")
        return None
    if (section, name) == ("sequence", "editor"):
        return found("disabled", "no editor ever opens: GIT_SEQUENCE_EDITOR=:")
    if section == "pager":
        return found("not used", "git's output goes to KB Studio, not a terminal, so no pager starts")
    if section == "filter" and subsection and name in ("clean", "smudge", "process") and value:
        return found("refused", "a filter rewrites files as git stores or checks them out (git-crypt "
                                "encrypts with one): doing without it could commit or write the wrong "
                                "bytes")
    if section == "merge" and subsection and name == "driver":
        if key in trusted:
            return replace("", "your own merge driver of the same name is used")
        programs.overrides.append((key, _line_merge(subsection, git)))
        return found("replaced", "git's own line merge (git merge-file) merges these files")
    if section == "diff" and ((subsection and name in ("textconv", "command")) or key == "diff.external"):
        return found("not used", "KB Studio never asks git for patches; diff, log and show run with "
                                 "--no-ext-diff --no-textconv")
    if section == "gpg" and (name == "program" or key == "gpg.ssh.defaultkeycommand"):
        return replace(GPG_DEFAULTS.get(key, "gpg"), "your own signing program (or git's default) "
                                                     "is used")
    if key in SIGNING:
        return replace("false", "signing and verifying follow your own config (off unless you set it)")
    if section == "credential" and name == "helper":
        return found("replaced", "only your own credential helpers run")
    if section == "remote" and subsection and name in ("uploadpack", "receivepack", "vcs"):
        why = ("names the remote helper git would run" if name == "vcs" else
               "git takes the first value of this setting, so KB Studio cannot put git's own back")
        return found("refused", why)
    if key == "uploadpack.packobjectshook":
        return found("not used", "git itself ignores this setting in a repository's config")
    if section == "lfs" and ((name == "path" and subsection.startswith("customtransfer."))
                             or (name in ("clean", "smudge") and subsection.startswith("extension."))):
        return found("refused", "git-lfs would run it")
    if section in UNUSED_COMMANDS and name in ("cmd", "path", "browser", "viewer", "sendmailcmd",
                                               "smtpserver", "tocmd", "cccmd", "httpd"):
        return found("not used", f"KB Studio never runs git {UNUSED_COMMANDS[section]}")
    if section == "alias" and value.startswith("!"):
        return found("not used", "KB Studio runs only git's own commands, which an alias cannot replace")
    if section == "submodule" and (name == "update" and value.startswith("!") or key == "submodule.recurse"):
        return found("disabled", "KB Studio never recurses into submodules")
    if section == "url" and name in ("insteadof", "pushinsteadof") and _HELPER_URL.match(subsection):
        return found("checked", "remote URLs are checked after rewriting: remote-helper URLs (ext::, "
                                "fd::, ...) are refused and protocol.ext.allow=never")
    if section == "protocol" and name == "allow" and value.lower() in ("always", "user"):
        return found("checked", "remote-helper URLs are refused whatever protocol.*.allow says, and "
                                "protocol.ext.allow=never")
    return None


def _line_merge(driver: str, git: str) -> str:
    """Return a merge driver that does what git's built-in merge of that name would do."""
    if driver == "binary":
        return "false"   # git's binary merge: keep ours and report a conflict
    union = " --union" if driver == "union" else ""
    return f"{shlex.quote(git)} merge-file{union} -L ours -L base -L theirs --marker-size=%L %A %O %B"


def _hooks_dir(entries: list[ConfigEntry], git_dir: Path | None, top: Path | None) -> Path | None:
    configured = [entry.value for entry in entries if entry.key == "core.hookspath" and entry.value]
    if configured:
        path = Path(os.path.expanduser(configured[-1]))
        return path if path.is_absolute() else (top or git_dir or Path.cwd()) / path
    return git_dir / "hooks" if git_dir is not None else None


def _hooks(folder: Path) -> list[tuple[Path, str]]:
    """Return the hooks in ``folder`` git would run (executable files with a hook's name)."""
    found = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        path = folder / name
        if name in HOOK_NAMES and path.is_file() and os.access(path, os.X_OK):
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = "unreadable"
            found.append((path, digest))
    return found


def _remote_urls(entries: list[ConfigEntry], name: str) -> list[str]:
    push = [e.value for e in entries if e.key == f"remote.{name}.pushurl" and e.value]
    return push or [e.value for e in entries if e.key == f"remote.{name}.url" and e.value]


def _local_remotes(entries: list[ConfigEntry]) -> dict[str, list[str]]:
    """Return the remotes every push URL of which is a folder on this computer, with those URLs."""
    names = {split_key(e.key)[1] for e in entries if split_key(e.key)[0] == "remote"
             and split_key(e.key)[2] in ("url", "pushurl")}
    local = {}
    for name in names:
        urls = _remote_urls(entries, name)
        if urls and all(is_local_url(url) for url in urls):
            local[name] = urls
    return local


def _remote_argument(args: Sequence[str]) -> str | None:
    rest = list(args[1:])
    if "--" in rest:
        after = rest[rest.index("--") + 1:]
        return after[0] if after else None
    return next((arg for arg in rest if not arg.startswith("-")), None)


def _sq(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def file_signature(paths: Sequence[Path]) -> tuple[tuple[str, tuple[int, int, int] | None], ...]:
    """Return what tells that one of ``paths`` changed: inode, size and modification time."""
    result: list[tuple[str, tuple[int, int, int] | None]] = []
    for path in paths:
        try:
            stat = os.stat(path)
            result.append((str(path), (stat.st_ino, stat.st_size, stat.st_mtime_ns)))
        except OSError:
            result.append((str(path), None))
    return tuple(result)


def scan(run: Callable[[list[str]], tuple[int, str]], base_env: Mapping[str, str], cwd: Path,
         outside: bool = False, git: str = "git") -> Programs:
    """Read the config and hooks of the repository at ``cwd`` through ``run(args) -> (code, stdout)``.

    ``outside`` (for clone and init, which make a new repository) ignores the repository around
    ``cwd``: only the user's own config counts.
    """
    code, out = run(["config", "--list", "--show-scope", "--show-origin", "-z"])
    if code != 0:
        raise ValueError(out)
    entries = parse_config_list(out)
    git_dir = top = None
    if not outside:
        code, out = run(["rev-parse", "--absolute-git-dir", "--show-toplevel"])
        lines = out.splitlines()
        if code == 0 and lines:
            git_dir = Path(lines[0])
            top = Path(lines[1]) if len(lines) > 1 else None
        elif code != 0:
            code, out = run(["rev-parse", "--absolute-git-dir"])
            git_dir = Path(out.strip()) if code == 0 and out.strip() else None
    else:
        entries = [entry for entry in entries if entry.trusted]
    programs = judge(entries, git_dir, top, base_env, git)
    programs.watched = (*programs.watched, *_global_files(base_env))
    if git_dir is None:
        programs.watched = (*programs.watched, cwd / ".git")
    return programs


def _global_files(env: Mapping[str, str]) -> list[Path]:
    """Return the user's config files, watched even before they exist."""
    home = Path(env.get("HOME") or Path.home())
    xdg = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    files = [home / ".gitconfig", xdg / "git" / "config"]
    if env.get("GIT_CONFIG_GLOBAL"):
        files.append(Path(env["GIT_CONFIG_GLOBAL"]))
    return files
