"""The interactive assistant: a prompt-toolkit shell over `Conversation`.

The loop only reads a line, hands it to the conversation and renders what comes back. History,
completion (commands, FAQ questions, template codes, error codes, and each slot's own values),
the bottom toolbar, colours and the Ctrl-C / Ctrl-D keys live here; every decision lives in
`conversation.py`. Without a terminal on standard input it answers line by line in plain text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import Style

from .conversation import Conversation, Line
from .render import safe

STYLE = Style.from_dict({
    "answer": "", "info": "ansicyan", "ok": "ansigreen", "warn": "ansiyellow", "error": "ansired bold",
    "choice": "ansimagenta", "muted": "ansibrightblack", "prompt": "bold",
    "bottom-toolbar": "bg:ansiblack ansiwhite noreverse",
})


class ConversationCompleter(Completer):
    """Completes what the conversation waits for, else commands, questions and codes."""

    def __init__(self, conversation: Conversation):
        self.conversation = conversation

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        typed = document.text_before_cursor
        waiting = self.conversation.waiting
        words = waiting.choices if waiting else self.conversation.completions()
        needle = typed.casefold()
        for word in words:
            folded = word.casefold()
            if folded.startswith(needle) or (len(needle) >= 3 and needle in folded and not typed.startswith("/")):
                yield Completion(word, start_position=-len(typed))


class Shell:
    """One interactive session: a PromptSession, the conversation, and what was shown."""

    def __init__(self, conversation: Conversation, history_file: Path | None = None, input=None, output=None):
        self.conversation = conversation
        self.color = not os.environ.get("NO_COLOR")
        self.transcript: list[Line] = []
        history = FileHistory(str(history_file)) if history_file else InMemoryHistory()
        self.toolbar_text = ""
        self.session: PromptSession = PromptSession(
            history=history, completer=ConversationCompleter(conversation), complete_while_typing=False,
            bottom_toolbar=lambda: self.toolbar_text, style=STYLE if self.color else Style([]),
            color_depth=None if self.color else ColorDepth.MONOCHROME, input=input, output=output)
        self._refresh_toolbar()

    def _refresh_toolbar(self) -> None:
        try:
            self.toolbar_text = self.conversation.toolbar()
        except Exception:  # a toolbar must never break the session  # noqa: BLE001
            self.toolbar_text = f" {self.conversation.ctx.account}"

    def show(self, lines: list[Line]) -> None:
        """Print LINES in their colours; text from users and the database is neutralised first."""
        self.transcript.extend(lines)
        waiting = self.conversation.waiting
        for line in lines:
            if waiting and waiting.kind in ("slot", "confirm") and line.text == waiting.prompt:
                continue  # the prompt itself asks it
            print_formatted_text(FormattedText([(f"class:{line.kind}", safe(line.text))]),
                                 style=self.session.style, output=self.session.output,
                                 color_depth=None if self.color else ColorDepth.MONOCHROME)

    def message(self) -> FormattedText:
        waiting = self.conversation.waiting
        if waiting and waiting.kind in ("slot", "confirm"):
            return FormattedText([("class:prompt", f"{waiting.prompt}: ")])
        return FormattedText([("class:prompt", f"{self.conversation.ctx.account}> ")])

    def step(self) -> bool:
        """Read and answer one line; False when the session is over."""
        try:
            text = self.session.prompt(self.message)
        except KeyboardInterrupt:
            self.show(self.conversation.cancel())
            return True
        except EOFError:
            return False
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
    from .paths import default_db

    # Remote mode: the service holds the conversation; the loop below is the same.
    conversation = sh.ops.conversation() if sh.remote else Conversation(sh.ctx, sh.router, sh.opts.role)
    if not sh.stdin.isatty():
        for raw in sh.stdin:
            for line in conversation.handle(raw):
                sh.out(safe(line.text))
            waiting = conversation.waiting
            if waiting and waiting.kind == "slot":
                sh.out(safe(waiting.prompt) + ":")
            if conversation.done:
                break
        return 0
    history = None if sh.remote else Path(sh.opts.db or default_db()).parent / "history"
    return Shell(conversation, history).run()
