"""Fixtures for the index tests: real KBs and real Whoosh indexes in temporary folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbstudio.index.service import SearchService
from kbstudio.kb import KnowledgeBase


@pytest.fixture()
def index_dir(tmp_path: Path) -> Path:
    """A folder for indexes, outside every KB."""
    folder = tmp_path / "indexes"
    folder.mkdir()
    return folder


@pytest.fixture()
def service(content_copy: Path, index_dir: Path):
    """A search service over the demo KB, with its index built."""
    svc = SearchService(KnowledgeBase(content_copy), index_dir)
    svc.ensure()
    yield svc
    svc.close()
