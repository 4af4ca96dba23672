"""The front-matter form's value path: what is typed is written so that it reads back as typed.

The form's widgets and conversions come from the field table; a hostile string typed into a field
goes through ``MetadataForm.value`` and the document tab's field edit (``fmedit.set_field``) and
must read back, and show again, as what was typed. See ``tests/yaml_strategies.py`` for more
examples locally.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kbstudio.fields import BY_NAME, FORM_FIELDS, FieldValueError
from kbstudio.frontmatter import parse_front_matter, split_front_matter
from kbstudio.ui.document_tab import DocumentTab
from kbstudio.ui.metadata_form import MetadataForm
from tests.yaml_strategies import examples, hostile_text

DOC = "---\nid: KB-0001\ntitle: Old\ntier: L1\ntags: [a]\nowner: Desk\nreview_by: 2030-01-01\n---\n# Old\n"
LINE_FIELDS = [f.name for f in FORM_FIELDS if f.widget != "choice"]


@pytest.fixture(scope="module")
def form(qapp) -> MetadataForm:
    """One form for every example."""
    return MetadataForm()


def _meta(text: str) -> dict:
    split = split_front_matter(text)
    return parse_front_matter(split.yaml_text or "", split.yaml_line).data


def test_the_form_has_a_widget_per_table_field(form: MetadataForm) -> None:
    assert list(form.widgets) == [f.name for f in FORM_FIELDS]
    assert form.widgets["review_by"].placeholderText() == "YYYY-MM-DD"
    assert form.widgets["tier"].findData("L2") >= 0 and form.widgets["kind"].findData("") < 0


def test_values_yaml_11_would_misread_show_as_written(form: MetadataForm) -> None:
    form.show_meta(_meta("---\ntitle: No\nowner: 12:30\ntags: [on, 0x1F]\n"
                         "review_by: 2020-05-01 10:00:00Z\n---\n"))
    shown = {key: form.widgets[key].text() for key in ("title", "owner", "tags", "review_by")}
    assert shown == {"title": "No", "owner": "12:30", "tags": "on, 0x1F", "review_by": "2020-05-01"}
    assert form.value("review_by") == date(2020, 5, 1)


@settings(max_examples=examples(150), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(LINE_FIELDS), hostile_text())
@example("title", "No")
@example("owner", "12:30")
@example("tags", "yes, ~, 1.10")
@example("review_by", "2024-02-30")
def test_what_is_typed_reads_back_as_typed(form: MetadataForm, key: str, typed: str) -> None:
    form.show_meta(_meta(DOC), force=True)
    widget = form.widgets[key]
    widget.setText(typed)
    typed = widget.text()   # what the line edit holds
    edits: list[tuple[str, object]] = []
    form.fieldEdited.connect(lambda k, v: edits.append((k, v)))
    try:
        form.commit_pending()
    finally:
        form.fieldEdited.disconnect()
    value = edits[-1][1] if edits else form.value(key)
    text = DocumentTab._with_field(DOC, key, value)
    meta = _meta(text)
    field = BY_NAME[key]
    try:
        expected = field.from_input(typed)
    except FieldValueError:
        expected = None
        assert meta[key] == typed.strip()     # an invalid date is kept as typed, and reported
    if expected is not None:
        assert field.read(meta.get(key)) == expected
    elif field.type == "list":
        assert meta[key] == []
    if isinstance(meta.get(key), str) and field.type != "date":   # dates are written as YAML dates
        assert yaml.safe_load(split_front_matter(text).yaml_text)[key] == meta[key]   # YAML 1.1 agrees
    form.show_meta(meta, force=True)
    assert widget.text() == field.display(meta.get(key))
