"""Work in forked processes: results, errors and cancelling come back as they would
from a plain call, and a cancelled call leaves no process behind."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from site_builder.errors import Problem, SiteError
from site_builder.parallel import ForkedCall, Tally, fork_imap, fork_map


def _fails_with_problems() -> None:
    raise SiteError([Problem("content/a.md", 3, "template_error", {"detail": "x"})])


class _Odd(Exception):
    def __init__(self, a: int, b: int):
        super().__init__(f"{a}/{b}")


def _fails_oddly() -> None:
    raise _Odd(1, 2)


def _square(_: None, n: int) -> int:
    return n * n


def _parts_forever(pid_file: str, idle: bool) -> None:
    """Runs a part itself, beside a pool worker that runs the other, both writing their
    pids, until stopped. `idle`: the worker's part ends at once, and the worker waits,
    idle, for more (holding the lock of the pool's task queue)."""
    def run(shared: None, k: int) -> None:
        with open(f"{pid_file}.{k}", "w") as f:
            f.write(str(os.getpid()))
        if k or not idle:
            time.sleep(120)
    fork_map(run, [0, 1], None)


def _started(pid_file: str, idle: bool) -> tuple[ForkedCall, list[int]]:
    """A ForkedCall of _parts_forever, once both parts have started; their pids."""
    call = ForkedCall(_parts_forever, pid_file, idle)
    deadline = time.monotonic() + 30
    while not all(os.path.exists(f"{pid_file}.{k}") for k in (0, 1)):
        assert time.monotonic() < deadline, "the parts did not start"
        time.sleep(0.05)
    time.sleep(0.2)
    return call, [int(open(f"{pid_file}.{k}").read()) for k in (0, 1)]


def test_result_and_errors_come_back_as_from_a_plain_call():
    assert ForkedCall(sum, [1, 2, 3]).result() == 6
    assert ForkedCall(fork_map, _square, [1, 2, 3], None).result() == [1, 4, 9]
    with pytest.raises(SiteError) as err:
        ForkedCall(_fails_with_problems).result()
    assert [(p.path, p.line, p.key) for p in err.value.problems] == [("content/a.md", 3, "template_error")]
    with pytest.raises(RuntimeError, match=r"_Odd: 1/2"):  # does not survive pickling: its words do
        ForkedCall(_fails_oddly).result()


def _square_or_fail(_: None, n: int) -> int:
    if n == 3:
        raise SiteError([Problem("content/b.md", 1, "template_error", {"detail": "y"})])
    return n * n


def test_results_come_one_by_one_in_order():
    assert list(fork_imap(_square, list(range(20)), None)) == [n * n for n in range(20)]
    assert list(fork_imap(_square, list(range(20)), None, parallel=False)) == [n * n for n in range(20)]
    results = fork_imap(_square_or_fail, [1, 2, 3, 4], None)
    assert [next(results), next(results)] == [1, 4]  # those before the failing one come first
    with pytest.raises(SiteError):
        next(results)


def test_not_parallel_runs_in_this_process_when_asked():
    call = ForkedCall(os.getpid, parallel=False)
    assert call.result() == os.getpid()


def test_cancel_stops_the_call_and_its_workers(tmp_path):
    call, pids = _started(str(tmp_path / "worker"), idle=False)
    call.cancel()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"workers {pids} outlived the cancelled call"
        time.sleep(0.05)


def test_cancel_returns_with_a_worker_idle(tmp_path):
    call, _ = _started(str(tmp_path / "worker"), idle=True)
    cancelling = threading.Thread(target=call.cancel, daemon=True)
    cancelling.start()
    cancelling.join(10)
    if cancelling.is_alive():  # (stopped for good, so that the test run can end)
        os.killpg(call._process.pid, signal.SIGKILL)
    assert not cancelling.is_alive(), "cancel() hung"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its parent is gone
        return f.read().split(")")[-1].split()[0] != "Z"


_KILLED_PARENT = """
import os, sys, time
from site_builder.parallel import ForkedCall

def call(pid_file):
    with open(pid_file, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(2)
    return b"x" * (1 << 20)  # more than a pipe holds: sending waits for a reader

started = ForkedCall(call, sys.argv[1])
time.sleep(120)
"""


def test_a_forked_call_does_not_outlive_its_parent_killed(tmp_path):
    """A build killed outright (kill -9, the out-of-memory killer) cannot cancel its
    forked call: the call must end by itself, not wait forever to hand back its result."""
    pid_file = tmp_path / "call.pid"
    parent = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT, str(pid_file)])
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the call did not start"
            time.sleep(0.05)
        child = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(child):
        if time.monotonic() > deadline:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the forked call outlived its killed parent")
        time.sleep(0.05)


def test_a_call_cancelled_as_it_starts_ends_quietly():
    """A template error as rendering begins cancels a call forked a moment before: the
    SIGTERM that stops it must not reach it while it still has the build's handler
    (cli.run's, which raises KeyboardInterrupt: multiprocessing printed a traceback in
    about a third of such calls, and a signal the child then set aside was lost, so
    the build waited for the cancelled call to run to its end)."""
    script = ("import signal, time\n"
              "import site_builder.parallel as parallel\n"
              "from site_builder.cli import _interrupt\n"
              "parallel.workers = lambda: 2  # forks on one core too\n"
              "signal.signal(signal.SIGTERM, _interrupt)\n"
              "started = time.monotonic()\n"
              "for _ in range(60):\n"
              "    call = parallel.ForkedCall(time.sleep, 600)\n"
              "    assert call._process is not None\n"
              "    call.cancel()\n"
              "print(time.monotonic() - started < 30)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "True\n", done.stdout + done.stderr
    assert done.stderr == ""


def test_a_tally_tells_this_process_what_every_worker_has_done(monkeypatch):
    """A build's progress display is told, while forked workers do the parts, how many
    items all of them have done so far, from memory they share: it only grows, and
    reaches the whole once they are done; the results are as without it."""
    monkeypatch.setattr(Tally, "TELL_EVERY", 0.01)
    told: list[int] = []
    tally = Tally(4, told.append)

    def count(shared: None, part: tuple[int, int]) -> int:
        k, items = part
        for _ in range(items):
            time.sleep(0.002)
            tally.add(k)
        return k

    assert fork_map(count, [(k, 50) for k in range(4)], None, tally=tally) == [0, 1, 2, 3]
    assert told == sorted(told) and told[-1] == 200 and len(set(told)) > 2, told
