"""YAML that remembers where things stand, so every knowledge-base problem names its line.

Documents are built straight from the parser's events (PyYAML's C parser when it has one): a
generated knowledge base of 100,000 phrasings parses several times faster that way than through
PyYAML's node graph. Scalars are resolved and constructed by the SafeLoader's own tables, so the
data is what `yaml.safe_load` gives; a document that uses anything beyond plain mappings, lists
and scalars (anchors, aliases, explicit tags, complex keys), or that fails, is read again the
classic way, so such documents and every error read exactly as before.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .linemap import LineMap as _Map

YAMLError = yaml.YAMLError


def problem(exc: yaml.YAMLError) -> tuple[int, int, str]:
    """Where a YAML error is (line and column, counted from 1) and what is wrong there, in one line:
    the parser's own message quotes the source over several lines, which a one-line error cannot hold."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = " ".join(str(getattr(exc, "problem", None) or exc).split())
    context, at = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and at is not None and at is not mark:
        what += f", {' '.join(str(context).split())} that starts at line {at.line + 1}, column {at.column + 1}"
    elif context:
        what += f", {' '.join(str(context).split())}"
    return (mark.line + 1, mark.column + 1, what) if mark else (1, 1, what)


def said(path: object, exc: yaml.YAMLError) -> str:
    """A YAML error of file PATH as one line: `PATH:LINE:COLUMN: not valid YAML (what); fix the syntax`."""
    line, column, what = problem(exc)
    return f"{path}:{line}:{column}: not valid YAML ({what}); fix the syntax"


class _Seq(list):
    line: int = 0
    item_lines: list = []


# The C parser when PyYAML has it (several times faster); the constructors below are ours either way.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A SafeLoader that records the line of each mapping, key and list item, and repeated keys."""

    duplicates: list[tuple[int, str]]


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            loader.duplicates.append((key_node.start_mark.line + 1, str(key)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)

_STR = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG


class _Unusual(Exception):
    """The document needs PyYAML's node graph (anchors, tags, complex keys) or does not load."""


# First characters with an implicit resolver (numbers, booleans, null, dates, ...): a plain scalar
# starting with any other character is a string, as the resolver would say after a dict lookup.
_RESOLVED_FIRST = frozenset(_Loader.yaml_implicit_resolvers)
_SIMPLE_RESOLVER = None not in _RESOLVED_FIRST and not _Loader.yaml_path_resolvers


def _scalar(loader: _Loader, event: ScalarEvent) -> Any:
    if event.anchor is not None or event.tag not in (None, "!"):
        raise _Unusual
    value = event.value
    if _SIMPLE_RESOLVER and (not event.implicit[0] or (value and value[0] not in _RESOLVED_FIRST)):
        return value  # quoted or block text, or a plain word: a string
    tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
    if tag == _STR:
        return value
    construct = loader.yaml_constructors.get(tag)
    if construct is None:
        raise _Unusual
    return construct(loader, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style))


def _from_events(loader: _Loader) -> tuple[Any, list[tuple[int, str]]]:
    """The single document of LOADER's stream built from its events, with the repeated keys."""
    get = loader.get_event
    duplicates: list[tuple[int, str]] = []
    get()  # the stream's start
    event = get()
    if isinstance(event, StreamEndEvent):
        return None, duplicates
    root: list[Any] = []
    # each open container: [container, its key_lines or item_lines, a key awaiting its value, the
    # key's line (0 while a key is expected)]
    stack: list[list[Any]] = [[root, [], None, 0]]
    while True:
        event = get()
        kind = type(event)
        if kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            continue
        if kind is DocumentEndEvent:
            break
        if kind is ScalarEvent:
            value = _scalar(loader, event)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag not in (None, "!"):
                raise _Unusual
            if kind is MappingStartEvent:
                value = _Map()
                value.key_lines = {}
            else:
                value = _Seq()
                value.item_lines = []
            value.line = event.start_mark.line + 1
        else:  # an alias, or anything this reader does not know
            raise _Unusual
        line = event.start_mark.line + 1
        top = stack[-1]
        container = top[0]
        if type(container) is _Map:
            if top[3] == 0:  # a key
                if kind is not ScalarEvent:
                    raise _Unusual  # a mapping or list as a key: let PyYAML say what is wrong
                if value in container:
                    duplicates.append((line, str(value)))
                top[2], top[3] = value, line
                continue
            key, key_line = top[2], top[3]
            container[key] = value
            top[1][key] = key_line
            top[2], top[3] = None, 0
        else:
            container.append(value)
            top[1].append(line)
        if kind is not ScalarEvent:
            stack.append([value, value.key_lines if kind is MappingStartEvent else value.item_lines, None, 0])
    if not isinstance(get(), StreamEndEvent):
        raise _Unusual  # a second document: PyYAML reports it
    return root[0], duplicates


def load(text: str) -> tuple[Any, list[tuple[int, str]]]:
    """The data of one YAML document and the (line, key) of every key repeated in a mapping."""
    loader = _Loader(text)
    try:
        return _from_events(loader)
    except Exception:  # noqa: BLE001 - anything unusual or wrong is read (and reported) the classic way
        pass
    finally:
        loader.dispose()
    loader = _Loader(text)
    loader.duplicates = []
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()
