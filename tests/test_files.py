"""Files named by people: regular files only, size checked before reading, read with a bound."""

import os

import pytest

from assistant.errors import UserError
from assistant.files import paths_in, read_regular, read_text


def test_a_regular_file_within_the_bound_is_read(tmp_path):
    (tmp_path / "f").write_bytes(b"12345")
    assert read_regular(tmp_path / "f", 5) == b"12345"


def test_a_file_over_the_bound_is_refused_before_reading(tmp_path):
    path = tmp_path / "big"
    with open(path, "wb") as handle:
        handle.truncate(10**12)  # sparse: a terabyte on paper
    with pytest.raises(UserError, match="over the limit of 1,000"):
        read_regular(path, 1000)


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "missing"])
def test_what_is_not_a_regular_file_is_refused_without_blocking(tmp_path, kind):
    path = {"fifo": tmp_path / "p", "directory": tmp_path, "device": "/dev/zero", "missing": tmp_path / "nope"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    with pytest.raises(UserError, match="not a regular file|is a directory|cannot read"):
        read_regular(path, 1000)


def test_binary_content_is_not_text(tmp_path):
    (tmp_path / "b").write_bytes(b"abc\x00def")
    with pytest.raises(UserError, match="binary file"):
        read_text(tmp_path / "b", 100)


@pytest.mark.parametrize(("word", "named"), [
    ("banner_final", True), ("IMG_2041", True), ("banner.webp", True), ("scan.tiff", True),
    ("banner", False), ("pricing?", False), ("_", False), ("e.g.", False), ("two words_here", False), ("", False),
])
def test_a_word_shaped_like_a_file_name_is_told_from_words(word, named):
    from assistant.files import shaped_like_a_file_name

    assert shaped_like_a_file_name(word) is named


@pytest.mark.parametrize("line,paths", [
    ("banner.png, clip.mp4", ["banner.png", "clip.mp4"]),
    ("banner.png clip.mp4", ["banner.png", "clip.mp4"]),
    ("banner.png，clip.mp4、photo.gif", ["banner.png", "clip.mp4", "photo.gif"]),
    ("'my banner.png'; clip.mp4", ["my banner.png", "clip.mp4"]),
    ("it's.png", ["it's.png"]),
])
def test_the_paths_a_line_names_are_split_at_spaces_and_commas(line, paths):
    assert paths_in(line) == paths


def test_an_existing_file_keeps_the_comma_of_its_name(tmp_path):
    named = tmp_path / "a,b.png"
    named.write_bytes(b"x")
    assert paths_in(f"{named} c.png") == [str(named), "c.png"]
