"""Conversation stories: whole conversations as data, run against the real conversation.

A story (one YAML file, in the spirit of Rasa's test stories) gives the account set-up, the
clock, the lines the customer types, what each reply must and must not contain, what the
assistant waits for after it, and the account's state at the end:

    story: yes to the enable offer enables at once
    setup: fresh                 # fresh | enabled | signed | live (see PRESETS)
    given: [{balance: 0}]        # optional extra set-up: balance, profile, signature, template, send, handoff,
                                 # claim, reply, resolve, review
    clock: 2026-03-20T10:00      # optional: the time after the set-up
    pipe: false                  # true: drive the real prompt-toolkit shell through a pipe
    turns:
      - say: how do I enable digital messages
        expect: ["Enable digital message sending for the account now? [y/N]"]
        absent: ["Go ahead?"]
        waiting: offer           # the prompt's kind or a piece of its text; null: the main prompt
        choices: [yes, no]       # optional: what the shell offers there (buttons, completions), exactly
      - say: y
        expect: [Digital messages are now enabled.]
      - at: 2026-03-21T10:00     # the clock moves
      - role: manager            # a new session (its welcome is the reply); `start: true` for the same role
      - keys: "\x03"             # raw keys (pipe), or Ctrl-C / Ctrl-D (the core)
      - given: {resolve: {ticket: 1, note: Fixed}}   # done elsewhere meanwhile; may go with a say
    end: {enabled: true}

`{media}` in a line is the folder of sample files (banner.png, letter.png, tiny.png, clip.mp4,
photo.png). `run_dir` runs every story of a folder; `assistant eval --stories DIR` and the
tests call it. Nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .actions import accounts, handoff, sending, signatures, templates
from .clock import FixedClock, parse_time
from .context import Context
from .conversation import Conversation, Line
from .errors import UserError
from .router import Router
from .storage.sqlite import Store

START = "2026-03-02T10:00"   # a Monday with no holiday near it
MANAGER = "manager:lin"


@dataclass
class StoryResult:
    """How one story went: OK, or the first things that did not hold."""

    name: str
    path: str
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> dict[str, Any]:
        return {"story": self.name, "path": self.path, "ok": self.ok, "failures": self.failures}


def png(width: int = 64, height: int = 64) -> bytes:
    """A real, decodable white PNG of WIDTH x HEIGHT: the stories', the tests' and the benchmarks' image."""
    raw = b"".join(b"\x00" + b"\xff" * (width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _media(folder: Path) -> None:
    files = {"banner.png": png(64, 64), "letter.png": png(800, 1000), "tiny.png": png(120, 90),
             "clip.mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64,
             "photo.png": b"just text, not an image"}
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)


def _at(ctx: Context, when: Any) -> None:
    ctx.clock = FixedClock(when if isinstance(when, dt.datetime) else parse_time(str(when)))


def _preset(ctx: Context, name: str, media: Path) -> None:
    """The account at one of the onboarding stages."""
    stages = ("fresh", "enabled", "signed", "live")
    if name not in stages:
        raise UserError(f"unknown setup '{name}'; use one of: {', '.join(stages)}")
    _at(ctx, START)
    if name == "fresh":
        return
    accounts.enable(ctx)
    if name == "enabled":
        return
    signatures.submit(ctx, "AcmeShop", "trademark")
    _at(ctx, "2026-03-17T10:00")
    if name == "signed":
        return
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [str(media / "banner.png")])
    _at(ctx, "2026-03-20T10:00")


def _given(ctx: Context, step: dict, media: Path) -> None:
    """One extra set-up step, done with the core functions as the service would."""
    (kind, value), = step.items()
    if kind == "balance":
        ctx.store.update("accounts", {"name": ctx.account}, {"digital_balance": int(value)})
    elif kind == "at":
        _at(ctx, value)
    elif kind == "profile":      # names added to the account's real-name profile ({enterprise: [长沙星辰娱乐有限公司]})
        accounts.update_account(ctx, ctx.account, None, value)
    elif kind == "signature":
        signatures.submit(ctx, value["name"], value.get("source", "trademark"))
    elif kind == "template":
        templates.create(ctx, value["name"], value.get("signature", "AcmeShop"), value.get("industry", "e-commerce"),
                         value["text"], [str(media / m) for m in value.get("media", ["banner.png"])],
                         str(media / value["letter"]) if value.get("letter") else None)
    elif kind == "review":
        templates.record_review(ctx, value["code"], value["carrier"], value.get("approve", True), value.get("reason"))
    elif kind == "send":
        sending.send(ctx, value["code"], [(p, value.get("params", {})) for p in value["phones"]])
    elif kind == "handoff":
        handoff.create(ctx, value, trigger="asked_for_person", reuse=True)
    elif kind in ("claim", "reply", "resolve"):
        actor, role = ctx.actor, ctx.role
        ctx.actor, ctx.role = MANAGER, "manager"
        try:
            if kind == "claim":
                handoff.claim(ctx, value, "lin")
            elif kind == "reply":
                handoff.reply(ctx, value["ticket"], value["text"], "lin")
            else:
                handoff.resolve(ctx, value["ticket"], value["note"], "lin")
        finally:
            ctx.actor, ctx.role = actor, role
    else:
        raise UserError(f"unknown set-up step '{kind}'")


class _Driver:
    """Says lines to the core conversation, or types them into the real shell through a pipe."""

    def __init__(self, ctx: Context, router: Router, role: str, pipe: bool):
        self.ctx, self.router, self.pipe = ctx, router, pipe
        self._pipe_cm = self._input = self.shell = None
        self.ended = False
        self.opening = self.begin(role)

    def begin(self, role: str) -> list[Line]:
        self.close()
        self.ctx.actor = MANAGER if role == "manager" else "customer"
        self.conversation = Conversation(self.ctx, self.router, role)
        self.ended = False
        if not self.pipe:
            return self.conversation.welcome()
        from prompt_toolkit.input import create_pipe_input
        from prompt_toolkit.output import DummyOutput

        from .repl import Shell

        self._pipe_cm = create_pipe_input()
        self._input = self._pipe_cm.__enter__()
        self.shell = Shell(self.conversation, input=self._input, output=DummyOutput())
        self.shell.show(self.conversation.welcome())
        return list(self.shell.transcript)

    def say(self, text: str) -> list[Line]:
        if self.ended or self.conversation.done:
            return [Line("error", "(the session had ended)")]
        if not self.pipe:
            return self.conversation.handle(text)
        return self.keys(text + "\r")

    def keys(self, keys: str) -> list[Line]:
        if not self.pipe:
            if keys == "\x03":
                return self.conversation.cancel()
            if keys == "\x04":
                self.ended = True
                return []
            return self.conversation.handle(keys)
        assert self.shell is not None and self._input is not None
        before = len(self.shell.transcript)
        self._input.send_text(keys)
        self.ended = not self.shell.step() or self.ended
        return self.shell.transcript[before:]

    def close(self) -> None:
        if self._pipe_cm is not None:
            self._pipe_cm.__exit__(None, None, None)
            self._pipe_cm = self._input = self.shell = None


def _text(value: Any) -> str:
    """A line as typed: YAML reads a bare yes / no as a boolean."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# A Chinese sentence's closing mark followed by another (。。, 。.): a catalogue sentence put in a frame that
# closes it again (messages.filled joins them); every reply of every story is checked for it
_DOUBLED = re.compile(r"[。！？][。.]")


def _check_turn(n: int, turn: dict, lines: list[Line], conv: Conversation) -> list[str]:
    said = "\n".join(line.text for line in lines)
    label = _text(turn["say"]) if "say" in turn else turn.get("keys") or turn.get("role") or "start"
    problems = [f"turn {n} ({label!r}): missing {want!r}" for want in turn.get("expect", []) if want not in said]
    problems += [f"turn {n} ({label!r}): should not say {bad!r}" for bad in turn.get("absent", []) if bad in said]
    problems += [f"turn {n} ({label!r}): a sentence ends twice ({doubled!r}): a frame's closing mark after its sentence's"
                 for doubled in sorted(set(_DOUBLED.findall(said)))]
    if "waiting" in turn:
        waiting, want = conv.waiting, turn["waiting"]
        if want is None and waiting is not None:
            problems.append(f"turn {n} ({label!r}): should be back at the main prompt, waits for {waiting.prompt!r}")
        elif want is not None and (waiting is None or (want != waiting.kind and want not in waiting.prompt)):
            problems.append(f"turn {n} ({label!r}): should wait for {want!r}, "
                            f"waits for {waiting.prompt if waiting else 'nothing'!r}")
    if "choices" in turn and (offered := conv.waiting.choices if conv.waiting else []) != [_text(c) for c in turn["choices"]]:
        problems.append(f"turn {n} ({label!r}): should offer {turn['choices']!r}, offers {offered!r}")
    if problems:
        problems.append(f"turn {n}: the reply was: {said!r}")
    return problems


def _state(ctx: Context) -> dict[str, Any]:
    info = accounts.account_info(ctx)
    counts = {r["status"]: r["n"] for r in ctx.store.rows(
        "SELECT status, COUNT(*) AS n FROM messages WHERE account = ? GROUP BY status", (ctx.account,))}
    return {
        "enabled": info["enabled"], "digital": info["packages"]["digital"],
        "signatures": {s["name"]: s["registration"] for s in signatures.status(ctx)},
        "templates": {t["code"]: t["industry"] for t in templates.status(ctx)},
        "letters": [r["code"] for r in ctx.store.rows("SELECT code FROM templates WHERE account = ? AND letter IS NOT NULL",
                                                      (ctx.account,))],
        "sent": counts.get("sent", 0), "failed": counts.get("failed", 0),
        "tickets": {r["id"]: r["status"] for r in ctx.store.rows("SELECT id, status FROM tickets ORDER BY id")},
        "unseen": ctx.store.row("SELECT COUNT(*) AS n FROM ticket_messages WHERE account = ? AND seen_at IS NULL "
                                "AND role NOT IN (?, ?)", (ctx.account, *handoff.CUSTOMER_SIDE))["n"],
    }


def _check_end(end: dict, ctx: Context) -> list[str]:
    state = _state(ctx)
    problems = []
    for key, want in end.items():
        if key not in state:
            problems.append(f"end: unknown state '{key}'; use one of: {', '.join(state)}")
            continue
        got = state[key]
        if key == "tickets":
            got = {str(k): v for k, v in got.items()}
            want = {str(k): v for k, v in want.items()}
        if got != want:
            problems.append(f"end: {key} is {got!r}, should be {want!r}")
    return problems


def load(path: Path) -> dict:
    """A story file; a UserError says what is wrong with it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        from .yamlfile import said

        raise UserError(said(path, exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list) or not data.get("story"):
        raise UserError(f"{path}: a story needs 'story' (its name) and a list of 'turns'")
    return data


def run(story: dict, router: Router, path: str = "") -> StoryResult:
    """Play STORY on a fresh database of its own and report what did not hold."""
    result = StoryResult(str(story["story"]), path)
    with tempfile.TemporaryDirectory(prefix="story-") as tmp:
        folder = Path(tmp)
        media = folder / "media"
        _media(media)
        store = Store(folder / "story.db")
        ctx = Context(store, router.kb, FixedClock(parse_time(START)), "demo", "customer")
        driver = None
        try:
            accounts.ensure_demo(ctx)
            _preset(ctx, story.get("setup", "fresh"), media)
            for step in story.get("given", []):
                _given(ctx, step, media)
            if story.get("clock"):
                _at(ctx, story["clock"])
            driver = _Driver(ctx, router, story.get("role", "customer"), bool(story.get("pipe")))
            opening = driver.opening
            for n, turn in enumerate(story["turns"], 1):
                if "at" in turn:
                    _at(ctx, turn["at"])
                if "given" in turn:   # something done elsewhere meanwhile (a manager resolving)
                    _given(ctx, turn["given"], media)
                if "role" in turn or turn.get("start"):
                    lines = driver.begin(turn.get("role", driver.conversation.role))
                elif "keys" in turn:
                    lines = driver.keys(str(turn["keys"]).replace("{media}", str(media)))
                elif "say" in turn:
                    lines = driver.say(_text(turn["say"]).replace("{media}", str(media)))
                else:
                    lines = opening if n == 1 else []
                result.failures += _check_turn(n, turn, lines, driver.conversation)
            ctx.actor = "customer"
            result.failures += _check_end(story.get("end", {}), ctx)
        except UserError as exc:
            result.failures.append(f"set-up or end check failed: {exc}")
        finally:
            if driver is not None:
                driver.close()
            store.close()
    return result


def run_dir(directory: str | Path, router: Router) -> list[StoryResult]:
    """Every story (*.yaml) of DIRECTORY, in name order."""
    folder = Path(directory)
    if not folder.is_dir():
        raise UserError(f"no directory {folder}; give the folder of story YAML files")
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise UserError(f"no stories (*.yaml) in {folder}")
    return [run(load(p), router, str(p)) for p in paths]
