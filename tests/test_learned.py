"""Learned phrasings live in the database they were taught on, mirrored in the cache for a fast start."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant import learned, overlay
from assistant.errors import UserError
from assistant.paths import data_dir, is_server_url
from assistant.storage import open_store
from assistant.storage.schema import LEARNED_STEP, MIGRATIONS

AT = "2026-03-02 10:00:00"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A cache directory of this test's own: the mirrors it writes are never another test's."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(folder))
    return folder


def _rows(store) -> list[dict]:
    return store.rows("SELECT target, phrasing, learned_at, learned_by FROM learned_phrasings ORDER BY id")


# --- learning ----------------------------------------------------------------------------------

def test_a_phrasing_is_kept_in_the_database_with_when_and_by_whom_and_mirrored(store, kb, cache):
    result = overlay.learn(store, kb, "  is there a discount for schools ", "sms-package-offset", AT, "lin")
    assert result == {"entry": "sms-package-offset", "question": "is there a discount for schools", "learned": 1}
    assert _rows(store) == [{"target": "sms-package-offset", "phrasing": "is there a discount for schools",
                             "learned_at": AT, "learned_by": "lin"}]
    mirror = learned.read_mirror(store.target)
    assert mirror == learned.Mirror(learned.stamp(store), {"sms-package-offset": ["is there a discount for schools"]})
    beside = data_dir() if is_server_url(store.target) else Path(store.target).parent
    assert not (beside / "learned.json").exists()


def test_learning_the_same_phrasing_twice_keeps_one_row(store, kb, cache):
    overlay.learn(store, kb, "is there a discount for schools", "sms-package-offset", AT)
    again = overlay.learn(store, kb, "is there a discount for schools", "sms-package-offset", AT)
    assert again["learned"] == 1 and len(_rows(store)) == 1


@pytest.mark.parametrize(("question", "target", "refusal"), [
    ("", "opt-out", "the question to learn is empty"),
    ("hello there", "nope", "no entry 'nope'"),
    ("Is there an unsubscribe option?", "enable-sending", "already a phrasing of entry 'opt-out'"),
    ("tell me a joke", "opt-out", "is an out-of-scope example"),
])
def test_a_phrasing_that_cannot_be_learned_is_refused_and_nothing_is_written(store, kb, cache, question, target, refusal):
    with pytest.raises(UserError, match=refusal):
        overlay.learn(store, kb, question, target, AT)
    assert _rows(store) == []


def test_a_phrasing_learned_for_one_entry_is_refused_for_another_even_by_a_router_loaded_before(store, kb, cache):
    overlay.learn(store, kb, "zorbly quux widget", "opt-out", AT)  # KB is the shipped one: it has not seen the lesson
    with pytest.raises(UserError, match="already learned for 'opt-out'"):
        overlay.learn(store, kb, "zorbly quux widget", "enable-sending", AT)
    assert [r["target"] for r in _rows(store)] == ["opt-out"]


def test_proposals_are_learned_in_one_transaction_skipping_those_that_cannot_be(store, kb, cache):
    proposals = [{"intent": "faq:opt-out", "question": "zorbly quux widget", "count": 3},
                 {"intent": "faq:gone-entry", "question": "whatever this is", "count": 2},
                 {"intent": "action:template.status", "question": "status of my zorbly", "count": 1}]
    done = overlay.learn_proposals(store, kb, proposals, AT, "lin")
    assert [(d["entry"], d["question"]) for d in done] == [("opt-out", "zorbly quux widget"),
                                                           ("template.status", "status of my zorbly")]
    assert learned.read(store).learned == {"opt-out": ["zorbly quux widget"], "template.status": ["status of my zorbly"]}


# --- the mirror --------------------------------------------------------------------------------

def test_sync_writes_a_missing_or_stale_mirror_and_reads_nothing_more_when_current(store, kb, cache):
    assert learned.read_mirror(store.target) is None
    assert learned.sync(store) == learned.Mirror("0:0", {})
    learned.add(store, "opt-out", "zorbly", AT, None)  # taught by another process: the mirror is behind
    assert learned.read_mirror(store.target).learned == {}
    assert learned.sync(store).learned == {"opt-out": ["zorbly"]}
    assert learned.read_mirror(store.target).learned == {"opt-out": ["zorbly"]}


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"format": 1}', b"\xff\xfe",
                                     b'{"format": 1, "database": "X", "stamp": "1:1", "learned": {}}',
                                     b'{"format": 1, "database": "D", "stamp": "1:1", "learned": {"opt-out": [1]}}'])
def test_a_damaged_or_crafted_mirror_is_not_trusted_and_is_written_again(store, kb, cache, content):
    overlay.learn(store, kb, "zorbly quux widget", "opt-out", AT)
    path = learned.mirror_file(store.target)
    path.write_bytes(content.replace(b'"D"', json.dumps(learned.identity(store.target)).encode()))
    assert learned.read_mirror(store.target) is None
    assert learned.sync(store).learned == {"opt-out": ["zorbly quux widget"]}
    assert learned.read_mirror(store.target).learned == {"opt-out": ["zorbly quux widget"]}


def test_a_mirror_that_is_a_symbolic_link_is_not_read(store, kb, cache, tmp_path):
    overlay.learn(store, kb, "zorbly quux widget", "opt-out", AT)
    path = learned.mirror_file(store.target)
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps({"format": 1, "database": learned.identity(store.target), "stamp": "9:9",
                                   "learned": {"opt-out": ["planted phrasing"]}}), encoding="utf-8")
    path.unlink()
    path.symlink_to(planted)
    assert learned.read_mirror(store.target) is None
    learned.sync(store)
    assert not path.is_symlink() and learned.read_mirror(store.target).learned == {"opt-out": ["zorbly quux widget"]}


def test_the_mirror_is_private_and_named_for_the_database_not_its_spelling(tmp_path, cache):
    (tmp_path / "f").mkdir()
    learned.write_mirror(tmp_path / "f" / "one.db", learned.Mirror("1:1", {"opt-out": ["x"]}))
    assert learned.read_mirror(tmp_path / "f" / ".." / "f" / "one.db").learned == {"opt-out": ["x"]}
    assert learned.read_mirror(tmp_path / "f" / "two.db") is None
    path = learned.mirror_file(tmp_path / "f" / "one.db")
    assert os.stat(path).st_mode & 0o777 == 0o600 and os.stat(cache).st_mode & 0o777 == 0o700


def test_a_server_is_one_database_whatever_password_reaches_it():
    one = learned.identity("postgresql://lin:secret@db.example:5432/support")
    assert one == learned.identity("postgresql://lin:other@db.example:5432/support") and "secret" not in one
    assert one != learned.identity("postgresql://lin:secret@db.example:5432/billing")


def test_a_database_file_that_does_not_exist_has_learned_nothing_and_is_not_created(tmp_path, cache):
    def never():
        raise AssertionError("opened a database that does not exist")
    assert learned.mirrored(tmp_path / "none.db", never) == learned.NOTHING
    assert not (tmp_path / "none.db").exists()


def test_a_database_without_a_mirror_is_read_once(store, kb, cache):
    overlay.learn(store, kb, "zorbly quux widget", "opt-out", AT)
    learned.mirror_file(store.target).unlink()
    opened = []

    def open_again():
        opened.append(1)
        return open_store(store.target)
    assert learned.mirrored(store.target, open_again).learned == {"opt-out": ["zorbly quux widget"]}
    assert learned.mirrored(store.target, open_again).learned == {"opt-out": ["zorbly quux widget"]}
    assert opened == [1]


# --- the legacy learned.json --------------------------------------------------------------------

def _legacy(db_target: str, content: str) -> Path:
    path = data_dir() / "learned.json" if is_server_url(db_target) else Path(db_target).parent / "learned.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def test_a_legacy_learned_json_is_moved_into_the_database_beside_it_once(db_target, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS[:LEARNED_STEP - 1])
    open_store(db_target).close()  # a database made by an assistant before the table
    _legacy(db_target, '{"opt-out": ["zorbly quux widget", "stop the zorbly"], "enable-sending": ["start zorbly"]}')
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS)
    store = open_store(db_target)
    try:
        assert store.version == len(MIGRATIONS)
        assert learned.read(store).learned == {"opt-out": ["zorbly quux widget", "stop the zorbly"],
                                               "enable-sending": ["start zorbly"]}
        assert {r["learned_by"] for r in _rows(store)} == {"learned.json"}
    finally:
        store.close()
    again = open_store(db_target)  # opened again: nothing imported twice
    try:
        assert len(_rows(again)) == 3
    finally:
        again.close()


def test_a_new_database_beside_a_legacy_learned_json_starts_with_nothing(db_target, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _legacy(db_target, '{"opt-out": ["zorbly quux widget"]}')
    store = open_store(db_target)
    try:
        assert store.fresh and _rows(store) == []
    finally:
        store.close()


def test_a_legacy_file_that_cannot_be_read_stops_the_migration_and_loses_nothing(db_target, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS[:LEARNED_STEP - 1])
    open_store(db_target).close()
    path = _legacy(db_target, '{"opt-out": ["zorbly quux widget"')
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", MIGRATIONS)
    with pytest.raises(UserError, match="cannot read the learned phrasings in .*learned.json"):
        open_store(db_target)
    path.write_text('{"opt-out": ["zorbly quux widget"]}', encoding="utf-8")  # fixed: the next open imports it
    store = open_store(db_target)
    try:
        assert learned.read(store).learned == {"opt-out": ["zorbly quux widget"]}
    finally:
        store.close()
