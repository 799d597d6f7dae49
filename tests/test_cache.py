"""The prebuilt router on disk is plain data with a checksum, private to its owner, and rebuilt
whenever it is stale or damaged."""

import datetime as dt
import errno
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import cache, knowledge
from assistant.cache import MAGIC, CacheError, decode, load_router
from assistant.render import reply_text

QUESTIONS = ["how long does signature review take", "status", "send DIGITAL_SMS_0001 to 13800138000",
             "tell me a joke", "submit the signature AcmeMall from our trademark"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def kb_dir(tmp_path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _index_file(folder: Path) -> Path:
    (found,) = folder.glob("router-*.index")
    return found


def test_a_cached_router_answers_exactly_like_a_fresh_one(cache_dir, kb_dir):
    fresh = load_router(kb_dir)
    cached = load_router(kb_dir)
    assert cached is not fresh and isinstance(cached.kb.entries, cache.LazyEntries)
    assert [cached.route(q).to_json() for q in QUESTIONS] == [fresh.route(q).to_json() for q in QUESTIONS]
    assert dict(cached.kb.entries) == fresh.kb.entries and cached.kb.rules == fresh.kb.rules
    assert cached.kb.error_codes == fresh.kb.error_codes and cached.kb.messages == fresh.kb.messages  # Chinese too


def test_the_parts_a_plain_answer_does_not_read_are_parsed_when_first_used(cache_dir, kb_dir):
    fresh = load_router(kb_dir)
    cached = load_router(kb_dir)
    assert cached.route("how long does signature review take").entry == "signature-review-time"
    training = [cached.kb.customers, cached.kb.customers_out_of_scope, cached.kb.out_of_scope]
    assert all(isinstance(part, cache.Later) and not part.parsed for part in training)
    for name in cache.LATER:
        assert getattr(cached.kb, name) == getattr(fresh.kb, name), name
    assert all(part.parsed for part in training)
    assert dict(cached.kb.customers) == fresh.kb.customers and cached.kb.customers  # the shipped knowledge has some
    assert tuple(cached.kb.customers_out_of_scope) == fresh.kb.customers_out_of_scope
    assert cached.kb.error_codes.get("1001") == fresh.kb.error_codes.get("1001") and list(cached.kb.leaving.items())


def test_the_cache_is_plain_data_with_a_checksum_and_no_pickle_is_used(cache_dir, kb_dir):
    load_router(kb_dir)
    data = _index_file(cache_dir).read_bytes()
    assert data.startswith(MAGIC) and b"\x80\x04\x95" not in data[:64]  # no pickle protocol header
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(cache.__file__).parent.rglob("*.py"))
    assert "import pickle" not in sources


def test_a_damaged_cache_is_rebuilt_not_trusted(cache_dir, kb_dir):
    load_router(kb_dir)
    path = _index_file(cache_dir)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    router = load_router(kb_dir)
    assert router.route("how long does signature review take").entry == "signature-review-time"
    assert cache.loads(path.read_bytes(), path.stem.rsplit("-", 1)[1]) is not None  # rewritten whole


def test_a_damaged_file_raises_cache_error_naming_the_checksum(cache_dir, kb_dir):
    load_router(kb_dir)
    path = _index_file(cache_dir)
    data = path.read_bytes()
    with pytest.raises(CacheError, match="checksum"):
        cache.loads(data[:-10] + b"0123456789", path.stem.rsplit("-", 1)[1])


def test_an_edited_knowledge_base_gets_a_new_index_and_the_stale_one_goes(cache_dir, kb_dir):
    load_router(kb_dir)
    before = _index_file(cache_dir)
    faq = kb_dir / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("      - how to add a signature\n",
                                                           "      - how to add a signature\n      - signature wizard\n"),
                   encoding="utf-8")
    router = load_router(kb_dir)
    assert router.route("signature wizard").entry == "create-signature"
    assert _index_file(cache_dir) != before and not before.exists()


SMALL_FAQ = ("entries:\n"
             "  - id: opening-hours\n    question: When are you open?\n    answer: Nine to five.\n"
             "    source: the shop door\n    alternatives: [opening hours, what time do you open]\n"
             "  - id: parking\n    question: Where can I park?\n    answer: Behind the shop.\n"
             "    source: the shop door\n    alternatives: [parking, where to park the car]\n")


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A knowledge base of two entries and nothing else (the shipped catalogue and rules fill in): quick to build."""
    folder = tmp_path / "small-kb"
    folder.mkdir()
    (folder / "faq.yaml").write_text(SMALL_FAQ, encoding="utf-8")
    return folder


def _merge(kb: Path, phrasing: str) -> None:
    """A merge landing in knowledge base KB: PHRASING becomes one of the parking entry's."""
    faq = kb / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("[parking,", f"[parking, {phrasing},"), encoding="utf-8")


@pytest.mark.parametrize("landing", ["before the loader reads", "after the loader read"])
def test_an_index_is_keyed_by_the_knowledge_base_as_its_loader_read_it(cache_dir, small_kb, monkeypatch, landing):
    # a merge lands while an index is built: after the cache was looked up but before the loader reads the
    # files (the index has the merged phrasing), or after the loader read them (it has not)
    load = knowledge.load

    def merged_meanwhile(*args, **kwargs):
        if landing == "before the loader reads":
            _merge(small_kb, "car wizard")
        built = load(*args, **kwargs)
        if landing == "after the loader read":
            _merge(small_kb, "car wizard")
        return built
    monkeypatch.setattr(knowledge, "load", merged_meanwhile)
    load_router(small_kb)
    monkeypatch.setattr(knowledge, "load", load)
    again = load_router(small_kb)   # the next command, the files as the merge left them
    assert again.route("car wizard").entry == "parking"
    # read from the index when it was built from the files as they are; built again when it was not
    assert isinstance(again.kb.entries, cache.LazyEntries) == (landing == "before the loader reads")


def test_a_module_changed_under_a_running_process_keys_the_next_ones_index_not_its_own(cache_dir, small_kb, tmp_path):
    # a copy of the package, so that one of its modules can change under a process running it (a merge during a test run)
    package = tmp_path / "package"
    shutil.copytree(Path(cache.__file__).parent, package / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "ASSISTANT_CACHE_DIR": str(cache_dir), "PYTHONPATH": str(package)}

    def process(code: str) -> str:
        """What a process running the copy prints; what its last load of SMALL_KB's router was read from."""
        code = (f"from pathlib import Path; from assistant.cache import load_router; kb = Path({str(small_kb)!r}); "
                f"{code}; print(type(load_router(kb).kb.entries).__name__)")
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                              cwd=tmp_path).stdout.strip()

    # a running process builds its index; a merge changes router.py; the same process loads the router again
    assert process("load_router(kb); import assistant.router as r; module = Path(r.__file__); "
                   "module.write_text(module.read_text() + '\\n# merged\\n')") == "LazyEntries"   # its own code's
    assert process("pass") == "dict"   # a process importing the merged code builds its own


def test_a_router_read_from_its_index_keeps_answering_after_another_process_replaces_the_file(cache_dir, kb_dir):
    load_router(kb_dir)
    loaded = load_router(kb_dir)  # read from the file, its entries decoded only when asked for
    assert isinstance(loaded.kb.entries, cache.LazyEntries)
    before = _index_file(cache_dir)
    faq = kb_dir / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load_router(kb_dir)  # another start: a new index written beside it, the stale one removed
    assert not before.exists()
    reply = loaded.route("how long does signature review take")
    assert reply.entry == "signature-review-time" and "business days" in reply_text(reply, loaded.kb)


def test_an_index_on_a_file_system_that_cannot_map_files_is_read_not_rebuilt(cache_dir, kb_dir, monkeypatch):
    load_router(kb_dir)

    def refuse(*args, **kwargs):
        raise OSError(errno.ENODEV, "No such device")
    monkeypatch.setattr(cache.mmap, "mmap", refuse)
    loaded = load_router(kb_dir)
    assert isinstance(loaded.kb.entries, cache.LazyEntries)  # read from the file, not built again
    assert loaded.route("how long does signature review take").entry == "signature-review-time"


def test_databases_without_learned_phrasings_share_one_index_and_learning_makes_a_new_one(cache_dir, kb_dir):
    load_router(kb_dir, {})
    shared = _index_file(cache_dir)
    again = load_router(kb_dir, {})  # another database, nothing learned either
    assert isinstance(again.kb.entries, cache.LazyEntries) and _index_file(cache_dir) == shared  # read, not rebuilt
    learned = {"create-signature": ["signature wizard"]}
    taught = load_router(kb_dir, learned)
    assert not isinstance(taught.kb.entries, cache.LazyEntries) and taught.route("signature wizard").entry == "create-signature"
    assert shared.exists() and len(list(cache_dir.glob("router-*.index"))) == 2  # the shared one is kept beside it
    assert isinstance(load_router(kb_dir, learned).kb.entries, cache.LazyEntries)
    assert isinstance(load_router(kb_dir, {}).kb.entries, cache.LazyEntries)  # used in turn: neither is rebuilt


def test_at_most_keep_variants_indexes_of_learned_phrasings_are_kept_newest_first(cache_dir, kb_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP_VARIANTS", 2)
    for n in range(3):
        load_router(kb_dir, {"create-signature": [f"signature wizard {n}"]})
    kept = list(cache_dir.glob("router-*.index"))
    assert len(kept) == 2
    assert isinstance(load_router(kb_dir, {"create-signature": ["signature wizard 2"]}).kb.entries, cache.LazyEntries)
    assert not isinstance(load_router(kb_dir, {"create-signature": ["signature wizard 0"]}).kb.entries, cache.LazyEntries)


def test_the_cache_directory_is_made_owner_only(cache_dir, kb_dir):
    cache_dir.mkdir(mode=0o755)
    os.chmod(cache_dir, 0o777)
    load_router(kb_dir)
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(_index_file(cache_dir).stat().st_mode) == 0o600


def test_decoding_builds_only_the_known_record_types():
    with pytest.raises(CacheError, match="unknown record type"):
        decode({"n": "Popen", "v": [["rm", "-rf", "/"]]})
    assert decode({"d": [[{"date": "2026-03-02"}, {"f": [1, 2]}]]}) == {dt.date(2026, 3, 2): frozenset({1, 2})}


def test_a_cached_start_does_not_import_numpy(cache_dir, kb_dir):
    load_router(kb_dir)
    code = ("import sys; from pathlib import Path; from assistant.cache import load_router; "
            f"r = load_router(Path({str(kb_dir)!r})); r.route('how long does signature review take'); "
            "print('numpy' in sys.modules)")
    # The child must import the very package this process built the cache with (the index is keyed
    # by the package's files): the installed one under `pytest`, the checkout's under `python -m pytest`.
    # cwd: `python -c` puts the working directory first on sys.path, and a checkout must not shadow it.
    here = str(Path(cache.__file__).resolve().parent.parent)
    env = {**os.environ, "ASSISTANT_CACHE_DIR": str(cache_dir),
           "PYTHONPATH": os.pathsep.join([here, *filter(None, [os.environ.get("PYTHONPATH")])])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=kb_dir.parent).stdout
    assert out.strip() == "False"


def _crafted(header: bytes, fingerprint: str = "f") -> bytes:
    """A cache file whose checksum is right but whose content is hostile."""
    payload = struct.pack("<Q", len(header)) + header
    return MAGIC + cache._checksum(payload).encode() + b"\n" + payload


CRAFTED = {
    "recursion": b"[" * 200_000 + b"]" * 200_000,                       # RecursionError in the JSON decoder
    "type": json.dumps({"format": cache.FORMAT, "fingerprint": "f", "kb": {}, "entry_ids": [], "index": {},
                        "arrays": 5}).encode(),                         # TypeError: arrays is not a list
    "json": b"{not json at all",                                        # JSONDecodeError
    "short": b"",                                                       # nothing after the size
    "arrays": json.dumps({"format": cache.FORMAT, "fingerprint": "f", "kb": {}, "entry_ids": [], "index": {},
                          "arrays": [["values", "f", 1000]]}).encode(),  # arrays longer than the file
}


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_a_crafted_cache_file_is_a_cache_error_whatever_its_loader_meets(kind):
    data = _crafted(CRAFTED[kind]) if kind != "short" else MAGIC + cache._checksum(b"\x01").encode() + b"\n" + b"\x01" * 9
    with pytest.raises(CacheError, match="unexpected content|not an index file|checksum|past the end"):
        cache.loads(data, "f")


def test_a_crafted_cache_file_in_place_is_rebuilt_and_ask_answers(cache_dir, kb_dir):
    load_router(kb_dir)
    path = _index_file(cache_dir)
    fingerprint = path.stem.rsplit("-", 1)[1]
    path.write_bytes(_crafted(CRAFTED["recursion"], fingerprint))
    router = load_router(kb_dir)
    assert router.route("how long does signature review take").entry == "signature-review-time"
    assert cache.loads(path.read_bytes(), fingerprint) is not None  # rewritten whole


def test_a_cache_file_that_is_a_symbolic_link_is_not_read(cache_dir, kb_dir, tmp_path):
    load_router(kb_dir)
    path = _index_file(cache_dir)
    elsewhere = tmp_path / "planted.index"
    elsewhere.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(elsewhere)
    router = load_router(kb_dir)   # rebuilt, and the link replaced by a file of our own
    assert router.route("how long does signature review take").entry == "signature-review-time"
    assert not path.is_symlink() and elsewhere.read_bytes().startswith(MAGIC)


def test_missing_cache_parents_are_made_owner_only_whatever_the_umask(tmp_path, monkeypatch, kb_dir):
    folder = tmp_path / "xdg" / "deep" / "cache"
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(folder))
    old = os.umask(0)
    try:
        assert cache.private_cache_dir() == folder
    finally:
        os.umask(old)
    for made in (tmp_path / "xdg", tmp_path / "xdg" / "deep", folder):
        assert stat.S_IMODE(made.stat().st_mode) == 0o700, made
