"""Hypothesis strategies for hostile front-matter text and values, and how many examples to run.

CI runs each property test with its bounded ``examples(n)``. Run many more locally with

    HYPOTHESIS_PROFILE=deep QT_QPA_PLATFORM=offscreen .venv/bin/pytest tests/test_yaml_roundtrip.py \\
        tests/test_front_matter_fuzz.py tests/ui/test_form_values.py

(``deep`` is 50 times the examples, ``soak`` 500 times; ``ci``, the default, is 1).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from hypothesis import strategies as st

SCALES = {"ci": 1, "default": 1, "deep": 50, "soak": 500}
SCALE = SCALES.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1)


def examples(n: int) -> int:
    """Return how many examples a property test runs: ``n`` in CI, more under a deeper profile."""
    return n * SCALE


# Strings YAML 1.1 or 1.2 reads as something else, or that break plain scalars.
HOSTILE = [
    "No", "no", "NO", "yes", "Yes", "on", "On", "off", "OFF", "y", "Y", "n", "N", "true", "False", "~",
    "null", "Null", "NULL", "12:30", "190:20:30", "0x1F", "0o17", "017", "0b101", "1.10", "1e3", "1E+3",
    "+1", "-1", ".5", "1_000", "2024-01-01", "2001-12-14 21:59:43.10 -5", "2001-12-14t21:59:43.10-05:00",
    ".inf", "-.Inf", "+.INF", ".nan", ".NaN", " leading", "trailing ", "  ", "\t", "a #b", "#tag", "a: b",
    "a:", ":a", "-", "- a", "-a", "--- x", "...", "[a", "]", "{a", "}", "*alias", "&anchor", "!tag",
    "!!str x", "%YAML", "@user", "`cmd`", "|", "|-", ">", "?", "? x", ",", "a, b", "'quoted'", '"quoted"',
    "it's", 'say "hi"', "\\", "a\\nb", "line\nbreak", "cr\rhere", "\r\n", "a\x85b", "a\u2028b", "a\u2029b",
    "\ufeffbom", "zero\u200bwidth", "nbsp\u00a0", "\u00a0lead", "tab\tin", "\x7f", "ctl\x01x", "\x1b[31m",
    "é", "Ünïcödé", "日本語", "עברית", "😀", "a\U0001F600b", "=", "<<", "<server name>", "C:\\Temp\\x",
    "http://x.example/a?b=c#d", "100%", "50 %", "3 printers", "L2", "KB-0042", "", "x" * 300,
]
_YAMLISH = "-+.:#0123456789eExXoObB_ abnoyNYtrufl~[]{},'\"!&*%@`|>?\t\n\\"
_PREFIXES = ["", " ", "-", "- ", "#", "&", "*", "!", "%", "@", "`", "[", "{", "'", '"', "?", ":", "|", ">",
             "~"]


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Return a strategy of strings that try to be misread as YAML."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=max_size),
        st.text(_YAMLISH, max_size=12),
        st.builds(lambda prefix, middle: prefix + middle, st.sampled_from(_PREFIXES),
                  st.text(_YAMLISH + "abcxyz", max_size=10)),
        st.builds(lambda a, b: f"{a}{b}", st.sampled_from(HOSTILE), st.sampled_from(HOSTILE)),
    )


def argv_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Hostile strings a command line can carry (no NUL byte; not ``--``, which argparse drops)."""
    return hostile_text(max_size).filter(lambda text: "\x00" not in text and text != "--")


# Random YAML values for any field: what people write by hand, well formed or not.
_SCALAR_TEXT = st.one_of(st.sampled_from(HOSTILE[:60]), st.text(st.characters(
    blacklist_categories=("Cs", "Cc")), max_size=12))


def _yaml_scalar(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r") + '"'


def yaml_values() -> st.SearchStrategy[str]:
    """Return YAML source for one value: scalars, numbers, dates, datetimes, nulls, lists, maps, nested."""
    leaf = st.one_of(
        _SCALAR_TEXT.map(_yaml_scalar),
        st.sampled_from(HOSTILE[:70]).filter(lambda t: "\n" not in t and "\r" not in t and t.strip() == t
                                             and t and t[0] not in "#&*!|>%@`'\"[]{}?:-,"),
        st.integers(-10**20, 10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
        st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat(sep=" ")),
        st.datetimes().map(datetime.isoformat),
        st.sampled_from(["~", "null", "", "true", "no", "2024-02-30", "2024-13-01", "9999-99-99 99:99:99",
                         "L1", "l2", "L9", "sop", "article", "published", "draft", "[]", "{}", "''"]),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
            st.dictionaries(st.sampled_from(["a", "b", "tier", "x y"]), inner, max_size=3).map(
                lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs.items()) + "}"),
        ),
        max_leaves=8,
    )
