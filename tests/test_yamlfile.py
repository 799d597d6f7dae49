"""yamlfile.load: data, line numbers and repeated keys, read straight from the parser's events."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant import knowledge, yamlfile


def _by_nodes(text: str):
    """The same document read through PyYAML's node graph (the reader the event reader replaces)."""
    loader = yamlfile._Loader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def _shape(value):
    """VALUE with every line number it carries, for comparing two readings."""
    if isinstance(value, dict):
        return ("map", value.line, dict(value.key_lines), [(k, _shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", value.line, list(value.item_lines), [_shape(v) for v in value])
    return (type(value).__name__, value)


def test_event_reader_reads_every_shipped_file_as_the_node_reader_does():
    for path in sorted(knowledge.shipped_dir().glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data, duplicates = yamlfile.load(text)
        expected, expected_duplicates = _by_nodes(text)
        assert _shape(data) == _shape(expected), path.name
        assert duplicates == expected_duplicates


def test_scalars_are_resolved_as_safe_load_resolves_them():
    text = ("a: 1\nb: 0x1f\nc: 1.5e+3\nd: yes\ne: ~\nf: 2026-03-02\ng: '2'\nh: \"x: y\"\n"
            "i: [1, two, {j: k}]\n7: int key\nl: |\n  block\n")
    data, _ = yamlfile.load(text)
    assert data == {"a": 1, "b": 31, "c": 1500.0, "d": True, "e": None, "f": dt.date(2026, 3, 2), "g": "2",
                    "h": "x: y", "i": [1, "two", {"j": "k"}], 7: "int key", "l": "block\n"}
    assert _shape(data) == _shape(_by_nodes(text)[0])
    assert data["i"].item_lines == [9, 9, 9] and data.key_lines[7] == 10


def test_repeated_keys_are_reported_with_their_line_and_the_last_value_kept():
    data, duplicates = yamlfile.load("a: 1\nb:\n  c: 2\n  c: 3\na: 4\n")
    assert duplicates == [(4, "c"), (5, "a")]
    assert data == {"a": 4, "b": {"c": 3}} and data.key_lines["a"] == 5


def test_anchors_and_aliases_still_load():
    data, _ = yamlfile.load("base: &b {x: 1}\nother: *b\n")
    assert data == {"base": {"x": 1}, "other": {"x": 1}}


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "a: 1\n---\nb: 2\n", "a: !!python/object:os.system x\n"])
def test_bad_documents_raise_what_the_node_reader_raises(text):
    with pytest.raises(yamlfile.YAMLError) as event_error:
        yamlfile.load(text)
    with pytest.raises(yamlfile.YAMLError) as node_error:
        _by_nodes(text)
    assert str(event_error.value) == str(node_error.value)
