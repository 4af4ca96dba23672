"""The Whoosh schema and its version."""

from __future__ import annotations

from whoosh import columns
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from kbstudio.index.analysis import SupportAnalyzer
from kbstudio.index.formats import FastFrequency, FastPositions

# Bump whenever the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA_VERSION = 12   # 11: id and title keys, code field, parts of dotted words; 12: code stored
LENGTH_FIELDS = ("title", "issue", "body", "code")


def stemming_analyzer() -> SupportAnalyzer:
    """Return the analyzer of the free-text fields."""
    return SupportAnalyzer(stem=True)


def _fast(field: TEXT) -> TEXT:
    """Give a text field the one-pass posting format of the same kind."""
    boost = field.format.field_boost
    field.format = FastPositions(field_boost=boost) if field.format.supports("positions") \
        else FastFrequency(field_boost=boost)
    return field


def build_schema() -> Schema:
    """Return a fresh schema of SCHEMA_VERSION."""
    stem = stemming_analyzer()
    schema = Schema(
        path=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        id_key=ID(),
        title_key=ID(),
        title=TEXT(analyzer=stem, stored=True),
        issue=TEXT(analyzer=stem, phrase=False),
        body=TEXT(analyzer=stem, stored=True),
        code=TEXT(analyzer=stem, stored=True),   # stored for snippets of pasted commands
        spell=TEXT(analyzer=SupportAnalyzer(stem=False, minsize=3), phrase=False),
        tier=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        products=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        mtime=COLUMN(columns.NumericColumn("q", default=0)),
        len_title=COLUMN(columns.NumericColumn("I", default=0)),
        len_issue=COLUMN(columns.NumericColumn("I", default=0)),
        len_body=COLUMN(columns.NumericColumn("I", default=0)),
        len_code=COLUMN(columns.NumericColumn("I", default=0)),
        problems=STORED(),
    )
    for name in ("title", "issue", "body", "code", "spell"):
        _fast(schema[name])
    return schema
