"""Reading the files people point the assistant at: regular files only, size checked first, read with a bound.

A FIFO or a device named as a media frame or a recipient list would otherwise block the read
forever (and, inside a transaction, hold the database's write lock while it does); a huge file
would be read whole into memory. Here both are refused before a byte is read.
"""

from __future__ import annotations

import errno
import os
import re
import shlex
import stat

from .errors import UserError, said
from .sanitize import one_line


def _kind(kind: str) -> dict[str, str]:
    """The file KIND ("recipients", "media", "letter", "eval", "file") as a refusal names it, a sentence of the
    catalogue in every language (messages.yaml `file.kind.KIND`: "a recipients file", "收件人文件")."""
    return {"say": f"file.kind.{kind}"}


def _hint(kind: str) -> dict[str, str]:
    """How to make a file of KIND readable text (messages.yaml `file.hint.KIND`: "save the CSV as UTF-8")."""
    return {"say": f"file.hint.{kind}"}


# the system's faults in reading a file that a refusal names in every language (messages.yaml `file.error.NAME`, its
# `en` the system's own words): a path through a file, a name too long, a loop of links, a failing disk
_ERRORS_SAID = {errno.ENOTDIR: "ENOTDIR", errno.ENAMETOOLONG: "ENAMETOOLONG", errno.ELOOP: "ELOOP", errno.EIO: "EIO"}


def _unreadable(shown: str, exc: OSError, kind: str = "file") -> UserError:
    """The refusal of a path that cannot be opened or read (EXC), said in every language: a missing file, one
    the user may not read and a directory by sentences of their own where the system's words are theirs in
    English (so the English is the same either way); another fault with the system's words in English and, in
    another language, its own sentence (`_ERRORS_SAID`) or its code (ENXIO): the system's English never."""
    from .messages import english

    error = exc.strerror or str(exc)
    plain = english("file.unreadable", file=shown, error=error)
    if exc.errno == errno.ENOENT and english("file.not_found", file=shown) == plain:
        return said(UserError(english("file.not_found", file=shown)), "file.not_found", file=shown)
    if exc.errno in (errno.EACCES, errno.EPERM) and english("file.denied", file=shown) == plain:
        return said(UserError(english("file.denied", file=shown)), "file.denied", file=shown)
    if exc.errno == errno.EISDIR:       # where opening a directory fails (Windows), as where reading it does
        what = _kind(kind)
        return said(UserError(english("file.directory", file=shown, kind=what)), "file.directory", file=shown, kind=what)
    return said(UserError(english("file.unreadable", file=shown, error=error)), "file.unreadable", file=shown,
                error=_error_said(exc, error))


def _error_said(exc: OSError, error: str) -> dict:
    """The system's ERROR (EXC's words) as a sentence of the catalogue: its own (`_ERRORS_SAID`) where its English
    is the system's word for word, else `file.error.other`, whose English is ERROR and whose other languages name
    the fault by its code."""
    from .messages import english

    name = _ERRORS_SAID.get(exc.errno or 0)
    if name and english(f"file.error.{name}") == error:
        return {"say": f"file.error.{name}"}
    code = errno.errorcode.get(exc.errno or 0, "")
    return {"say": "file.error.other", "fields": {"error": error, "code": code or "?"}}


def shaped_like_a_file_name(word: str) -> bool:
    """WORD, typed alone at a file prompt, can only name a file even without a path or a known
    extension: it joins parts with "_" ("banner_final", "IMG_2041") or ends in an extension of its
    own ("banner.webp", "scan.tiff"). Words a person asks with have neither."""
    if not word or any(c.isspace() for c in word):
        return False
    stem, dot, extension = word.rpartition(".")
    return "_" in word.strip("_") or bool(stem and dot and 1 <= len(extension) <= 5 and extension.isalnum())


_LIST_SEPARATORS = re.compile(r"[,，、;；]")


def paths_in(line: str) -> list[str]:
    """The file paths LINE names, in order: separated by spaces ('quoted' when a name has one), by
    commas ("banner.png, clip.mp4", "banner.png，clip.mp4") or semicolons. A word that is itself an
    existing path keeps its comma ("a,b.png"). A line with an unpaired quote is one path, as typed."""
    try:
        words = shlex.split(line)
    except ValueError:
        return [line.strip()]
    paths = []
    for word in words:
        if os.path.lexists(os.path.expanduser(word)) or not _LIST_SEPARATORS.search(word):
            paths.append(word)
        else:
            paths += [part.strip() for part in _LIST_SEPARATORS.split(word) if part.strip()]
    return paths


def read_regular(path: str | os.PathLike, limit: int, kind: str = "file") -> bytes:
    """The bytes of the regular file at PATH, at most LIMIT of them; a UserError says why not, naming the file
    as one of KIND (`_kind`: "recipients", "media", "letter", "eval" or "file")."""
    from .messages import english

    shown, what = one_line(os.fspath(path)), _kind(kind)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _unreadable(shown, exc, kind) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise said(UserError(english("file.directory", file=shown, kind=what)), "file.directory", file=shown, kind=what)
        if not stat.S_ISREG(info.st_mode):
            raise said(UserError(english("file.not_regular", file=shown, kind=what)), "file.not_regular",
                       file=shown, kind=what)
        if info.st_size > limit:
            size, most = f"{info.st_size:,}", f"{limit:,}"
            raise said(UserError(english("file.too_large", file=shown, size=size, most=most, kind=what)),
                       "file.too_large", file=shown, size=size, most=most, kind=what)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise _unreadable(shown, exc, kind) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _over_limit(shown, limit, kind)
    return data


def _over_limit(shown: str | dict, limit: int, kind: str) -> UserError:
    """The refusal of the file SHOWN, of KIND, found over LIMIT bytes as it was read."""
    from .messages import english

    most, what = f"{limit:,}", _kind(kind)
    return said(UserError(english("file.over_limit", file=shown, most=most, kind=what)), "file.over_limit",
                file=shown, most=most, kind=what)


def read_text(path: str | os.PathLike, limit: int, kind: str = "file") -> str:
    """The text of the regular file at PATH (UTF-8, a BOM allowed), at most LIMIT bytes, of KIND (`read_regular`)."""
    return decode_text(read_regular(path, limit, kind), one_line(os.fspath(path)), limit, kind)


def decode_text(data: bytes, shown: str | dict, limit: int, kind: str = "file") -> str:
    """DATA (a file read or uploaded, named SHOWN: its name, or a catalogue sentence naming it) as UTF-8 text
    held to the same limits everywhere; a file that is no text is refused with the fix for its KIND (`_hint`:
    "save the CSV as UTF-8")."""
    from .messages import english

    if len(data) > limit:
        raise _over_limit(shown, limit, kind)
    hint = _hint(kind)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = str(exc.start + 1)
        raise said(UserError(english("file.not_utf8", file=shown, byte=byte, hint=hint)), "file.not_utf8",
                   file=shown, byte=byte, hint=hint) from None
    if "\x00" in text:
        raise said(UserError(english("file.binary", file=shown, hint=hint)), "file.binary", file=shown, hint=hint)
    return text
