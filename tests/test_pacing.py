"""Pacing a long piece of work: its share of the time while others wait, nothing when alone."""

from assistant.pacing import Pacer


class FakeTime:
    """A clock the work advances and the pauses advance too."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def _work(pacer: Pacer, clock: FakeTime, steps: int, step_s: float = 0.0001) -> None:
    for _ in range(steps):
        clock.now += step_s
        pacer()


def test_work_paced_to_a_quarter_pauses_three_times_as_long_as_it_works():
    clock = FakeTime()
    pacer = Pacer(0.25, clock=lambda: clock.now, sleep=clock.sleep)
    _work(pacer, clock, 6400)
    worked = 6400 * 0.0001
    assert clock.pauses and abs(sum(clock.pauses) - 3 * worked) < 0.02
    assert max(clock.pauses) < 0.03  # short slices: no one waits long for a turn


def test_work_alone_or_at_full_share_never_pauses():
    clock = FakeTime()
    alone = Pacer(0.25, busy=lambda: False, clock=lambda: clock.now, sleep=clock.sleep)
    full = Pacer(1.0, clock=lambda: clock.now, sleep=clock.sleep)
    _work(alone, clock, 6400)
    _work(full, clock, 6400)
    assert clock.pauses == []


def test_a_natural_break_is_a_pause_at_once_after_a_slice_of_work():
    clock = FakeTime()
    pacer = Pacer(0.5, clock=lambda: clock.now, sleep=clock.sleep)
    clock.now += 0.01  # one transaction's work
    pacer(True)
    assert clock.pauses == [0.01]
