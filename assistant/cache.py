"""A prebuilt router kept on disk, so a command starts without re-reading YAML or re-indexing.

The pickle is keyed by the knowledge base's files (path, size, modification time) and the
package version; any edit makes a new key, and the stale file of the same directory is removed.
Pickles are read only from the user's own cache directory. A cache that cannot be read or
written is ignored: the router is then built from the YAML as usual.
"""

from __future__ import annotations

import os
import pickle
import zlib
from pathlib import Path

from . import __version__, knowledge
from .paths import cache_dir
from .router import Router


def _checksum(text: str) -> str:
    # Two CRC-32s (zlib is already loaded; hashlib's import alone costs more than the lookup).
    data = text.encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def _fingerprint(paths: list[Path]) -> str:
    parts = [__version__]
    for path in paths:
        try:
            stat = path.stat()
            parts.append(f"{path}|{stat.st_size}|{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}|missing")
    return _checksum("\n".join(parts))


def load_router(kb_dir: Path, overlay_file: Path | None = None) -> Router:
    """The router for the knowledge base in KB_DIR (plus learned phrasings in OVERLAY_FILE)."""
    # The package's own modules count too: a pickle only fits the code that wrote it.
    sources = sorted(kb_dir.glob("*.yaml")) + [knowledge.shipped_dir() / "rules.yaml"]
    sources += sorted(Path(__file__).parent.glob("*.py"))
    if overlay_file is not None:
        sources.append(overlay_file)
    prefix = f"router-{_checksum(str(kb_dir.resolve()))}-"
    path = cache_dir() / f"{prefix}{_fingerprint(sources)}.pickle"
    try:
        with path.open("rb") as handle:
            router = pickle.load(handle)
        if isinstance(router, Router):
            return router
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass
    overlay = knowledge.read_overlay(overlay_file) if overlay_file is not None else None
    router = Router(knowledge.load(kb_dir, overlay))
    _store(path, prefix, router)
    return router


def _store(path: Path, prefix: str, router: Router) -> None:
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as handle:
            pickle.dump(router, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        for stale in path.parent.glob(f"{prefix}*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
