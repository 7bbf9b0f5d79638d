"""Running one function over many parts of a build in forked worker processes.

`fork_map(func, parts, shared)` calls `func(shared, part)` for every part, in worker
processes that inherit `shared` (the already built site model, say) by fork instead of
receiving a pickled copy, and returns the results in order. With a part per core,
this process does the last part itself rather than wait. With one core, few parts,
or no fork on the platform, it runs in this process: same results, same order.
`fork_imap` gives the same results one by one, as they come, so that they need not all
be held at once. Told `keep_freed`, workers keep the memory they free for their next
arrays (see `_keep_freed_memory`). `ForkedCall(func, *args)` runs one call in a forked
process while this one does other work. A `Tally` counts the items the parts have done
so far, in whichever process, for a build's progress display.
"""
from __future__ import annotations

import ctypes
import functools
import gc
import mmap
import multiprocessing as mp
import os
import pickle
import signal
import time
import traceback
from typing import Any, Callable, Iterator, Sequence

from .forking import can_fork, held, stopped_by_parent

_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None  # set in each worker by _start


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _start(func: Callable[[Any, Any], Any], shared: Any, keep_freed: bool = False) -> None:
    global _SHARED
    stopped_by_parent()
    gc.enable()  # a build turns it off while it makes its model; a worker's garbage is its own
    if keep_freed:
        _keep_freed_memory()
    _SHARED = (func, shared)


def _keep_freed_memory() -> None:
    """glibc hands a freed block of more than a few MB back to the system at once, and
    the next one is faulted in anew, page by page, each page zeroed: the search index's
    workers, which make and drop arrays of tens of MB one after another, spent a sixth
    of their time so. Such a worker lives for one build: it keeps what it frees (blocks
    up to 32 MB, glibc's largest threshold, come from the heap, which is not trimmed)."""
    m_trim_threshold, m_mmap_threshold = -1, -3
    libc = _glibc()
    if libc is not None:
        libc.mallopt(m_mmap_threshold, 32 << 20)  # (setting one threshold fixes both)
        libc.mallopt(m_trim_threshold, 1 << 30)


def _hand_back_free_memory() -> None:
    """Before a fork: give the system back the free pages amid this process's heap
    (glibc trims only its top). A forked worker's resident memory counts every page it
    inherits, free or not, and a build's largest process is such a worker: at 50,000
    entries a few hundred MB of it were pages freed long before."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


def _stop_with_parent(parent: int) -> None:
    """Have this process sent SIGTERM when its parent ends (Linux), and end now if it
    has already."""
    pr_set_pdeathsig = 1
    libc = _glibc()
    if libc is not None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


@functools.lru_cache(maxsize=1)
def _glibc() -> Any:
    """The C library when it is glibc (whose allocator these tune), else None."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt, libc.malloc_trim  # (not glibc: no such functions)
    except (OSError, AttributeError):
        return None
    return libc


def _call(part: Any) -> Any:
    assert _SHARED is not None
    func, shared = _SHARED
    return func(shared, part)


class Tally:
    """How many items the parts of a `fork_map` have done so far: each part adds to a
    slot of its own (`add(k)` for part k) in memory shared with the workers forked
    after it is made (no lock: a slot has one writer). This process tells `tell` the
    sum as it does items of its own and while it waits for the workers, about once
    every TELL_EVERY seconds, and once more when all are done: what a progress display
    shows while a stage runs."""

    TELL_EVERY = 0.2

    def __init__(self, parts: int, tell: Callable[[int], None]) -> None:
        self._memory = mmap.mmap(-1, 8 * max(1, parts))  # (anonymous: shared with forked processes)
        self._slots = (ctypes.c_int64 * max(1, parts)).from_buffer(self._memory)
        self._tell, self._owner = tell, os.getpid()
        self._next = time.monotonic() + self.TELL_EVERY

    def add(self, part: int, n: int = 1) -> None:
        self._slots[part] += n
        if time.monotonic() >= self._next and os.getpid() == self._owner:
            self.tell()

    def tell(self) -> None:
        self._next = time.monotonic() + self.TELL_EVERY
        self._tell(sum(self._slots))


def fork_map(func: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any,
             parallel: bool = True, keep_freed: bool = False, tally: Tally | None = None) -> list[Any]:
    """`tally`: the one `func` adds to, told here while the workers run and once all
    parts are done."""
    done = _fork_map(func, parts, shared, parallel, keep_freed, tally)
    if tally is not None:
        tally.tell()
    return done


def _fork_map(func: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any,
              parallel: bool, keep_freed: bool, tally: Tally | None) -> list[Any]:
    if not can_fork(parallel) or len(parts) < 2:
        return [func(shared, part) for part in parts]
    n = min(workers(), len(parts))
    if len(parts) == n:  # a part per process: this one takes the last, whose result needs no pickling
        with _pool(n - 1, func, shared, keep_freed) as pool:
            others = pool.map_async(_call, parts[:-1], chunksize=1)
            last = func(shared, parts[-1])
            return [*_awaited(others, tally), last]
    with _pool(n, func, shared, keep_freed) as pool:
        return _awaited(pool.map_async(_call, parts, chunksize=1), tally)


def _awaited(results: Any, tally: Tally | None) -> list[Any]:
    """A pool's results, once all are in; `tally` told meanwhile."""
    while tally is not None and not results.ready():
        results.wait(tally.TELL_EVERY)
        tally.tell()
    return results.get()


def fork_imap(func: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any,
              parallel: bool = True, keep_freed: bool = False) -> Iterator[Any]:
    if not can_fork(parallel) or len(parts) < 2:
        yield from (func(shared, part) for part in parts)
        return
    with _pool(min(workers(), len(parts)), func, shared, keep_freed) as pool:
        yield from pool.imap(_call, parts, chunksize=1)


def _pool(n: int, func: Callable[[Any, Any], Any], shared: Any, keep_freed: bool) -> Any:
    """n forked workers that call func(shared, part) for the parts they are given."""
    _hand_back_free_memory()
    with held():
        return mp.get_context("fork").Pool(n, initializer=_start, initargs=(func, shared, keep_freed))


class ForkedCall:
    """func(*args) started in a forked process (not a pool's: it may fork workers of its
    own), so that this process can do other work meanwhile. `result()` waits for it and
    returns its value or raises its exception; `cancel()` stops it and every worker it
    started (they share a process group of their own, so Ctrl-C reaches only this
    process, which cancels). Not parallel, with one core or without fork, func runs in
    this process when its result is asked for. `keep_freed` as for `fork_map`."""

    def __init__(self, func: Callable[..., Any], *args: Any, parallel: bool = True, keep_freed: bool = False):
        self._func, self._args = func, args
        self._process: Any = None
        if can_fork(parallel):
            ctx = mp.get_context("fork")
            self._receive, send = ctx.Pipe(duplex=False)
            _hand_back_free_memory()
            self._process = ctx.Process(target=_send_result,
                                        args=(send, self._receive, os.getpid(), func, args, keep_freed))
            try:
                with held():  # (a Ctrl-C held back meanwhile comes when it ends)
                    self._process.start()
                    send.close()
                    try:  # also here, so that no cancel can come before the child's own call
                        os.setpgid(self._process.pid, self._process.pid)
                    except OSError:  # it has made its group, or ended, already
                        pass
            except BaseException:  # the caller never gets this call to cancel: cancelled here
                self.cancel()
                raise

    def result(self) -> Any:
        if self._process is None:
            return self._func(*self._args)
        try:
            ok, value = self._receive.recv()
        except EOFError:  # killed, by the system's out-of-memory killer say
            self._process.join()
            raise OSError(f"{self._func.__name__} ended without a result "
                          f"(exit code {self._process.exitcode})") from None
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            try:
                os.killpg(self._process.pid, signal.SIGTERM)
            except OSError:  # no group (yet): the process alone
                self._process.terminate()
            self._process.join()


def _send_result(send: Any, receive: Any, parent: int, func: Callable[..., Any], args: tuple,
                 keep_freed: bool) -> None:
    os.setpgid(0, 0)
    # Should the parent die without cancelling this call (killed), this process must not
    # outlive it: with the pipe's other end closed here, sending the result fails instead
    # of waiting forever for a reader, and on Linux it is stopped at once.
    receive.close()
    stopped_by_parent()
    _stop_with_parent(parent)
    if keep_freed:
        _keep_freed_memory()
    try:
        outcome = (True, func(*args))
    except BaseException as exc:  # handed to the parent, which raises it
        outcome = (False, exc)
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that does not survive pickling: its words do
            outcome = (False, RuntimeError("".join(traceback.format_exception(exc))))
    try:
        send.send(outcome)
        send.close()
    except OSError:  # the build has stopped (Ctrl-C) and closed its end: no one to tell
        pass
