"""Work several threads ask for at the same time is done in one call (the sentence encoder's
batches, the service's gap log), each caller getting its own result or the call's error."""

from __future__ import annotations

import pytest

from assistant.together import Together


def _fake_encode(batches: list[list[str]], gate=None):
    import numpy as np

    def encode(texts: list[str]):
        if gate is not None:
            gate.wait(5)
        batches.append(list(texts))
        return np.array([[len(t), sum(map(ord, t))] for t in texts], dtype=np.float32)
    return encode


def _until(condition, seconds: float = 5.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_sentences_asked_for_meanwhile_are_encoded_in_one_batch():
    import threading

    batches: list[list[str]] = []
    gate = threading.Event()
    together = Together(_fake_encode(batches, gate))
    results: dict[str, object] = {}

    def ask(text: str) -> None:
        results[text] = together.one(text)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    _until(lambda: together._busy)  # the first caller is encoding (held at the gate)
    others = [threading.Thread(target=ask, args=(f"q{n}",)) for n in range(5)]
    for t in others:
        t.start()
    _until(lambda: len(together._waiting) == 5)
    gate.set()
    for t in [first, *others]:
        t.join(5)
    assert batches[0] == ["first"] and sorted(batches[1]) == [f"q{n}" for n in range(5)] and len(batches) == 2
    for text, vector in results.items():
        assert list(vector) == [len(text), sum(map(ord, text))]
    assert not together._busy and not together._waiting


def test_a_failed_batch_raises_in_every_caller_and_the_next_one_works():
    calls = []

    def encode(texts: list[str]):
        calls.append(texts)
        if len(calls) == 1:
            raise ValueError("damaged weights")
        return _fake_encode([])(texts)

    together = Together(encode)
    with pytest.raises(ValueError, match="damaged weights"):
        together.one("first")
    assert list(together.one("ab")) == [2, ord("a") + ord("b")]
