"""`records.NamedTuple` makes the classes `typing.NamedTuple` makes, cheaper at import."""

from __future__ import annotations

import pickle
import typing

import pytest

from assistant import records


def _pair(base):
    class Point(base):
        """A point on a line."""

        x: int
        label: str = "origin"
        weight: float = 1.0

        def shifted(self, by: int) -> Point:
            return self._replace(x=self.x + by)

        @property
        def named(self) -> bool:
            return self.label != "origin"

    return Point


def test_a_record_behaves_as_typings_named_tuple():
    ours, theirs = _pair(records.NamedTuple), _pair(typing.NamedTuple)
    for cls in (ours, theirs):
        p = cls(3)
        assert p == (3, "origin", 1.0) and isinstance(p, tuple)
        assert cls._fields == ("x", "label", "weight")
        assert cls._field_defaults == {"label": "origin", "weight": 1.0}
        assert p.shifted(2) == cls(5) and not p.named and cls(1, "a").named
        assert cls.__doc__ == "A point on a line." and cls.__name__ == "Point"
        assert cls._make([1, "b", 2.0])._asdict() == {"x": 1, "label": "b", "weight": 2.0}
        assert repr(cls(1)) == "Point(x=1, label='origin', weight=1.0)"
    assert list(ours.__annotations__) == list(theirs.__annotations__) == ["x", "label", "weight"]
    assert ours.__annotations__["x"] == "int"  # as written: nothing compiles it


def test_a_record_at_module_level_pickles():
    from assistant.encoder import Choice

    choice = Choice("use-m3", "key")
    assert pickle.loads(pickle.dumps(choice)) == choice and type(choice).__module__ == "assistant.encoder"


def test_a_record_refuses_what_typings_refuses():
    with pytest.raises(TypeError, match="non-default field y cannot follow default field x"):
        class Bad(records.NamedTuple):
            x: int = 0
            y: int
    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
        class Worse(records.NamedTuple):
            x: int

            def _replace(self):
                return self
