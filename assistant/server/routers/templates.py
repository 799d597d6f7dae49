"""Templates: created from uploaded media (multipart; the service never opens a path a client
names: it writes the uploads to a private directory of its own), and their review status."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile

from ...errors import UserError
from ...ops import LocalOps
from ..deps import operations
from ..strict import StrictRoute

router = APIRouter(tags=["templates"], route_class=StrictRoute)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _save(folder: Path, n: int, upload: UploadFile) -> str:
    """UPLOAD written under FOLDER with a name made safe (its extension kept for people to read)."""
    name = _UNSAFE_NAME.sub("_", Path(upload.filename or "").name).strip("._") or f"file{n}"
    target = folder / str(n)
    target.mkdir()
    path = target / name[:80]
    path.write_bytes(upload.file.read())
    return str(path)


@router.get("/templates", summary="Status of the account's templates (or of one, by ?code=)")
def status(code: str | None = None, ops: LocalOps = Depends(operations("template.status"))) -> list[dict]:
    return ops.template_status(code)


@router.post("/templates", summary="Create a template from text and uploaded media; submitted to the carriers")
def create(name: str = Form(max_length=200), signature: str = Form(max_length=200),
           industry: str = Form(max_length=200), text: str = Form(max_length=4000),
           media: list[UploadFile] = File(default=[]), letter: UploadFile | None = File(default=None),
           ops: LocalOps = Depends(operations("template.create"))) -> dict:
    with tempfile.TemporaryDirectory(prefix="assistant-upload-") as tmp:
        folder = Path(tmp)
        paths = [_save(folder, n, f) for n, f in enumerate(media)]
        letter_path = _save(folder, len(paths), letter) if letter is not None else None
        try:
            return ops.template_create(name, signature, industry, text, paths, letter_path)
        except UserError as exc:  # name the file as the client did, not by the private copy
            exc.args = (re.sub(re.escape(str(folder)) + r"/\d+/", "", str(exc)),)
            raise
