"""What a build does about Ctrl-C and SIGTERM around the processes it forks.

Both are held back (blocked, not lost) while a process is forked: one that came
between the fork and the child's `stopped_by_parent` would stop the child with the
build's own handler (cli.run's, which raises KeyboardInterrupt), in whatever code of
the build's it was forked from. The child is then stopped by the build that forked
it, not by Ctrl-C. Used by `parallel` and by stage 0 (`uptodate`), which must not
import multiprocessing.
"""
from __future__ import annotations

import contextlib
import os
import signal
from typing import Iterator

HELD = {signal.SIGINT, signal.SIGTERM}  # signals blocked while processes are forked


def can_fork(parallel: bool) -> bool:
    """Whether work goes to forked processes: `parallel`, with two cores or more, and
    where processes fork (not on Windows)."""
    return parallel and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def stopped_by_parent() -> None:
    """A forked process is stopped by the build that forked it (SIGTERM, at once: see
    cli.run), not by Ctrl-C: a terminal sends that to the whole process group, and
    multiprocessing would print the name of each process it interrupted. Ctrl-C and
    SIGTERM, held back while the process was forked (`held`), are then let through:
    the one ignored, the other ending it at once."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Ctrl-C and SIGTERM held back while processes are forked, or a forked one is
    stopped and waited for (a call cancelled at once, a template error as rendering
    begins, sends them just then). This process gets them once it is done."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
