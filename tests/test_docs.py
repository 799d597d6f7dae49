"""The documentation keeps up with the product: every command, option and `/v1` route is in
docs/, the README stays a short tour, and no relative link in README.md or docs/ points nowhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from assistant.cli.parser import _Commands, build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_MAX_LINES = 300


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    """Every command and sub-command of the real parser, as ("kb check", its parser).

    The top level builds a command's parser only when it is run (`_Commands.parser_for`), so the
    walk asks it for each one; nested sub-commands are ordinary argparse sub-parsers."""
    found: list[tuple[str, argparse.ArgumentParser]] = []

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                continue
            for name in list(action._name_parser_map):
                child = action.parser_for(name) if isinstance(action, _Commands) else action._name_parser_map[name]
                found.append((" ".join((*path, name)), child))
                walk(child, (*path, name))
    walk(build_parser(), ())
    return found


def _own_arguments(parser: argparse.ArgumentParser) -> list[str]:
    """How a command's own arguments are written in the docs: `--since`, or a positional's NAME.
    The global options (added to every command's parser, suppressed) are documented once."""
    shown = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            if action.default is argparse.SUPPRESS:
                continue  # a global option, repeated on each command's parser
            shown.append(max(action.option_strings, key=len))
        else:
            shown.append((action.metavar or action.dest).upper())
    return shown


def _sections(text: str) -> dict[str, str]:
    """Each `### \\`assistant ...\\`` heading of commands.md: the command it names -> its section."""
    sections = {}
    parts = re.split(r"^(#+ .*)$", text, flags=re.MULTILINE)
    for heading, body in zip(parts[1::2], parts[2::2]):
        named = re.match(r"#+ `assistant ((?:[a-z]+ ?)+?)(?: [A-Z\[(-].*)?`$", heading)
        if named:
            sections[named.group(1).strip()] = heading + body
    return sections


def _is_group(parser: argparse.ArgumentParser) -> bool:
    """A command that only gathers sub-commands (`kb`, `admin account`): its members are documented."""
    return any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def test_every_command_and_sub_command_has_a_section_in_the_command_reference():
    sections = _sections((DOCS / "commands.md").read_text(encoding="utf-8"))
    missing = [name for name, parser in _commands() if name not in sections and not _is_group(parser)]
    assert not missing, f"docs/commands.md has no section for: {missing}"


def test_every_option_and_argument_of_a_command_is_in_its_section():
    sections = _sections((DOCS / "commands.md").read_text(encoding="utf-8"))
    missing = []
    for name, parser in _commands():
        if name not in sections:
            continue  # a group of sub-commands, or missing (the test above says so)
        missing += [f"{name} {arg}" for arg in _own_arguments(parser) if arg not in sections[name]]
    assert not missing, f"docs/commands.md does not describe: {missing}"


def test_every_global_option_is_in_the_command_reference():
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    options = [max(a.option_strings, key=len) for a in build_parser()._actions
               if a.option_strings and not isinstance(a, argparse._HelpAction)]
    assert len(options) >= 9
    assert not [o for o in options if f"`{o}" not in text]


def test_the_walk_finds_the_nested_commands():
    """The tests above are only as good as the walk: it must reach the third level of the grammar."""
    names = {name for name, _ in _commands()}
    assert {"ask", "kb check", "admin account create", "admin token revoke", "handoff resolve", "serve"} <= names


def test_every_v1_route_of_the_service_is_in_the_api_reference(tmp_path):
    pytest.importorskip("fastapi")
    from assistant.server.app import create_app
    from assistant.server.settings import Settings

    app = create_app(Settings(db=str(tmp_path / "assistant.db")))
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    # the OpenAPI document lists every route the app serves (routers included lazily are not in app.routes)
    routes = [(method.upper(), path) for path, methods in app.openapi()["paths"].items()
              if path.startswith("/v1/") for method in methods]
    assert len(routes) >= 30
    missing = [f"{method} {path}" for method, path in routes if f"`{method} {path}`" not in text]
    assert not missing, f"docs/api.md does not describe: {missing}"


def test_every_field_and_query_parameter_of_a_v1_route_is_named_in_its_section_of_the_api_reference(tmp_path):
    pytest.importorskip("fastapi")
    import re

    from assistant.server.app import create_app
    from assistant.server.settings import Settings

    schema = create_app(Settings(db=str(tmp_path / "assistant.db"))).openapi()
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `([A-Z]+ \S+)`\n(.*?)(?=^#{2,3} |\Z)", text, re.M | re.S))
    missing = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items() if path.startswith("/v1/") else ():
            names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
            for content in op.get("requestBody", {}).get("content", {}).values():
                refs = [content["schema"]] + content["schema"].get("anyOf", [])
                for ref in (r["$ref"].rsplit("/", 1)[1] for r in refs if "$ref" in r):
                    names += list(schema["components"]["schemas"][ref]["properties"])
            section = sections.get(f"{method.upper()} {path}", "")
            missing += [f"{method.upper()} {path}: {name}" for name in names
                        if not re.search(rf"[`\"?&]{re.escape(name)}\b", section)]
    assert not missing, f"docs/api.md does not name: {missing}"


def test_the_readme_is_a_short_tour():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]


def _relative_links(text: str) -> list[str]:
    """Targets of inline links and images that are not URLs or in-page anchors; code is skipped."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


@pytest.mark.parametrize("page", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_points_to_a_file_that_exists(page):
    assert page.is_file()
    broken = [t for t in _relative_links(page.read_text(encoding="utf-8"))
              if not (page.parent / t.partition("#")[0]).exists()]
    assert not broken, f"{page.name} links to missing files: {broken}"


def test_a_link_to_a_missing_file_is_found():
    assert _relative_links("see [a](docs/gone.md#x), [b](https://example.com), [c](#here), `[d](e.md)`") \
        == ["docs/gone.md#x"]


def test_a_count_of_stories_written_in_the_docs_is_the_real_one():
    """A number of conversation stories in the docs goes stale as stories are added: none is
    written today, and one that is written must be true."""
    count = len(list((ROOT / "tests" / "stories").glob("*.yaml")))
    for page in _markdown_files():
        for said in re.findall(r"(\d+) (?:conversation )?stories", page.read_text(encoding="utf-8")):
            assert int(said) == count, f"{page.name} says {said} stories; tests/stories holds {count}"


def _sh_block(page: Path, after: str) -> list[str]:
    """The command lines of the first ```sh block after the line AFTER, continuations joined."""
    text = page.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(after):], re.DOTALL).group(1)
    return [line for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def _run_shell_line(run, monkeypatch, line: str):
    """One documented command line, in process: `export X=Y`, `X=Y assistant ...` or `assistant ...`."""
    import shlex

    words = shlex.split(line, comments=True)
    if words[0] == "export":
        for pair in words[1:]:
            monkeypatch.setenv(*pair.split("=", 1))
        return None
    with monkeypatch.context() as scoped:
        while "=" in words[0]:
            scoped.setenv(*words.pop(0).split("=", 1))
        assert words[0] == "assistant", f"not a command of the assistant: {line}"
        return run(*words[1:])


def test_the_documented_command_line_walk_through_runs_on_a_fresh_demo_account(run, monkeypatch, tmp_path):
    """The README's onboarding and handoff, then the administrator's commands, exactly as shown,
    one after the other on a fresh database; the manager's queue (its own ticket 1) on another:
    each line exits 0."""
    from conftest import png_bytes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "banner.png").write_bytes(png_bytes(1, 1))
    monkeypatch.setenv("USER", "tester")
    walk = (_sh_block(ROOT / "README.md", "## Onboarding from the command line")
            + _sh_block(ROOT / "README.md", "## When the assistant cannot help")
            + _sh_block(DOCS / "operators.md", "## Administration: accounts"))
    queue = _sh_block(DOCS / "managers.md", "## The queue and a case")
    assert len(walk) >= 20 and len(queue) >= 8
    for line in walk:
        result = _run_shell_line(run, monkeypatch, line)
        assert result is None or result.code == 0, f"{line}\n{result.out}{result.err}"
    sent = run("--json", "send", "list")
    assert '"sent": 2' in sent.out and "DIGITAL_SMS_0001" in sent.out
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "queue.db"))
    for line in queue:
        result = _run_shell_line(run, monkeypatch, line)
        assert result is None or result.code == 0, f"{line}\n{result.out}{result.err}"
