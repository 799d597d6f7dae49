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


@pytest.fixture(scope="module")
def kb():
    from assistant.knowledge import load, resolve_dir

    return load(resolve_dir(None))


def _said(kb, error: UserError, lang: str) -> str:
    from assistant.messages import said

    assert error.said is not None
    return said(kb, {"say": error.said[0], "fields": error.said[1]}, lang)


@pytest.mark.parametrize(("kind", "noun"), [("recipients", "收件人文件"), ("media", "媒体文件（PNG、JPG、GIF、MP4 或 MP3）"),
                                            ("letter", "承诺函图片"), ("file", "文件")])
def test_a_directory_given_for_a_file_is_refused_in_chinese_naming_its_own_kind_and_in_english_as_before(tmp_path, kb,
                                                                                                        kind, noun):
    with pytest.raises(UserError) as caught:
        read_regular(tmp_path, 100, kind)
    assert _said(kb, caught.value, "en") == str(caught.value)
    assert _said(kb, caught.value, "zh") == f"{tmp_path} 是一个目录；请给出{noun}的路径"
    assert not any(word in _said(kb, caught.value, "zh") for word in ("file", "media", "letter"))


def test_a_missing_file_a_large_one_and_one_not_utf8_are_said_in_chinese_with_their_kinds_fix(tmp_path, kb):
    (tmp_path / "big.csv").write_bytes(b"x" * 2000)
    (tmp_path / "gbk.csv").write_bytes("手机".encode("gbk"))
    refusals = []
    for path, read in [(tmp_path / "nope.csv", read_text), (tmp_path / "big.csv", read_text),
                       (tmp_path / "gbk.csv", read_text)]:
        with pytest.raises(UserError) as caught:
            read(path, 1000, "recipients")
        assert _said(kb, caught.value, "en") == str(caught.value)     # the catalogue's English is the refusal's
        refusals.append(_said(kb, caught.value, "zh"))
    assert refusals == [f"无法读取 {tmp_path}/nope.csv：没有这个文件，请检查路径",
                        f"{tmp_path}/big.csv 有 2,000 字节，超过了收件人文件的上限 1,000 字节；请换一个更小的文件",
                        f"{tmp_path}/gbk.csv 不是 UTF-8 文本（第 1 个字节）；请把 CSV 另存为 UTF-8 编码"]


def test_a_path_the_system_cannot_read_is_said_in_chinese_without_the_systems_english(tmp_path, kb):
    """A path through a file (ENOTDIR) or a name too long: the system's English in the English refusal as before,
    a Chinese reason of the catalogue in the Chinese one; a fault the catalogue does not name, by its code."""
    import errno

    from assistant.files import _unreadable

    (tmp_path / "list.csv").write_text("13800138000\n")
    cases = [(tmp_path / "list.csv" / "x.csv", "Not a directory", "路径中有一部分是文件而不是目录"),
             (tmp_path / ("n" * 300 + ".csv"), "File name too long", "文件名太长")]
    for path, system, chinese in cases:
        with pytest.raises(UserError) as caught:
            read_text(path, 1000, "recipients")
        assert str(caught.value) == f"cannot read {path}: {system}; check the path"      # the English as before
        assert _said(kb, caught.value, "en") == str(caught.value)
        assert _said(kb, caught.value, "zh") == f"无法读取 {path}（{chinese}）；请检查路径"
    other = _unreadable("clip.mp4", OSError(errno.ENXIO, os.strerror(errno.ENXIO)))
    assert _said(kb, other, "en") == str(other) == f"cannot read clip.mp4: {os.strerror(errno.ENXIO)}; check the path"
    assert _said(kb, other, "zh") == "无法读取 clip.mp4（系统错误 ENXIO）；请检查路径"


def test_a_directory_the_system_refuses_to_open_is_said_as_a_directory(kb):
    """Where opening a directory fails (EISDIR: Windows), the refusal is the directory's, not the system's words."""
    import errno

    from assistant.files import _unreadable

    error = _unreadable("media", OSError(errno.EISDIR, "Is a directory"), "media")
    assert str(error) == "media is a directory; give the path of a media file (PNG, JPG, GIF, MP4 or MP3)"
    assert _said(kb, error, "zh") == "media 是一个目录；请给出媒体文件（PNG、JPG、GIF、MP4 或 MP3）的路径"
