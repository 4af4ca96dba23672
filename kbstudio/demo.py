"""The bundled demo KB: copied to a folder in the user's documents and opened there, never edited in place.

The demo ships as ``content/`` beside the package (a source checkout or an editable install). A
copy gets a git repository of its own with the demo as its first commit, so history, restore and
review work from the start. An existing folder is never written into: the copy takes the next
free name (``KB Studio demo 2``...).
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_documents_dir

ENV_DOCUMENTS_DIR = "KBSTUDIO_DOCUMENTS_DIR"
DEMO_FOLDER = "KB Studio demo"
BUNDLED_DEMO = Path(__file__).resolve().parent.parent / "content"
# The first commit of a copy is the app's import of the demo, not the user's work: it says so.
DEMO_AUTHOR = ("KB Studio", "kbstudio@localhost")
FIRST_COMMIT = "The KB Studio demo knowledge base, as shipped"
_IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.pyc", "*.kbtmp")


@dataclass(frozen=True)
class DemoCopy:
    """A fresh copy of the demo: where it is, and whether its git repository was made."""

    path: Path
    versioned: bool
    note: str = ""   # why it is not versioned (git missing, git failed)


def bundled_demo() -> Path | None:
    """Return the demo KB shipped with KB Studio, or None when this installation has none."""
    return BUNDLED_DEMO if BUNDLED_DEMO.is_dir() else None


def is_bundled_demo(path: Path) -> bool:
    """Return True when ``path`` is the shipped demo itself (which is never opened in place)."""
    demo = bundled_demo()
    if demo is None:
        return False
    try:
        return Path(path).resolve() == demo or os.path.samefile(path, demo)
    except OSError:
        return False


def documents_dir() -> Path:
    """Return the user's documents folder (KBSTUDIO_DOCUMENTS_DIR wins, for tests and trials)."""
    chosen = os.environ.get(ENV_DOCUMENTS_DIR)
    return Path(chosen).expanduser() if chosen else Path(user_documents_dir())


def free_folder(parent: Path, name: str = DEMO_FOLDER) -> Path:
    """Return ``parent/name``, or ``parent/name 2``, ``name 3``... whichever does not exist yet."""
    candidate = parent / name
    number = 2
    while os.path.lexists(candidate):
        candidate = parent / f"{name} {number}"
        number += 1
    return candidate


def copy_demo(parent: Path | None = None, source: Path | None = None, name: str = DEMO_FOLDER) -> DemoCopy:
    """Copy the demo into a new folder below ``parent`` (the user's documents) and version it.

    Raises OSError when there is no demo to copy or the folder cannot be written; a copy whose git
    repository could not be made is still returned (``versioned`` False, ``note`` says why).
    """
    source = source or bundled_demo()
    if source is None or not source.is_dir():
        raise FileNotFoundError("this installation of KB Studio has no demo knowledge base")
    parent = parent or documents_dir()
    parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(20):
        target = free_folder(parent, name)
        try:
            # copyfile, not copy2: a read-only installed demo must not give read-only copies
            shutil.copytree(source, target, ignore=_IGNORED, copy_function=shutil.copyfile)
        except FileExistsError:   # another process took the name meanwhile: take the next one
            continue
        break
    else:
        raise FileExistsError(f"no free folder name for {name!r} in {parent}")
    _make_writable(target)
    note = _version(target)
    return DemoCopy(target, not note, note)


def _make_writable(root: Path) -> None:
    """Give the user write permission on every folder of a copy (copytree keeps the folders' modes)."""
    for folder, _dirs, _files in os.walk(root):
        mode = os.stat(folder).st_mode
        if not mode & stat.S_IWUSR:
            os.chmod(folder, stat.S_IMODE(mode) | stat.S_IWUSR | stat.S_IXUSR)


def _version(root: Path) -> str:
    """Make ``root`` a git repository of its own with the demo as first commit; return '' or why not."""
    from kbstudio.kb import KnowledgeBase
    from kbstudio.vcs.repo import KBRepo
    from kbstudio.vcs.runner import GitError, GitRunner

    name, email = DEMO_AUTHOR
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
    try:
        runner = GitRunner(root, env=env)
        # A repository of its own even when the documents folder lies inside another work tree:
        # the demo's commit must never land in someone's home-folder repository.
        runner("init", "-q")
        KBRepo(KnowledgeBase(root), runner).write_ignore_files()
        runner("add", "-A")
        runner("commit", "-q", "--no-verify", "-m", FIRST_COMMIT)
    except FileNotFoundError:
        return "git is not installed: the copy has no history yet (Git > Start versioning later)"
    except (GitError, OSError, ValueError) as error:
        return f"git could not version the copy: {error}"
    return ""
