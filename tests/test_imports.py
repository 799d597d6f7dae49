"""No import circles in `assistant/`: the run-time import graph has no cycle.

The graph is built from the source (every module parsed with `ast`, nothing imported), with an
edge from a module to each `assistant` module it imports:

- Imports under `if TYPE_CHECKING:` are left out: they exist for the type checker only and never
  run, so they cannot leave a module half-initialised (the chat pieces name `Conversation` that way
  while `conversation.py` imports them).
- Imports inside functions (lazy imports, used to keep start-up short) count: when the function
  runs, the import runs, and a lazy import that closes a circle is still a circle; it only moves
  the half-initialised module to call time, where it fails less predictably.
- Importing a submodule also runs its package's `__init__`, but that is no edge of its own: a
  package that imports its submodules is not a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assistant

ROOT = Path(assistant.__file__).resolve().parent
Graph = dict[str, set[str]]


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Every module under ROOT by its dotted name ("assistant.cli.parser"); a package by its __init__."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _run_time_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """The import statements of TREE that can run: all of them, in functions too, but none under
    `if TYPE_CHECKING:` (its `else:` branch does run)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)
    visit(tree)
    return found


def imports_of(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of KNOWN that MODULE (whose code is SOURCE) imports at run time."""
    package = module if is_package else module.rpartition(".")[0]
    edges: set[str] = set()
    for node in _run_time_imports(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            # `from pkg import name` imports the submodule pkg.name when there is one, else pkg itself
            targets = [f"{base_name}.{a.name}" if f"{base_name}.{a.name}" in known else base_name for a in node.names]
        for target in targets:
            while target and target not in known:  # `import assistant.x.y` where y is a name in x
                target = target.rpartition(".")[0]
            if target and target != module:
                edges.add(target)
    return edges


def import_graph(root: Path = ROOT) -> Graph:
    """Module -> the package's modules it imports at run time."""
    names = module_names(root)
    return {name: imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", set(names))
            for name, path in names.items()}


def find_cycle(graph: Graph) -> list[str] | None:
    """One import circle of GRAPH as [a, b, ..., a], or None when there is none (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_names_a_circle_in_a_small_graph():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]


def test_the_cycle_finder_finds_none_in_a_graph_without_one():
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"a"}}) is None


def test_the_graph_leaves_out_type_checking_imports_but_keeps_lazy_ones():
    known = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d"}
    source = ("from typing import TYPE_CHECKING\nfrom . import b\nif TYPE_CHECKING:\n    from .c import C\n"
              "else:\n    import pkg.sub\ndef f():\n    from .sub.d import x\n    import json\n")
    assert imports_of("pkg.a", source, False, known) == {"pkg.b", "pkg.sub", "pkg.sub.d"}
    assert imports_of("pkg.sub", "from ..a import thing\nfrom . import d\n", True, known) == {"pkg.a", "pkg.sub.d"}


def test_the_graph_of_the_package_is_complete():
    graph = import_graph()
    assert {"assistant.knowledge", "assistant.yamlfile", "assistant.cli", "assistant.chat.state"} <= set(graph)
    assert "assistant.errors" in graph["assistant.knowledge"]
    assert "assistant.yamlfile" in graph["assistant.knowledge"]  # a lazy import, counted


def test_there_is_no_import_circle_at_run_time():
    cycle = find_cycle(import_graph())
    if cycle:
        pytest.fail("import circle: " + " -> ".join(cycle))
