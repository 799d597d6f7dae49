"""`NamedTuple` as `typing.NamedTuple` makes it, without what that costs at import.

`typing.NamedTuple` checks each field's annotation; under `from __future__ import annotations` an
annotation is a string, and checking one compiles it. The record types of the modules a cached
`assistant ask` imports (24 of them) took 4.7 ms that way, a tenth of the start the base
install is held to. This one builds the same class (`collections.namedtuple`, the defaults, the
docstring and methods of the class body, `__annotations__` as written), leaving the strings
alone: nothing here reads them. Write `class Name(NamedTuple): ...` as with typing's.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

# what the class body may not define (namedtuple's own), and what it defines that is not copied
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                         "_make", "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__", "__qualname__"})


class _RecordMeta(type):
    def __new__(mcls, typename: str, bases: tuple, ns: dict[str, Any]) -> Any:
        if ns.get("_root", False):  # NamedTuple itself
            return super().__new__(mcls, typename, bases, ns)
        if bases != (NamedTuple,):
            raise TypeError("a record type derives from NamedTuple alone")
        types = ns.get("__annotations__", {})
        defaults = []
        for field in types:
            if field in ns:
                defaults.append(field)
            elif defaults:
                raise TypeError(f"non-default field {field} cannot follow default field"
                                f"{'s' if len(defaults) > 1 else ''} {', '.join(defaults)}")
        record = namedtuple(typename, list(types), defaults=[ns[n] for n in defaults], module=ns["__module__"])
        record.__annotations__ = record.__new__.__annotations__ = dict(types)
        if "__qualname__" in ns:
            record.__qualname__ = ns["__qualname__"]
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in record._fields:
                setattr(record, key, value)
        return record


class NamedTuple(metaclass=_RecordMeta):
    """Derive a record type from this, as from `typing.NamedTuple`."""

    _root = True
