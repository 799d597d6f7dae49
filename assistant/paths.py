"""Where the assistant keeps its files. Kept apart so that finding a path loads no library."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import UsageError
from .text import LazyPattern

# A database given as a URL: these schemes name a PostgreSQL server, anything else is refused.
SERVER_SCHEMES = ("postgresql://", "postgres://")
EXPECTED_FORMS = "a file path, or postgresql://USER@HOST:PORT/DBNAME"
# A name that looks like a URL: "scheme:/..." (two letters or more, so a Windows drive "C:/..." stays
# a path), or a PostgreSQL scheme with a colon and anything after it ("postgresql:/x",
# "postgres:me@host"). Compiled when a name with a colon is met (0.3 ms: IGNORECASE over ranges),
# which a plain file path never is.
_URL_LIKE = LazyPattern(r"^(?:[A-Za-z][A-Za-z0-9+.-]+:/|postgres(?:ql)?:)", re.IGNORECASE)


def default_db() -> Path:
    """The default database file: $XDG_DATA_HOME/assistant/assistant.db, else ~/.local/share/assistant/.

    Only the default; $ASSISTANT_DB and --db are read by `database_target`, which may return a URL.
    """
    return data_dir() / "assistant.db"


def is_server_url(target: str | os.PathLike | None) -> bool:
    """Whether TARGET names a database server (a postgresql:// URL) rather than a file."""
    return isinstance(target, str) and target.lower().startswith(SERVER_SCHEMES)


def database_target(db: str | os.PathLike | None = None) -> str | Path:
    """Where the database is: DB (--db), else $ASSISTANT_DB, else the default file.

    The one place that decides it, so that every command, the service and the audit of refusals
    open the same database: a server URL comes back as the string given (a `Path` would fold its
    `//` and name a file), anything else as a `Path`. A value that looks like a URL but is not a
    PostgreSQL one (`mysql://...`, a mangled `postgresql:/...`) is a `UsageError`, never a file.
    """
    if db:
        chosen, source = db, "--db"
    else:
        chosen, source = os.environ.get("ASSISTANT_DB"), "$ASSISTANT_DB"
    if not chosen:
        return default_db()
    if is_server_url(chosen):
        return str(chosen)
    if isinstance(chosen, str) and ":" in chosen and _URL_LIKE.match(chosen):
        raise UsageError(f"{source}: '{shown_target(chosen)}' is not a database this assistant can open; "
                         f"give {EXPECTED_FORMS}")
    return Path(chosen)


def shown_target(target: str | os.PathLike) -> str:
    """TARGET as the user gave it, fit to print: a password in a URL (user:PASSWORD@ or password=) masked."""
    text = str(target)
    text = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*:/*[^:@/?#]*):[^@/?#]*@", r"\1:***@", text)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", text, flags=re.IGNORECASE)


def stamps(paths: list[Path]) -> list[str]:
    """Each of PATHS as "path|size|mtime" (or "path|missing"): what a cache key records of the files it depends on."""
    out = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            info = None
        out.append(stamp(path, info))
    return out


def stamp(path: str | os.PathLike, info: os.stat_result | None) -> str:
    """PATH as a cache key records it (`stamps`), from INFO, its status (None: there is no such file)."""
    return f"{path}|{info.st_size}|{info.st_mtime_ns}" if info is not None else f"{path}|missing"


def data_dir() -> Path:
    """$XDG_DATA_HOME/assistant, else ~/.local/share/assistant: the user's own files."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "assistant"


def local_dir(db: str | os.PathLike | None = None) -> Path:
    """Where per-user files live beside the database: its folder, or the data dir for a server."""
    target = database_target(db)
    return data_dir() if isinstance(target, str) else target.parent


def learned_file(db: str | os.PathLike | None = None) -> Path:
    """Where assistants before the `learned_phrasings` table kept phrasings learned with `kb learn`:
    beside the database file (in the data dir for a server), shared by every database there. Only
    read once per database now, by the migration that moves them into it (`learned.import_legacy`)."""
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
