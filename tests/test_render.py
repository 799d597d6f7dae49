"""Plain-text tables fit the terminal: long cells wrap on words inside their column."""

import pytest

from assistant import render

ROWS = [("China Mobile", "approved", "-"),
        ("China Telecom", "rejected", "Live-streaming content needs the commitment letter: attach a clear image of "
                                      "the signed letter and submit the template again; the review then restarts "
                                      "and takes up to five business days")]


@pytest.mark.parametrize("width", [50, 120])
def test_a_table_with_a_long_cell_fits_the_width_and_keeps_every_word(width):
    text = render.table(ROWS, ("carrier", "review", "note"), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert " ".join(text.split()).count("five business days") == 1
    assert text.splitlines()[1].startswith("-------------  --------  ---")


def test_without_a_width_a_table_keeps_one_line_per_row():
    assert len(render.table(ROWS, ("carrier", "review", "note")).splitlines()) == 4
