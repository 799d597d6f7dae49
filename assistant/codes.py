"""Service error codes as text: the key the catalogue compares them by, and the codes the source raises.

Kept apart from the lookup (`actions/error_codes.py`) so that the knowledge-base loader can check
the catalogue against the code without depending on an action module (which itself depends on the
loader): both import this module, and it imports neither.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

PREFIXES = ("isv.", "isp.")
# Characters a person may leave around a code when pasting it from a log or a message.
EDGES = " \t\r\n\"'`“”‘’()[]{}<>.,;:!?。，；：！？【】（）「」"
SERVICE_CODE = re.compile(r"\b(?:isv|isp)\.[A-Z][A-Z0-9_]*[A-Z0-9]")
_PACKAGE = Path(__file__).resolve().parent
# Modules that write codes without raising them: this one, and the lookup's examples in its messages.
_NOT_RAISING = (_PACKAGE / "codes.py", _PACKAGE / "actions" / "error_codes.py")


def code_key(text: str) -> str:
    """TEXT as the catalogue compares codes: trimmed of surrounding punctuation, any case, no prefix."""
    key = text.strip().strip(EDGES).casefold()
    for prefix in PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


@lru_cache(maxsize=1)
def raised_codes() -> frozenset[str]:
    """Every `isv.`/`isp.` code written in the package's source: the codes the actions can produce.

    Read from the code itself (string constants, f-string parts included), so a refusal given
    a new code is covered without anyone keeping a list.
    """
    found: set[str] = set()
    for path in sorted(_PACKAGE.rglob("*.py")):  # the actions and the modules they use (media, numbers)
        if path.resolve() in _NOT_RAISING:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                found.update(SERVICE_CODE.findall(node.value))
    return frozenset(found)


def _docstrings(tree: ast.AST) -> set[int]:
    """Ids of the docstring nodes of TREE (they mention codes without producing them)."""
    docs = set()
    for parent in ast.walk(tree):
        if isinstance(parent, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and parent.body:
            first = parent.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return docs
