"""Where the assistant keeps its files. Kept apart so that finding a path loads no library."""

from __future__ import annotations

import os
from pathlib import Path


def default_db() -> Path:
    """$ASSISTANT_DB, else $XDG_DATA_HOME/assistant/assistant.db, else ~/.local/share/assistant/."""
    if os.environ.get("ASSISTANT_DB"):
        return Path(os.environ["ASSISTANT_DB"])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "assistant" / "assistant.db"


def database_target(db: str | os.PathLike | None = None) -> str | Path:
    """The database to open: DB, else $ASSISTANT_DB, else the default file; a server URL stays a string."""
    chosen = db if db else os.environ.get("ASSISTANT_DB")
    if isinstance(chosen, str) and chosen.lower().startswith(("postgresql://", "postgres://")):
        return chosen
    return Path(chosen) if chosen else default_db()


def data_dir() -> Path:
    """$XDG_DATA_HOME/assistant, else ~/.local/share/assistant: the user's own files."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "assistant"


def local_dir(db: str | os.PathLike | None = None) -> Path:
    """Where per-user files live beside the database: its folder, or the data dir for a server."""
    target = database_target(db)
    return data_dir() if isinstance(target, str) else target.parent


def learned_file(db: str | os.PathLike | None = None) -> Path:
    """Phrasings learned with `assistant kb learn`, kept beside the database (or in the data dir)."""
    return local_dir(db) / "learned.json"


def cache_dir() -> Path:
    """$ASSISTANT_CACHE_DIR, else $XDG_CACHE_HOME/assistant, else ~/.cache/assistant."""
    if os.environ.get("ASSISTANT_CACHE_DIR"):
        return Path(os.environ["ASSISTANT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "assistant"


def private_dirs(path: Path) -> None:
    """Create the directory PATH and every missing parent, each 0700 whatever the umask (mkdir's
    mode is filtered by the umask, and `parents=True` gives parents the umask's own mode). A path
    that exists is left as it is; OSError when one cannot be made."""
    missing = []
    folder = Path(path)
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(folder, 0o700)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_APPEND | os.O_CREAT) -> int:
    """A descriptor of the file PATH (created 0600), refusing a symbolic link and a file that is not
    a regular file of this user: another user's link planted in a shared directory must not make the
    assistant write where they want. OSError (ELOOP for a link, EPERM for a foreign file) otherwise."""
    import errno
    import stat

    fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            raise OSError(errno.EPERM, "not a regular file of this user", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd
