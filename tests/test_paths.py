"""Files the assistant writes: directories made owner-only whatever the umask, and no file opened
through a planted symbolic link or owned by someone else (the REPL's history, the cache)."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from assistant.paths import open_private, private_dirs
from assistant.store import Store


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_missing_parents_are_made_0700_even_under_umask_000(tmp_path):
    old = os.umask(0)
    try:
        private_dirs(tmp_path / "a" / "b" / "c")
        Store(tmp_path / "x" / "y" / "assistant.db").close()
    finally:
        os.umask(old)
    for made in ("a", "a/b", "a/b/c", "x", "x/y"):
        assert _mode(tmp_path / made) == 0o700, made
    assert _mode(tmp_path / "x" / "y" / "assistant.db") == 0o600


def test_an_existing_directory_keeps_its_mode(tmp_path):
    (tmp_path / "shared").mkdir(mode=0o755)
    os.chmod(tmp_path / "shared", 0o755)
    private_dirs(tmp_path / "shared" / "mine")
    assert _mode(tmp_path / "shared") == 0o755 and _mode(tmp_path / "shared" / "mine") == 0o700


def test_a_history_file_planted_as_a_symbolic_link_is_refused_and_its_target_untouched(tmp_path):
    target = tmp_path / "victim.txt"
    target.write_text("theirs\n")
    history = tmp_path / "history"
    history.symlink_to(target)
    with pytest.raises(OSError) as refused:
        open_private(history)
    assert refused.value.errno == errno.ELOOP and target.read_text() == "theirs\n"


def test_a_new_private_file_is_0600_and_appends(tmp_path):
    path = tmp_path / "history"
    for line in (b"one\n", b"two\n"):
        fd = open_private(path)
        os.write(fd, line)
        os.close(fd)
    assert path.read_bytes() == b"one\ntwo\n" and _mode(path) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_file_owned_by_someone_else_is_refused(tmp_path):
    path = tmp_path / "history"
    path.write_text("")
    os.chown(path, 4242, -1)
    with pytest.raises(OSError) as refused:
        open_private(path)
    assert refused.value.errno == errno.EPERM
