"""Work split across forked copies of the process: results in order, failures raised here."""

import os
import sys
import threading

import pytest

from assistant.forked import auto_jobs, can_fork, split_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux")


def _where(chunk):
    return [(item, item * item, os.getpid()) for item in chunk]


def test_each_chunk_is_worked_on_in_another_process_and_comes_back_in_order():
    chunks = [list(range(low, low + 3)) for low in range(0, 30, 3)]
    results = list(split_map(_where, chunks, 3))
    assert [[(item, square) for item, square, _ in part] for part in results] == \
        [[(item, item * item) for item in chunk] for chunk in chunks]
    workers = {pid for part in results for _, _, pid in part}
    assert os.getpid() not in workers and 1 <= len(workers) <= 3


def test_results_larger_than_a_pipe_holds_come_back_whole():
    chunks = [str(n) * 300_000 for n in range(5)]  # 300 KB each: several reads a result
    assert list(split_map(lambda text: text[::-1], chunks, 2)) == [text[::-1] for text in chunks]


def test_more_chunks_than_the_pipe_of_their_numbers_holds_are_all_worked_on():
    chunks = list(range(20_000))  # 80 KB of chunk numbers: more than a pipe holds at once
    assert list(split_map(lambda n: -n, chunks, 2)) == [-n for n in chunks]


def test_more_workers_than_chunks_is_one_a_chunk():
    assert list(split_map(lambda chunk: sum(chunk), [[1, 2], [3]], 8)) == [3, 3]
    assert list(split_map(lambda chunk: chunk, [], 2)) == []


def _fails_on_three(chunk):
    if 3 in chunk:
        raise ValueError(f"cannot work on {chunk}")
    return chunk


def test_an_exception_in_a_worker_is_raised_here_with_its_type_and_the_workers_are_reaped():
    before = _children()
    with pytest.raises(ValueError, match=r"cannot work on \[3\]"):
        list(split_map(_fails_on_three, [[1], [2], [3], [4]], 2))
    assert _children() == before  # every worker waited for: none left running or as a zombie


def test_an_exception_of_another_type_comes_back_as_a_runtime_error_naming_it():
    class Local(Exception):  # not a built-in exception nor a UserError: nothing here can make it again
        pass

    def fail(chunk):
        raise Local("a local failure")
    with pytest.raises(RuntimeError, match="Local: a local failure"):
        list(split_map(fail, [[1]], 1))


def test_a_worker_killed_midway_is_one_clear_error_not_a_hang():
    import signal

    from assistant.errors import UserError

    def dies_on_two(chunk):
        if chunk == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return chunk
    before = _children()
    got = []
    with pytest.raises(UserError, match="a worker process ended before its work was done"):
        got.extend(split_map(dies_on_two, [0, 1, 2, 3], 1))
    assert got == [0, 1] and _children() == before


def test_no_fork_while_another_thread_runs():
    started, stop = threading.Event(), threading.Event()

    def idle():
        started.set()
        stop.wait(10)
    thread = threading.Thread(target=idle)
    before = can_fork()
    thread.start()
    started.wait(10)
    try:
        assert can_fork() is False
    finally:
        stop.set()
        thread.join()
    assert can_fork() is before  # back to what it was (pytest's own threads, if any, decide)


def test_auto_jobs_is_the_processors_this_process_may_use():
    assert auto_jobs() == len(os.sched_getaffinity(0))


def _children() -> set[int]:
    """The process ids of this process's children, running or not yet waited for (Linux)."""
    me = os.getpid()
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me:
                found.add(int(name))
    return found


def test_a_user_error_in_a_worker_is_raised_here_as_one():
    from assistant.errors import UserError

    def fail(chunk):
        raise UserError("no such template")
    with pytest.raises(UserError, match="no such template"):
        list(split_map(fail, [[1]], 1))


def test_the_replies_a_worker_sends_back_are_the_replies_routed_here(router):
    from assistant.router import Reply

    questions = ["send DIGITAL_SMS_0001 to 13800138000, 123", "status", "what is td", "hi", "how do i bake bread",
                 "视频最大多大？一次最多发多少个号码？"]   # an answer carrying another (`also`)
    [sent] = split_map(lambda chunk: [router.route(q).to_plain() for q in chunk], [questions], 1)
    assert [Reply.from_plain(reply) for reply in sent] == [router.route(q) for q in questions]
