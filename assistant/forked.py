"""Work on a long list of items split across forked copies of this process.

A batch of thousands of questions is routed in pure Python (the lexical model, the masks, the
router's rules), which holds the interpreter's lock: one process uses at most one processor for it,
and on a busy machine the scheduler gives each thread only its share of one. Forked workers
each take chunks of the list and return plain results; the calling process keeps everything
that writes (tickets, the gap log, the output) and takes the results in the list's order.

A worker is a copy of the process made by `os.fork` once the index (and the encoder) are
loaded, so it starts with them and with the chunks themselves: only the chunk numbers go to it
(a worker takes the next one nobody has taken) and only the results come back, as plain data
(`marshal`: strings, numbers, None, tuples, lists, dicts; no pickle, which could build any object).
Forking is safe only while this process runs one thread (a thread's locks would be copied
held), so `can_fork` is asked first; a worker's own threads, if any, start after the fork.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import select
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .errors import UserError

_HEAD = struct.Struct("<iI")  # chunk number (-1: the worker failed), length of the data that follows
# the bytes of chunk numbers (4 each) one write to the tasks pipe carries: at most PIPE_BUF, so
# that each write is whole or none and the workers' 4-byte reads always find whole numbers
_TASKS_A_WRITE = getattr(select, "PIPE_BUF", 512) // 4 * 4


def can_fork() -> bool:
    """Whether workers can be forked here: Linux (where fork is the usual way to start a worker
    and copies only the pages later written), and no thread but this one running."""
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def auto_jobs() -> int:
    """The workers a long batch is split across when none are asked for: one a processor this
    process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def split_map(work: Callable[[Any], Any], chunks: Sequence[Any], jobs: int) -> Iterator[Any]:
    """WORK(chunk) for each of CHUNKS, in order, computed in up to JOBS forked workers
    (`can_fork` must be true). Each worker takes the next chunk nobody has taken, so a worker the
    scheduler runs less often takes fewer. A chunk's result is yielded as soon as it and every
    chunk before it are done. WORK's results must be plain data (see the module's docstring). An
    exception raised by WORK in a worker is raised here with its message: as its own type when
    that is a built-in exception or one of the assistant's `UserError`s, else as a RuntimeError
    naming it."""
    with _Workers(work, chunks, jobs) as workers:
        yield from workers.results()


class _Workers:
    """JOBS forked processes taking chunk numbers from one pipe and writing each chunk's results
    to a pipe of their own."""

    def __init__(self, work: Callable[[Any], Any], chunks: Sequence[Any], jobs: int):
        self.count = len(chunks)
        # the chunk numbers, written as the workers take them (`results`): a worker reads one
        # 4-byte number at a time, EOF once they are all taken and the pipe is closed here
        self.tasks = b"".join(struct.pack("<i", i) for i in range(self.count))
        tasks_r, tasks_w = os.pipe()
        self.tasks_w: int | None = tasks_w
        os.set_blocking(tasks_w, False)
        self.pids: list[int] = []
        self.readers: dict[int, bytearray] = {}
        try:
            for _ in range(min(jobs, self.count)):
                result_r, result_w = os.pipe()
                pid = os.fork()
                if pid == 0:  # the worker: never returns
                    for fd in (result_r, tasks_w, *self.readers):
                        os.close(fd)
                    _serve(work, chunks, tasks_r, result_w)
                os.close(result_w)
                self.pids.append(pid)
                self.readers[result_r] = bytearray()
        except BaseException:  # a fork refused (no memory, too many processes): end those started
            self.__exit__()
            raise
        finally:
            os.close(tasks_r)
        self._offer()

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.tasks = b""
        self._close_tasks()
        for fd in self.readers:
            os.close(fd)  # a worker still writing gets EPIPE and ends
        self.readers = {}
        for pid in self.pids:
            os.waitpid(pid, 0)
        self.pids = []

    def _offer(self) -> None:
        """Write what the tasks pipe takes of the chunk numbers not written yet, never waiting
        (the workers may be waiting for this process to read their results); close it after the last."""
        while self.tasks:
            try:
                written = os.write(self.tasks_w, self.tasks[:_TASKS_A_WRITE])
            except BlockingIOError:
                return
            self.tasks = self.tasks[written:]
        self._close_tasks()

    def _close_tasks(self) -> None:
        if self.tasks_w is not None:
            os.close(self.tasks_w)
            self.tasks_w = None

    def results(self) -> Iterator[list[Any]]:
        done: dict[int, list[Any]] = {}
        wanted = 0
        while wanted < self.count:
            if wanted in done:
                yield done.pop(wanted)
                wanted += 1
                continue
            if not self.readers:
                raise UserError("a worker process ended before its work was done (killed?); "
                                "run again, or with --jobs 1")
            writable = [self.tasks_w] if self.tasks_w is not None else []
            ready, room, _ = select.select(list(self.readers), writable, [])
            if room:
                self._offer()
            for fd in ready:
                data = os.read(fd, 1 << 20)
                if not data:
                    del self.readers[fd]
                    os.close(fd)
                    continue
                buffer = self.readers[fd]
                buffer += data
                for number, payload in _messages(buffer):
                    if number < 0:
                        raise _raised(*payload)
                    done[number] = payload


def _messages(buffer: bytearray) -> Iterator[tuple[int, Any]]:
    """The complete messages at the start of BUFFER, read back, removed from it."""
    while len(buffer) >= _HEAD.size:
        number, size = _HEAD.unpack_from(buffer)
        if len(buffer) < _HEAD.size + size:
            return
        payload = marshal.loads(bytes(buffer[_HEAD.size:_HEAD.size + size]))
        del buffer[:_HEAD.size + size]
        yield number, payload


def _serve(work: Callable[[Any], Any], chunks: Sequence[Any], tasks: int, out: int) -> None:
    """A worker's life: take chunk numbers until none is left, write each chunk's results; then
    leave at once (`os._exit`: the parent's buffers, exit handlers and open files are its own)."""
    code = 0
    try:
        while len(raw := os.read(tasks, 4)) == 4:
            (number,) = struct.unpack("<i", raw)
            _write(out, number, work(chunks[number]))
    except BrokenPipeError:  # the parent stopped reading (it failed or was interrupted)
        code = 1
    except BaseException as exc:  # noqa: BLE001 - raised again in the parent
        code = 1
        with contextlib.suppress(BaseException):  # nothing more can be said
            _write(out, -1, _portable(exc))
    finally:
        os._exit(code)


def _portable(exc: BaseException) -> tuple[str, str, str]:
    """EXC as plain data: its class's module and name, and its message."""
    return type(exc).__module__, type(exc).__qualname__, str(exc)


def _raised(module: str, name: str, message: str) -> BaseException:
    """The exception `_portable` described: a built-in one or an assistant's `UserError` as its own
    type, anything else as a RuntimeError naming it."""
    import builtins

    from . import errors

    found = getattr(builtins, name, None) if module == "builtins" else \
        getattr(errors, name, None) if module == errors.__name__ else None
    if isinstance(found, type) and issubclass(found, Exception):
        return found(message)
    return RuntimeError(f"{name.rpartition('.')[2]}: {message}")


def _write(fd: int, number: int, payload: Any) -> None:
    data = marshal.dumps(payload)
    view = memoryview(_HEAD.pack(number, len(data)) + data)
    while view:
        view = view[os.write(fd, view):]
