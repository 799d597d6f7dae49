"""A prebuilt router kept on disk, so a command starts without re-reading YAML or re-training.

The file holds plain data only, never code: a JSON header (the knowledge base as tagged JSON
values, the index's word lists) and flat number arrays (the model's weights), behind a magic
line and a checksum of everything after it. Loading builds only the types named in `_TYPES`,
so a file written by anyone else can at worst fail to load. The file is keyed by what built it:
the knowledge base's files as the loader read them (path, size, modification time), the package's
code as this process imported it (`assistant.CODE`), and the learned phrasings (by content, so
every database without any shares one file, and databases that learned different ones keep one
each, the newest `KEEP_VARIANTS`); an edit of the knowledge base or the code makes a new key, and
the stale files of the same knowledge base are removed. A file changed under a running process (a
merge during a test run) is not what that process built with, so its index is not stored under
the changed file's key. A file that is damaged, of another format version or
for other sources is rebuilt. The directory must be the user's own and
writable by nobody else (it is created 0700); otherwise no cache is read or written.
"""

from __future__ import annotations

import datetime as dt
import json
import mmap
import os
import re
import stat
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from . import CODE, __version__, knowledge
from .clock import DayWords, WorkCalendar
from .matcher import EncoderSettings, Index, Weights
from .paths import cache_dir, open_private, private_dirs, stamps
from .router import Router
from .rules import CarrierRules, ContentRule, IndustryRule, Rules, TemplateIndustry
from .text import LazyPattern, Synonyms

FORMAT = 5   # also the version of how text is folded: an index folded otherwise is built again (4: "we're" is "we are";
#              5: the parts of `LATER` stored apart from the header)
MAGIC = b"assistant-index\n"
_TYPES = {cls.__name__: cls for cls in (knowledge.Entry, knowledge.SlotType, knowledge.Slot, knowledge.Action,
                                        knowledge.ErrorCode, knowledge.Thresholds, knowledge.Routing, Weights, EncoderSettings,
                                        Rules, TemplateIndustry, CarrierRules, IndustryRule, ContentRule, DayWords,
                                        knowledge.Check)}


# The parts of the knowledge base a plain answer does not read: the customers' questions and the
# out-of-scope examples (training data, 0.3 MB of JSON), the error codes (a question that names one),
# what the conversation reads at its prompts. Each is a JSON text of its own after the entries,
# parsed when first used: parsing them with the header was a tenth of a cached `ask`.
LATER = ("customers", "customers_out_of_scope", "out_of_scope", "error_codes", "follow_ups", "answers", "leaving")


class CacheError(ValueError):
    """The cache file cannot be used (damaged, another version, unexpected content)."""


def _checksum(data: bytes) -> str:
    # A CRC-32 finds a damaged file (zlib is already loaded; hashlib's import alone costs more than
    # the whole lookup). Every start sums the whole file: one sum, not two (1.3 ms each).
    return f"{zlib.crc32(data):08x}"


def _key(data: bytes) -> str:
    """64 bits naming DATA (sources, a directory): two 32-bit sums, so that two knowledge bases
    practically never share an index's name."""
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


_SUM = 8  # hex digits of the checksum line
_PLAIN = frozenset({str, int, float, bool, type(None)})
_ITEMSIZE = {code: array(code).itemsize for code in "bBhHiIlLqQfd"}


# --- plain values <-> tagged JSON ------------------------------------------------------------

def encode(value: Any) -> Any:
    """VALUE as JSON-able data, the container and record types tagged so `decode` can rebuild them."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, tuple) and type(value).__name__ in _TYPES:
        return {"n": type(value).__name__, "v": [encode(v) for v in value]}
    if isinstance(value, tuple):
        return {"t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, frozenset):
        return {"f": [encode(v) for v in value]}
    if isinstance(value, dict) and all(type(k) is str for k in value):  # noqa: E721 (a str subclass is not a key JSON keeps)
        return {"o": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, dict):
        return {"d": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, (re.Pattern, LazyPattern)):
        return {"re": [value.pattern, value.flags]}
    if isinstance(value, Synonyms):
        return {"syn": value.table}
    if isinstance(value, Later):
        return encode(value.value)
    if isinstance(value, WorkCalendar):  # its overrides; the library's own days are asked afresh
        return {"cal": [encode(value.holidays), encode(value.workdays), value.official]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def decode(value: Any) -> Any:
    """The value `encode` was given; only the types of `_TYPES` are ever constructed."""
    if isinstance(value, list):
        return [decode(v) for v in value] if _nested(value) else value
    if not isinstance(value, dict):
        return value
    if "t" in value and not _nested(value["t"]):   # a tuple of words or numbers: most of what is cached
        return tuple(value["t"])
    if "o" in value:   # a dict of str keys (messages, error codes, actions): decoded without a call per plain value
        return {k: v if v.__class__ in _PLAIN else decode(v) for k, v in value["o"].items()}
    if "n" in value:
        cls = _TYPES.get(value["n"])
        if cls is None:
            raise CacheError(f"unknown record type {value['n']!r}")
        return cls(*(decode(v) for v in value["v"]))
    if "t" in value:
        return tuple(decode(v) for v in value["t"])
    if "f" in value:
        return frozenset(decode(v) for v in value["f"])
    if "d" in value:
        return {_hashable(decode(k)): decode(v) for k, v in value["d"]}
    if "dt" in value:
        return dt.datetime.fromisoformat(value["dt"])
    if "date" in value:
        return dt.date.fromisoformat(value["date"])
    if "re" in value:
        return LazyPattern(value["re"][0], value["re"][1])
    if "syn" in value:
        return Synonyms.from_folded(value["syn"])
    if "cal" in value:
        holidays, workdays, official = value["cal"]
        return WorkCalendar(decode(holidays), decode(workdays), bool(official))
    raise CacheError("unknown value in the cache")


def _nested(values: list) -> bool:
    """Whether VALUES holds a list or an encoded value (else its items are already themselves)."""
    return any(isinstance(v, (list, dict)) for v in values)


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


class LazyEntries(Mapping):
    """FAQ entries decoded one at a time from the cache: a start with 100,000 entries decodes one."""

    def __init__(self, ids: list[str], offsets: Sequence[int], blob: bytes | memoryview):
        self._ids, self._offsets, self._blob = ids, offsets, blob
        self._number = {entry_id: n for n, entry_id in enumerate(ids)}
        self._done: dict[str, knowledge.Entry] = {}

    def __getitem__(self, key: str) -> knowledge.Entry:
        entry = self._done.get(key)
        if entry is None:
            n = self._number[key]
            raw = json.loads(bytes(self._blob[self._offsets[n]:self._offsets[n + 1]]))
            entry = self._done[key] = knowledge.Entry(*(tuple(x) if isinstance(x, list) else x for x in raw))
        return entry

    def __contains__(self, key: object) -> bool:
        return key in self._number

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


class Later:
    """A part of the knowledge base (`LATER`) read from the cache: its JSON parsed when first used."""

    def __init__(self, blob: bytes | memoryview):
        self._blob: bytes | memoryview | None = blob
        self._value: Any = None

    @property
    def value(self) -> Any:
        blob = self._blob  # read once: another thread (the service's) may be parsing it too
        if blob is not None:
            self._value = decode(json.loads(bytes(blob)))
            self._blob = None
        return self._value

    @property
    def parsed(self) -> bool:
        return self._blob is None

    def __getitem__(self, key: Any) -> Any:
        return self.value[key]

    def __iter__(self) -> Iterator:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __eq__(self, other: object) -> bool:
        return self.value == (other.value if isinstance(other, Later) else other)

    __hash__ = None  # type: ignore[assignment]  (a dict's or a tuple's stand-in, compared by value)

    def __repr__(self) -> str:
        return repr(self.value)


class LaterMapping(Later, Mapping):
    """A dict of the knowledge base (`LATER`), parsed when first used; read through as the dict."""

    def __contains__(self, key: object) -> bool:
        return key in self.value

    def get(self, key: Any, default: Any = None) -> Any:
        return self.value.get(key, default)

    def keys(self):  # the dict's own views: as fast as the dict's
        return self.value.keys()

    def values(self):
        return self.value.values()

    def items(self):
        return self.value.items()


class LaterSequence(Later, Sequence):
    """A tuple of the knowledge base (`LATER`), parsed when first used."""


# --- the file ---------------------------------------------------------------------------------

def dumps(router: Router, fingerprint: str) -> bytes:
    """The cache file's bytes for ROUTER."""
    kb = router.kb
    ids = list(kb.entries)
    chunks, offsets = [], array("q", [0])
    for entry in kb.entries.values():
        chunk = json.dumps(list(entry), ensure_ascii=False).encode("utf-8")
        chunks.append(chunk)
        offsets.append(offsets[-1] + len(chunk))
    values, arrays = router.index.state()
    arrays = {**arrays, "entry_offsets": offsets}
    layout = [[name, a.typecode, len(a)] for name, a in arrays.items()]
    rest = {name: encode(getattr(kb, name)) for name in kb._fields if name != "entries" and name not in LATER}
    later = [json.dumps(encode(getattr(kb, name)), ensure_ascii=False).encode("utf-8") for name in LATER]
    parts = [[name, len(part), "mapping" if isinstance(getattr(kb, name), Mapping) else "sequence"]
             for name, part in zip(LATER, later)]
    header = json.dumps({"format": FORMAT, "fingerprint": fingerprint, "kb": rest, "entry_ids": ids,
                         "index": values, "arrays": layout, "later": parts}, ensure_ascii=False).encode("utf-8")
    size = len(header).to_bytes(8, "little")  # 64 bits, unsigned
    payload = b"".join([size, header, *(a.tobytes() for a in arrays.values()), *chunks, *later])
    return MAGIC + _checksum(payload).encode() + b"\n" + payload


def loads(data: bytes | mmap.mmap, fingerprint: str, encoder: Any = None) -> Router:
    """The router in a cache file's DATA (its bytes, or the file mapped); CacheError if it is damaged
    or for other sources. ENCODER (an `encoder.Encoder`) is the loaded encoder the file was written
    with, if any. The router reads its arrays and entries in place, from DATA."""
    if data[:len(MAGIC)] != MAGIC or len(data) < len(MAGIC) + _SUM + 9:
        raise CacheError("not an index file")
    start = len(MAGIC) + _SUM + 1
    payload = memoryview(data)[start:]
    if data[len(MAGIC):start - 1].decode("ascii", "replace") != _checksum(payload):
        raise CacheError("checksum mismatch")
    try:
        size = int.from_bytes(payload[:8], "little")
        header = json.loads(bytes(payload[8:8 + size]))
        if header.get("format") != FORMAT or header.get("fingerprint") != fingerprint:
            raise CacheError("another format or other sources")
        at = 8 + size
        arrays = {}
        for name, typecode, count in header["arrays"]:
            # read in place, not copied: copying the weights into arrays of their own cost a start
            # as much again as reading the file (the memory each copy touches afresh)
            itemsize = _ITEMSIZE[typecode]
            arrays[name] = payload[at:at + count * itemsize].cast(typecode)
            at += count * itemsize
        if at > len(payload):
            raise CacheError("the arrays run past the end of the file")
        fields = {name: decode(value) for name, value in header["kb"].items()}
        offsets, entries_at = arrays.pop("entry_offsets"), at
        at += offsets[-1]  # past the entries: the parts of LATER, in turn
        for name, part_size, kind in header["later"]:
            if name not in LATER or kind not in ("mapping", "sequence"):
                raise CacheError(f"unexpected part {name!r}")
            part = payload[at:at + part_size]
            fields[name] = LaterMapping(part) if kind == "mapping" else LaterSequence(part)
            at += part_size
        if at > len(payload):
            raise CacheError("the knowledge base's parts run past the end of the file")
        entries = LazyEntries(header["entry_ids"], offsets, payload[entries_at:])
        kb = knowledge.KnowledgeBase(entries=entries, **fields)
        index = Index.restore(header["index"], arrays, kb.synonyms, encoder)
    except CacheError:
        raise
    except Exception as exc:  # noqa: BLE001 (a crafted file: RecursionError, TypeError, JSONDecodeError, ...)
        raise CacheError(f"unexpected content: {type(exc).__name__}: {str(exc)[:200]}") from None
    return Router(kb, index)


def private_cache_dir() -> Path | None:
    """The cache directory, made 0700; None if it is not the user's own or others may write to it
    (the prebuilt indexes and the mirrors of learned phrasings, `learned.py`, live there)."""
    path = cache_dir()
    try:
        private_dirs(path)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode):  # a symbolic link planted in place of the cache: not used
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        if info.st_mode & 0o077:
            path.chmod(0o700)
        return path
    except OSError:
        return None


def _fingerprint(files: list[str], encoder_key: str = "", overlay: dict[str, list[str]] | None = None) -> str:
    """The key of an index built from the knowledge base's FILES (`paths.stamp` each), with the encoder of
    ENCODER_KEY and the learned phrasings OVERLAY, by the code this process imported."""
    parts = [__version__, str(FORMAT), encoder_key]
    if overlay:  # by content: every database that learned nothing shares one and the same index
        parts.append(json.dumps(overlay, sort_keys=True, ensure_ascii=False))
    return _key("\n".join(parts + sorted(files) + list(CODE)).encode())


def load_router(kb_dir: Path, learned: dict[str, list[str]] | None = None, encoder_setting: str | None = None) -> Router:
    """The router for the knowledge base in KB_DIR plus the phrasings a database has LEARNED
    (`learned.py`: {entry id or action: [phrasing, ...]}), with the sentence encoder
    ENCODER_SETTING names (default `$ASSISTANT_ENCODER`, see `encoder.chosen`). An encoder that
    cannot be loaded leaves the lexical model alone, and `Router.warning` says why."""
    from . import encoder as encoders

    choice = encoders.chosen(encoder_setting)
    model, warning = None, None
    if choice is not None:
        try:
            model = encoders.load(choice, private_cache_dir())
        except encoders.EncoderError as exc:
            choice, warning = None, f"{exc}; answering with the lexical model"
    router = _load(kb_dir, learned or None, choice, model)
    router.warning = warning
    return router


def _load(kb_dir: Path, overlay: dict[str, list[str]] | None, choice: Any, model: Any) -> Router:
    key = choice.key if choice is not None else ""
    # one file per knowledge base and encoder (switching ASSISTANT_ENCODER does not rebuild the
    # other's), and per set of learned phrasings: databases that learned different ones keep theirs
    tag = _key(choice.name.encode())[:8] if choice is not None else "lexical"
    prefix = f"router-{_key(str(kb_dir.resolve()).encode())}-{tag}-"
    directory = private_cache_dir()

    def place(files: list[str]) -> tuple[Path, str, str]:
        base = _fingerprint(files, key)  # the knowledge base and the code alone
        fingerprint = _fingerprint(files, key, overlay) if overlay else base
        return directory / f"{prefix}{base}-{fingerprint}.index", f"{prefix}{base}-", fingerprint

    if directory is not None:
        path, _, fingerprint = place(stamps(knowledge.sources(kb_dir)))   # the files as they are now
        try:
            return loads(_read_private(path), fingerprint, model)
        except Exception:  # noqa: BLE001 (damaged or crafted, whatever its loader meets: rebuilt below)
            pass
    folded: dict[str, str] = {}  # each phrasing folded once, for the checks and the index alike
    read: list[str] = []  # each file as the loader read it: what this index is built from
    router = Router(knowledge.load(kb_dir, overlay, folded, as_read=read), folded=folded, encoder=model)
    if directory is not None:
        path, current, fingerprint = place(read)
        _store(path, current, prefix, dumps(router, fingerprint))
    return router


def _read_private(path: Path) -> mmap.mmap | bytes:
    """The cache file, mapped read-only (read, on a file system that cannot map it); OSError for a
    symbolic link or a file that is not this user's, ValueError for an empty one.

    Mapped, not read: reading copied its 4.8 MB into fresh memory on every start (2 ms, as long as
    the checksum). A file is never changed in place (`_store` writes a new one and renames it over),
    so a process keeps reading the file it mapped even when another replaces or removes it."""
    fd = open_private(path, os.O_RDONLY)
    try:
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
    except OSError:
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read()
    finally:
        os.close(fd)


# The indexes kept for one knowledge base, one per set of learned phrasings (the newest): several
# databases used in turn each find theirs, and a database that stopped learning leaves no trail.
KEEP_VARIANTS = 8


def _store(path: Path, current: str, prefix: str, data: bytes) -> None:
    """Write DATA at PATH; remove the files of PREFIX that are not of CURRENT (the knowledge base or
    the code changed), and the oldest of CURRENT beyond `KEEP_VARIANTS`."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
            handle.write(data)  # NamedTemporaryFile creates the file 0600
        os.replace(handle.name, path)
        variants = []
        for found in path.parent.glob(f"{prefix}*"):
            if not found.name.startswith(current):
                found.unlink(missing_ok=True)
            elif found != path:
                with suppress(OSError):  # another process may have removed it
                    variants.append((found.stat().st_mtime_ns, found))
        for _, stale in sorted(variants, reverse=True)[KEEP_VARIANTS - 1:]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
