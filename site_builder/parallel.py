"""Running one function over many parts of a build in forked worker processes.

`fork_map(func, parts, shared)` calls `func(shared, part)` for every part, in worker
processes that inherit `shared` (the already built site model, say) by fork instead of
receiving a pickled copy, and returns the results in order. With one core, few parts,
or no fork on the platform, it runs in this process: same results, same order.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any, Callable, Sequence

_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None  # set in each worker by _start


def workers() -> int:
    return min(os.cpu_count() or 1, 8)


def _start(func: Callable[[Any, Any], Any], shared: Any) -> None:
    global _SHARED
    _SHARED = (func, shared)


def _call(part: Any) -> Any:
    assert _SHARED is not None
    func, shared = _SHARED
    return func(shared, part)


def fork_map(func: Callable[[Any, Any], Any], parts: Sequence[Any], shared: Any,
             parallel: bool = True) -> list[Any]:
    if not parallel or workers() < 2 or len(parts) < 2 or "fork" not in mp.get_all_start_methods():
        return [func(shared, part) for part in parts]
    with mp.get_context("fork").Pool(min(workers(), len(parts)), initializer=_start,
                                     initargs=(func, shared)) as pool:
        return pool.map(_call, parts, chunksize=1)
