"""Where the files a conversation asks for come from: the file source it is made with.

A template's media frames and its commitment letter are files. Which files a conversation may use
is a policy given when the conversation is made, never guessed from where it runs:

- ``"local"`` (the embedded REPL, on the person's own machine): a path typed at a file prompt names
  a file of this machine, read here with the bounded reader (regular files only).
- ``"upload"`` (a conversation held by the service, ``/v1/conversations``): the client sends the
  file itself (``Conversation.attach``). A line typed at a file prompt is never taken as a path: it
  gets the same words whatever it names, so a client can neither use nor learn anything about the
  server's files. The bytes are judged (``media.identify``) and only what a template keeps of a
  file (its name, format, size and pixels) stays in the conversation's state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from .. import media
from ..actions import templates
from ..context import Context
from ..errors import Conflict, TooLarge, UserError, said
from ..files import paths_in
from ..messages import say
from ..sanitize import one_line

IMAGES = ("png", "jpg", "gif")  # what a commitment letter may be (templates.check_letter_file)
_NAME_CHARS = 100


def _attach(ctx: Context) -> UserError:
    """The refusal of a path where the file itself is wanted, in the catalogue's English (`file.attach`),
    marked to be said in the conversation's language."""
    return said(UserError(say(ctx.kb, "file.attach")), "file.attach")


@dataclass(frozen=True)
class Upload:
    """A file a client sent: the name it gave it (a label, never opened) and its bytes."""

    name: str
    data: bytes


class FileSource(Protocol):
    """How a conversation gets the files its file prompts ask for."""

    kind: str  # "local" | "upload": what the client is asked for (a typed path, or the file itself)

    def typed(self, ctx: Context, slot: str, value: Any) -> Any:
        """VALUE typed (or named in a request) for the file SLOT, checked: what the request keeps."""

    def received(self, ctx: Context, slot: str, uploads: list[Upload]) -> Any:
        """UPLOADS sent for the file SLOT, checked: what the request keeps."""

    def opened(self, ctx: Context, value: Any) -> Any:
        """What a request kept for a file slot, as `templates.create` takes it (paths or media files)."""


class LocalFiles:
    """The embedded assistant: files are paths on this machine, read here."""

    kind = "local"

    def typed(self, ctx: Context, slot: str, value: Any) -> Any:
        if slot == "media":            # several on one line are each a frame, in order; all read or none taken
            paths = paths_in(value) if isinstance(value, str) else list(value)
            for path in paths:
                media.read(path)
            return paths
        templates.check_letter(ctx, value)
        return value

    def received(self, ctx: Context, slot: str, uploads: list[Upload]) -> Any:
        raise said(Conflict("this conversation reads files from this machine; type the file's path"), "file.local_only")

    def opened(self, ctx: Context, value: Any) -> Any:
        return value  # paths: templates.create reads them, outside its transaction


class UploadedFiles:
    """A conversation held by the service: files come as uploads; no typed path is ever opened."""

    kind = "upload"

    def typed(self, ctx: Context, slot: str, value: Any) -> Any:
        raise _attach(ctx)  # the same words whatever VALUE names: nothing is looked at

    def received(self, ctx: Context, slot: str, uploads: list[Upload]) -> Any:
        if not uploads:
            raise said(UserError("no file came with the request; send the file in the multipart field 'file'"),
                       "file.none_came")
        if slot == "letter" and len(uploads) != 1:
            raise said(UserError(f"a commitment letter is one image, and {len(uploads)} files came; send one"),
                       "letter.one_image", count=str(len(uploads)))
        files = [media.identify(upload.data, label(upload.name, n)) for n, upload in enumerate(uploads, 1)]
        if slot == "letter":
            return _record(templates.check_letter_file(ctx, files[0]))
        limit = int(ctx.rules.template["max_total_kb"])
        total = sum(f.size for f in files)
        if total >= limit * 1024:
            raise said(TooLarge(f"the files come to {total / 1024:,.0f} KB, and a template's frames stay under {limit:,} KB "
                                "in all; send smaller files"),
                       "media.total_too_large", total=f"{total / 1024:,.0f}", most=f"{limit:,}")
        return [_record(f) for f in files]

    def opened(self, ctx: Context, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [self.opened(ctx, v) for v in value]
        if not isinstance(value, dict):  # a path from anywhere: never opened here
            raise _attach(ctx)
        return media.MediaFile(value["file"], value["format"], value["size"], value.get("width"), value.get("height"))


SOURCES: dict[str, FileSource] = {"local": LocalFiles(), "upload": UploadedFiles()}


def source(kind: str) -> FileSource:
    """The file source called KIND ("local" or "upload")."""
    try:
        return SOURCES[kind]
    except KeyError:
        raise ValueError(f"unknown file source {kind!r}; use one of: {', '.join(SOURCES)}") from None


def accept(ctx: Context, slot: str) -> list[str]:
    """The file names SLOT usually takes (".png", ...), for a file picker; the bytes decide, not these."""
    formats = IMAGES if slot == "letter" else tuple(ctx.rules.template["media_kinds"])
    return [ext for fmt in formats for ext in media.EXTENSIONS.get(fmt, (f".{fmt}",))]


def label(name: str | None, n: int) -> str:
    """The name a client gave an upload, fit to show and keep: its last part, one line, bounded."""
    last = re.split(r"[\\/]", name or "")[-1]
    shown = one_line(last).strip()[:_NAME_CHARS]
    return shown if shown.strip(".") else f"file{n}"


def _record(found: media.MediaFile) -> dict[str, Any]:
    """What a request keeps of an uploaded file: what the template will keep, and no bytes."""
    return {"file": found.path, "format": found.format, "size": found.size, "width": found.width,
            "height": found.height}
