"""What a file really is, from its bytes: the template's media frames and commitment letters are
checked by content, never by the name's extension."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import Unsupported, UserError, said
from .files import read_regular
from .sanitize import one_line

# Far above what a template may carry in all (rules.yaml: max_total_kb), so the template's own
# check still says how much too big; a file past this is refused before it is read.
MAX_BYTES = 16 * 1024 * 1024
# The names such files usually have, per format: a hint for a file picker (`accept`), never a judge.
EXTENSIONS = {"png": (".png",), "jpg": (".jpg", ".jpeg"), "gif": (".gif",), "mp4": (".mp4",), "mp3": (".mp3",)}


@dataclass(frozen=True)
class MediaFile:
    path: str
    format: str  # png | jpg | gif | mp4 | mp3
    size: int
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    """The format of DATA by its magic bytes, or None when it is none of the accepted ones."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def image_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG image, or None when the header cannot be read."""
    try:
        if fmt == "png" and data[12:16] == b"IHDR":
            return struct.unpack(">II", data[16:24])
        if fmt == "gif":
            return struct.unpack("<HH", data[6:10])
        if fmt == "jpg":
            pos = 2
            while pos + 9 < len(data):
                if data[pos] != 0xFF:
                    return None
                marker = data[pos + 1]
                length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
                    return width, height
                pos += 2 + length
    except struct.error:
        return None
    return None


def read(path: str | Path) -> MediaFile:
    """Read and identify the file at PATH; a UserError says why it cannot be used.

    Only a regular file of at most MAX_BYTES is read (a FIFO, a device or a directory is refused
    before reading, so nothing can block here).
    """
    data = read_regular(path, MAX_BYTES, "media")
    return identify(data, str(path))


def identify(data: bytes, name: str) -> MediaFile:
    """DATA (read from a file or uploaded, called NAME) as a media file; a UserError says why it cannot be used.

    The one judge of what a file is, whether the embedded assistant read it from a path or the service
    received it as an upload: by its bytes, never by its name.
    """
    shown = one_line(name)
    if len(data) > MAX_BYTES:
        raise said(UserError(f"{shown} is over the limit of {MAX_BYTES:,} bytes for a media file; use a smaller file"),
                   "media.too_large", file=shown, most=f"{MAX_BYTES:,}")
    fmt = sniff(data)
    if fmt is None:
        # the documentation names no error code for a file of another format (isv.UNSUPPORTED_CONTENT is about
        # characters): the assistant's own refusal, with no service code
        raise said(Unsupported(f"{shown} is not a PNG, JPG, GIF, MP4 or MP3 file (judged by its content, not its name)"),
                   "media.not_media", file=shown)
    size = image_size(data, fmt) if fmt in ("png", "jpg", "gif") else None
    if fmt in ("png", "jpg", "gif") and not size:
        raise said(UserError(f"{shown} looks like a {fmt.upper()} image but its header cannot be read; export it again"),
                   "media.unreadable_header", file=shown, format=fmt.upper())
    return MediaFile(name, fmt, len(data), *(size or (None, None)))
