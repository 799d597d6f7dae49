"""Generated input against the readers of outside data: nothing but a UserError may escape.

The line reader (stdin of `ask` and the REPL), the recipients CSV reader, the phone parser, the
knowledge-base loader and the slot extractors each get arbitrary text or bytes.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import knowledge, recipients
from assistant.errors import UserError
from assistant.lines import read_lines
from assistant.numbers import lookup
from assistant.router import extract, slots_for

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like what these readers see, with the awkward characters mixed in.
_ALPHABET = st.sampled_from(list("0123456789+-() ,;|\t\"'\n\r=#.:/abcXYZ手机号phoneNAME$ {}[]") +
                            ["\x00", "\x1b", "\u2028", "\ufeff", "\udcff", "é", "\u202e"])
texty = st.one_of(st.text(), st.text(alphabet=_ALPHABET, max_size=300))


def _only_user_errors(call) -> None:
    """Run CALL; a UserError is a fine answer to bad input, any other exception fails the test."""
    with contextlib.suppress(UserError):
        call()


@FAST
@given(st.binary(max_size=400))
def test_the_line_reader_yields_text_or_a_reason_for_any_bytes(data):
    for line in read_lines(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")):
        assert isinstance(line, str | ValueError)
        if isinstance(line, str):
            line.encode("utf-8")  # every line handed on is valid UTF-8


@FAST
@given(texty)
def test_the_recipients_reader_returns_recipients_or_a_user_error(text):
    def parse():
        for phone, params in recipients.parse(text, {"name": "Tom"}):
            assert isinstance(phone, str) and all(isinstance(v, str) for v in params.values())
    _only_user_errors(parse)


@FAST
@given(st.binary(max_size=400))
def test_the_recipients_file_reader_takes_any_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.csv"
        path.write_bytes(data)
        _only_user_errors(lambda: recipients.read(str(path)))


@FAST
@given(texty)
def test_the_phone_parser_gives_a_number_or_a_problem(kb, raw):
    number = lookup(raw, kb.rules)
    assert (number.problem is None) == (number.carrier is not None)


@FAST
@given(texty)
def test_the_slot_extractors_take_any_text(kb, text):
    for type_name in kb.slot_types:
        assert all(isinstance(v, str) for v in extract(kb, type_name, text))
    for action in kb.actions.values():
        assert isinstance(slots_for(kb, action, text), dict)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["faq.yaml", "actions.yaml", "synonyms.yaml", "matcher.yaml", "error_codes.yaml", "rules.yaml"]),
       st.one_of(st.binary(max_size=300), texty.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_the_knowledge_base_loader_reports_problems_for_any_file(name, data):
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        for source in knowledge.shipped_dir().glob("*.yaml"):
            (directory / source.name).write_bytes(source.read_bytes())
        (directory / name).write_bytes(data)
        _only_user_errors(lambda: knowledge.load(directory))
