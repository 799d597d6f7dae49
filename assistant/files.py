"""Reading the files people point the assistant at: regular files only, size checked first, read with a bound.

A FIFO or a device named as a media frame or a recipient list would otherwise block the read
forever (and, inside a transaction, hold the database's write lock while it does); a huge file
would be read whole into memory. Here both are refused before a byte is read.
"""

from __future__ import annotations

import os
import re
import shlex
import stat

from .errors import UserError
from .sanitize import one_line


def _a(what: str) -> str:
    """WHAT with its indefinite article: "a media file", "an eval YAML file"."""
    return f"{'an' if what[:1].lower() in 'aeiou' else 'a'} {what}"


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


def read_regular(path: str | os.PathLike, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at PATH, at most LIMIT of them; a UserError says why not."""
    shown = one_line(os.fspath(path))
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait; it is refused just below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UserError(f"cannot read {shown}: {exc.strerror or exc}; check the path") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"{shown} is a directory; give the path of {_a(what)}")
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{shown} is not a regular file (a device, FIFO or socket); give the path of {_a(what)}")
        if info.st_size > limit:
            raise UserError(f"{shown} is {info.st_size:,} bytes, over the limit of {limit:,} for {_a(what)}; "
                            "use a smaller file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)  # the file may have grown since fstat
    except OSError as exc:
        raise UserError(f"cannot read {shown}: {exc.strerror or exc}; check the path") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UserError(f"{shown} is over the limit of {limit:,} bytes for {_a(what)}; use a smaller file")
    return data


def read_text(path: str | os.PathLike, limit: int, what: str = "file", hint: str = "save it as UTF-8 text") -> str:
    """The text of the regular file at PATH (UTF-8, a BOM allowed), at most LIMIT bytes."""
    return decode_text(read_regular(path, limit, what), one_line(os.fspath(path)), limit, what, hint)


def decode_text(data: bytes, shown: str, limit: int, what: str = "file", hint: str = "save it as UTF-8 text") -> str:
    """DATA (a file read or uploaded, named SHOWN) as UTF-8 text held to the same limits everywhere."""
    if len(data) > limit:
        raise UserError(f"{shown} is over the limit of {limit:,} bytes for {_a(what)}; use a smaller file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{shown} is not UTF-8 text (byte {exc.start + 1}); {hint}") from None
    if "\x00" in text:
        raise UserError(f"{shown} is a binary file, not text; {hint}")
    return text
