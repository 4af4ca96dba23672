"""Run one git command with a timeout, cancel and progress, killing it (and its helpers) when asked."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kbstudio.vcs.programs import Programs, file_signature, scan
from kbstudio.vcs.safety import SAFE_OPTIONS, git_environment, redact
from kbstudio.vcs.trust import TrustStore

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]
_PROGRESS_LINE = re.compile(r"^(?:remote: )?([A-Za-z][A-Za-z ]+):\s+(\d+)% \((\d+)/(\d+)\)")
_POLL_SECONDS = 0.05


def never() -> bool:
    """Return False: the default for ``cancelled``."""
    return False


class GitError(RuntimeError):
    """A git command failed; the message is git's own, with credentials redacted."""

    def __init__(self, message: str, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(redact(message))
        self.returncode = returncode
        self.stderr = redact(stderr)


class GitTimeout(GitError):
    """A git command ran past its time limit and was stopped."""


class GitCancelled(GitError):
    """A git command was cancelled by the user and stopped."""


class RepositoryProgramsError(GitError):
    """The repository's own config names a program KB Studio cannot switch off (see programs.py)."""

    def __init__(self, programs: Programs) -> None:
        super().__init__(programs.refusal())
        self.programs = programs


class _ProgramsCache:
    """The policy of each folder a runner family works in, read again when a config file or hook changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[tuple[str, bool], Programs] = {}


@dataclass(frozen=True)
class GitOutput:
    """What one git command printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str


class GitRunner:
    """Runs git in one folder with the safe options and environment."""

    def __init__(self, cwd: Path, timeout: float | None = 60.0, git: str = "git",
                 env: Mapping[str, str] | None = None, trust: TrustStore | None = None) -> None:
        self.cwd = Path(cwd)
        self.timeout = timeout
        self.git = git
        self.env = git_environment(env)
        self.trust = trust or TrustStore()
        self._programs = _ProgramsCache()

    def at(self, cwd: Path) -> GitRunner:
        """Return a runner with the same settings (and policy cache) in another folder."""
        runner = GitRunner(cwd, self.timeout, self.git, trust=self.trust)
        runner.env = self.env
        runner._programs = self._programs
        return runner

    def programs(self, outside: bool = False) -> Programs:
        """Return the programs the repository here names and the policy for them (see programs.py).

        Read once per folder and again when a config file, a hook or the allowed list changes.
        ``outside`` (clone, init) counts only the user's own config.
        """
        key = (str(self.cwd), outside)
        with self._programs.lock:
            cached = self._programs.entries.get(key)
            if cached is not None and file_signature(cached.watched) == cached.signature:
                return cached
            programs = scan(self._plain, self.env, self.cwd, outside, self.git)
            if programs.git_dir is not None:
                entry = self.trust.entry(programs.git_dir)
                programs.allowed_before = entry is not None
                programs.allowed = self.trust.allowed(programs.git_dir, programs.fingerprint)
            programs.watched = (*programs.watched, self.trust.path)
            programs.signature = file_signature(programs.watched)
            self._programs.entries[key] = programs
            return programs

    def forget_programs(self) -> None:
        """Read every folder's config and hooks again before the next command."""
        with self._programs.lock:
            self._programs.entries.clear()

    def _plain(self, args: list[str]) -> tuple[int, str]:
        """Run a git command that reads config only, for the policy itself (no policy applied)."""
        done = subprocess.run([self.git, *SAFE_OPTIONS, *args],
                              cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=self.timeout, check=False)
        if done.returncode != 0 and args[0] == "config":
            raise GitError(last_message(done.stderr.decode("utf-8", "replace")) or "git config failed",
                           done.returncode, done.stderr.decode("utf-8", "replace"))
        return done.returncode, done.stdout.decode("utf-8", "surrogateescape")

    def __call__(self, *args: str, check: bool = True, timeout: float | None = None,
                 progress: Progress | None = None, cancelled: Cancelled = never,
                 input: str | None = None) -> GitOutput:
        """Run ``git ARGS``; raise GitError on failure when ``check``, GitTimeout, GitCancelled."""
        limit = self.timeout if timeout is None else timeout
        verb = args[0] if args else "git"
        programs = self.programs(outside=verb in ("clone", "init"))
        if programs.refused and not programs.allowed:
            raise RepositoryProgramsError(programs)
        policy_args, env = programs.command(self.env, args, self.git)
        command = [self.git, *SAFE_OPTIONS, *policy_args]
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=self.cwd, env=env, stdin=subprocess.PIPE if input is not None else
            subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=os.name == "posix")
        out: list[bytes] = []
        err: list[bytes] = []
        events: queue.Queue[tuple[int, int, str]] = queue.Queue()
        readers = [threading.Thread(target=_read_all, args=(process.stdout, out), daemon=True),
                   threading.Thread(target=_read_stderr, args=(process.stderr, err, events), daemon=True)]
        if input is not None:
            # Written by a thread: git may exit without reading (a hook refused the commit), and an
            # input larger than the pipe must not keep the timeout and cancel below from running.
            readers.append(threading.Thread(target=_write_all, args=(
                process.stdin, input.encode("utf-8", "surrogateescape")), daemon=True))
        for reader in readers:
            reader.start()
        stopped: type[GitError] | None = None
        while True:
            try:
                process.wait(timeout=_POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                pass
            _drain(events, progress)
            if cancelled():
                stopped = GitCancelled
            elif limit is not None and time.monotonic() - started > limit:
                stopped = GitTimeout
            if stopped is not None:
                _kill(process)
                process.wait()
                break
        for reader in readers:
            reader.join(timeout=2.0)  # a helper that outlived git cannot keep us waiting
        _drain(events, progress)
        stdout = b"".join(out).decode("utf-8", "surrogateescape")
        stderr = b"".join(err).decode("utf-8", "replace")
        if verb in ("clone", "init"):
            self.forget_programs()   # a new repository where there was none
        if stopped is GitTimeout:
            raise GitTimeout(f"git {verb} gave no answer within {limit:g} s and was stopped",
                             None, stderr)
        if stopped is GitCancelled:
            raise GitCancelled(f"git {verb} was cancelled", None, stderr)
        result = GitOutput(process.returncode, stdout, stderr)
        if check and process.returncode != 0:
            raise GitError(last_message(stderr) or f"git {verb} failed ({process.returncode})",
                           process.returncode, stderr)
        return result


def last_message(stderr: str) -> str:
    """Return git's error lines (fatal/error/remote), or its last line, without progress noise."""
    lines = [line.strip() for line in re.split(r"[\r\n]+", stderr) if line.strip()]
    lines = [line for line in lines if not _PROGRESS_LINE.match(line)]
    important = [line for line in lines if line.startswith(("fatal:", "error:", "remote: error"))]
    return redact("; ".join(important or lines[-1:]))


def _write_all(stream: IO[bytes], data: bytes) -> None:
    """Give git its input, then close it; git may have exited first, which is not an error here."""
    with contextlib.suppress(BrokenPipeError, OSError):
        stream.write(data)
    with contextlib.suppress(BrokenPipeError, OSError):   # closing flushes what is still buffered
        stream.close()


def _read_all(stream: IO[bytes], sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.append(chunk)


def _read_stderr(stream: io.BufferedReader, sink: list[bytes],
                 events: queue.Queue[tuple[int, int, str]]) -> None:
    pending = b""
    for chunk in iter(lambda: stream.read1(4096), b""):
        sink.append(chunk)
        pending += chunk
        *lines, pending = re.split(rb"[\r\n]", pending)
        for line in lines:
            match = _PROGRESS_LINE.match(line.decode("utf-8", "replace"))
            if match:
                events.put((int(match.group(3)), int(match.group(4)), match.group(1).strip()))


def _drain(events: queue.Queue[tuple[int, int, str]], progress: Progress | None) -> None:
    while True:
        try:
            done, total, stage = events.get_nowait()
        except queue.Empty:
            return
        if progress is not None:
            progress(done, total, stage)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Stop git and every helper it started (ssh, git-remote-http)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows has no process groups here
            process.kill()
