"""The shells' progress bar: drawn only for work that lasts, redrawn in place, ended once."""

from assistant.progress import Bar, bar_text


def test_the_bar_shows_the_share_done():
    assert bar_text(30_000, 100_000) == "Sending to 100,000 numbers [#########.....................] 30%"
    assert bar_text(5, 0).endswith("100%")  # nothing to do is done


def test_a_send_quicker_than_a_second_draws_nothing():
    now, written = [0.0], []
    bar = Bar(written.append, clock=lambda: now[0])
    now[0] = 0.5
    bar(100, 100)
    assert written == []


def test_a_long_send_redraws_one_line_and_ends_it_once():
    now, written = [0.0], []
    bar = Bar(written.append, clock=lambda: now[0])
    bar(10, 100)
    now[0] = 1.5
    bar(50, 100)
    bar(100, 100)
    bar(100, 100)
    assert written == ["\r" + bar_text(50, 100), "\r" + bar_text(100, 100), "\n"]
