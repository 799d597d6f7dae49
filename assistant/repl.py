"""The interactive assistant: a prompt-toolkit shell over `Conversation`.

The loop only reads a line, hands it to the conversation and renders what comes back. History
(top-level lines only), completion (commands, FAQ questions, template codes, error codes, each
slot's own values, and paths at file prompts), the bottom toolbar (fitted to the width), colours
and the Ctrl-C / Ctrl-D keys live here; every decision lives in
`conversation.py`. Without a terminal on standard input it answers line by line in plain text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import Style

from . import render
from .conversation import Conversation, Line
from .lines import not_utf8, read_lines
from .progress import Bar
from .render import safe

STYLE = Style.from_dict({
    "answer": "", "info": "ansicyan", "ok": "ansigreen", "warn": "ansiyellow", "error": "ansired bold",
    "choice": "ansimagenta", "muted": "ansibrightblack", "prompt": "bold",
    "bottom-toolbar": "bg:ansiblack ansiwhite noreverse",
})


ASKED_BY_THE_PROMPT = ("slot", "file", "confirm", "offer")   # waits whose question the prompt itself asks


class ConversationCompleter(Completer):
    """Completes what the conversation waits for, else commands, questions and codes."""

    def __init__(self, conversation: Conversation):
        self.conversation = conversation
        self.paths = PathCompleter(expanduser=True)

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        typed = document.text_before_cursor
        waiting = self.conversation.waiting
        if waiting and waiting.paths:
            yield from self.paths.get_completions(document, complete_event)
            return
        words = waiting.choices if waiting else self.conversation.completions()
        needle = typed.casefold()
        for word in words:
            folded = word.casefold()
            if folded.startswith(needle) or (len(needle) >= 3 and needle in folded and not typed.startswith("/")):
                yield Completion(word, start_position=-len(typed))


class TopLevelHistory(History):
    """History that keeps only what was typed at the main prompt: no values, no yes/no answers."""

    def __init__(self, inner: History, conversation: Conversation):
        super().__init__()
        self.inner, self.conversation = inner, conversation

    def load_history_strings(self) -> Iterable[str]:
        return self.inner.load_history_strings()

    def append_string(self, string: str) -> None:
        if self.conversation.waiting is None:  # asked when the line is accepted, before it is handled
            super().append_string(string)

    def store_string(self, string: str) -> None:
        self.inner.store_string(string)


def _keys() -> KeyBindings:
    bindings = KeyBindings()

    @bindings.add("c-d", eager=True)
    def _quit(event) -> None:
        """Ctrl-D quits, whatever is typed or pending (prompt-toolkit's own only quits on an empty line)."""
        event.app.exit(exception=EOFError)
    return bindings


def _output():
    """The terminal's output, `quiet` (see there)."""
    from prompt_toolkit.output.defaults import create_output

    return quiet(create_output())


def quiet(output):
    """OUTPUT without cursor-position requests: a terminal that never answers them made
    prompt-toolkit wait, and keys typed meanwhile (Ctrl-D) were lost."""
    if hasattr(output, "enable_cpr"):
        output.enable_cpr = False
        # Without the request prompt-toolkit never learns the rows below the cursor, and draws no
        # bottom toolbar until it does; saying "at least one" draws it right under the input line.
        output.get_rows_below_cursor_position = lambda: 1
    return output


class Shell:
    """One interactive session: a PromptSession, the conversation, and what was shown."""

    bar_after_s: float | None = None   # a send that takes longer draws a progress bar (None: progress.AFTER_S)

    def __init__(self, conversation: Conversation, history_file: Path | None = None, input=None, output=None):
        self.conversation = conversation
        self.color = not os.environ.get("NO_COLOR")
        self.transcript: list[Line] = []
        inner = FileHistory(str(history_file)) if history_file else InMemoryHistory()
        self.toolbar_text = ""
        self.session: PromptSession = PromptSession(
            history=TopLevelHistory(inner, conversation), completer=ConversationCompleter(conversation),
            complete_while_typing=False, key_bindings=_keys(), enable_system_prompt=False,
            bottom_toolbar=lambda: self.toolbar_text, style=STYLE if self.color else Style([]),
            color_depth=None if self.color else ColorDepth.MONOCHROME, input=input,
            output=output if output is not None or input is not None else _output())
        self._refresh_toolbar()

    def _columns(self) -> int | None:
        """The terminal's width in columns, or None when the output cannot tell."""
        try:
            return self.session.output.get_size().columns
        except Exception:  # noqa: BLE001
            return None

    def _refresh_toolbar(self) -> None:
        try:
            self.toolbar_text = self.conversation.toolbar(self._columns())
        except Exception:  # a toolbar must never break the session  # noqa: BLE001
            self.toolbar_text = f" {self.conversation.ctx.account}"

    def show(self, lines: list[Line]) -> None:
        """Print LINES in their colours, each wrapped to the terminal's width between words (the
        terminal itself would cut through one); text from users and the database is neutralised first."""
        self.transcript.extend(lines)
        waiting = self.conversation.waiting
        width = self._columns()
        for line in lines:
            if waiting and waiting.kind in ASKED_BY_THE_PROMPT and line.text == waiting.prompt:
                continue  # the prompt itself asks it
            text = safe(line.text)
            if width:
                text = "\n".join(part for each in text.split("\n")
                                 for part in render.wrap(each, width, each[:len(each) - len(each.lstrip(" "))]))
            print_formatted_text(FormattedText([(f"class:{line.kind}", text)]),
                                 style=self.session.style, output=self.session.output,
                                 color_depth=None if self.color else ColorDepth.MONOCHROME)

    def _draw(self, text: str) -> None:
        """Part of a line straight to the terminal (the progress bar redraws itself with a carriage return)."""
        self.session.output.write_raw(text)
        self.session.output.flush()

    def message(self) -> FormattedText:
        """The prompt: a pending value or yes/no question is the prompt itself ("... now? [y/N]: "),
        so that a yes/no waiting never looks like the main prompt."""
        waiting = self.conversation.waiting
        if waiting and waiting.kind in ASKED_BY_THE_PROMPT:
            return FormattedText([("class:prompt", f"{waiting.prompt}: ")])
        return FormattedText([("class:prompt", f"{self.conversation.ctx.account}> ")])

    def step(self) -> bool:
        """Read and answer one line; False when the session is over."""
        try:
            text = self.session.prompt(self.message)
        except KeyboardInterrupt:
            self.show(self.conversation.cancel())
            return True
        except EOFError:      # Ctrl-D: what was pending is said to be not done
            self.show(self.conversation.leave())
            return False
        if problem := not_utf8(text):
            self.show([Line("error", f"Sorry, I can't read that: {problem}.")])
            return True
        if render.WIDTH is not None:       # the CLI fits tables to the terminal: to its width now, if resized
            render.WIDTH = self._columns() or render.WIDTH
        if isinstance(self.conversation, Conversation):  # a send that takes more than a second draws a bar
            self.conversation.progress = Bar(self._draw, after_s=self.bar_after_s)
        try:
            self.show(self.conversation.handle(text))
        except Exception as exc:  # a bug must not end the customer's session  # noqa: BLE001
            self.conversation.cancel()
            self.show([Line("error", f"internal error ({type(exc).__name__}: {exc}); nothing was half-done, "
                                     "the session goes on. Please report this.")])
        self._refresh_toolbar()
        return not self.conversation.done

    def run(self) -> int:
        self.show(self.conversation.welcome())
        while self.step():
            pass
        return 0


def run(sh) -> int:
    """`assistant` with no command: the interactive shell on a terminal, plain lines otherwise."""
    from .paths import local_dir, open_private

    # Remote mode: the service holds the conversation; the loop below is the same.
    conversation = sh.ops.conversation(sh.lang) if sh.remote else Conversation(sh.ctx, sh.router, sh.opts.role, lang=sh.lang)
    if not sh.stdin.isatty():
        # as the terminal's welcome does: a script for an account that does not exist (here or on the service)
        sh.ops.account_show()   # fails at once, one error line and exit 1, never the error on every line
        for line in conversation.news():       # no banner for scripts, but a manager's answer is news
            sh.out(safe(line.text))
        for raw in read_lines(sh.stdin):
            if isinstance(raw, ValueError):  # one unreadable line does not end the session
                sh.out(f"Sorry, I can't read that: {raw}.")
                continue
            for line in conversation.handle(raw):
                sh.out(safe(line.text))
            waiting = conversation.waiting
            if waiting and waiting.kind in ("slot", "file"):
                sh.out(safe(waiting.prompt) + ":")
            if conversation.done:
                break
        else:
            for line in conversation.leave():      # the input ended with a request half filled
                sh.out(safe(line.text))
        return 0
    history = None if sh.remote else local_dir(sh.opts.db) / "history"
    try:  # what was typed stays as private as the database beside it, and never goes through a planted link
        if history is not None:
            os.close(open_private(history))
    except OSError:
        history = None
    return Shell(conversation, history).run()
