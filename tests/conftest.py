"""Shared fixtures: small real sites written into tmp_path, the CLI run as a subprocess,
the demo site of the repository and a generated corpus, each built once per session.

Nothing of site_builder is mocked: every test writes real folders and runs the real
command (`python -m site_builder ...`), then reads what it wrote.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from site_builder.i18n import Phrase

REPO = Path(__file__).resolve().parents[1]
STRINGS_FILE = REPO / "site_builder" / "strings" / "zh-Hans.yaml"
CORPUS_SCRIPT = Path("/work/shared/corpus/make_corpus.py")
TODAY = "2026-11-20"
CLI_TIMEOUT = 120

# --------------------------------------------------------------------------- messages

_MESSAGES = yaml.safe_load(STRINGS_FILE.read_text(encoding="utf-8"))["messages"]


def msg(message: str, /, **params) -> str:
    """A message of strings/zh-Hans.yaml with its parameters filled in (a `{n:one|other}`
    field as the strings file's format has it)."""
    return Phrase(_MESSAGES[message]).format(**params)


def line(path: str, lineno: int | None, message: str, /, warning: bool = False, **params) -> str:
    """The full line `check` prints for one problem: `path:line: message`."""
    where = path if lineno is None else f"{path}:{lineno}"
    label = msg("warning_label" if warning else "error_label")
    return f"{where}: {label}{msg(message, **params)}"


def line_no(text: str, needle: str) -> int:
    """1-based number of the (first) line of `text` containing `needle`."""
    at = text.index(needle)
    return text.count("\n", 0, at) + 1


# --------------------------------------------------------------------------- personal numbers

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id(first17: str) -> str:
    """An 18-character resident ID with a valid ISO 7064 MOD 11-2 check character."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return first17 + _ID_CHECK[total % 11]


def mask_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def luhn_card(prefix: str, length: int = 16) -> str:
    """A card number of `length` digits starting with `prefix` that passes the Luhn check."""
    body = prefix.ljust(length - 1, "0")
    for check in "0123456789":
        number = body + check
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return number
    raise AssertionError("unreachable")


def mask_card(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# --------------------------------------------------------------------------- the small site

SITE_YAML = """\
title: 测试镇党务政务村务公开
language: zh-Hans
base_url: ""
organization: 测试镇人民政府
timezone: Asia/Shanghai
contact:
  phone: 0372-5550000
  email: gongkai@example.org
  address: 测试镇便民服务中心
units:
  - id: town
    name: 测试镇人民政府
    kind: town
  - id: dongcun
    name: 东村
    kind: village
    parent: town
    supervisor: {name: 王建国, phone: "0372-5551201"}
  - id: xicun
    name: 西村
    kind: village
    parent: town
    supervisor: {name: 陈玉梅, phone: "13907071234"}
categories:
  - {id: finance, name: 财务收支, group: 财务公开, cadence: monthly}
  - {id: decisions, name: 重大事项, group: 村务公开, cadence: as-needed, notice_days: 5}
  - {id: relief, name: 低保救助, group: 政务公开, cadence: quarterly, notice_days: 7}
  - {id: services, name: 办事指南, group: 政务公开, cadence: permanent}
"""

LEDGER_SEP = """\
---
title: 东村2026年9月财务收支公开
date: 2026-10-08
period: "2026-09"
totals: {opening: 8000.00, income: 2500.00, expense: 500.00, closing: 10000.00}
---

## 收支明细

```ledger
opening: 8000.00
日期,摘要,收入,支出,凭证号
2026-09-03,上级转移支付,2500.00,,001
2026-09-21,村部电费,,500.00,002
```
"""

LEDGER_OCT = """\
---
title: 东村2026年10月财务收支公开
date: 2026-11-06
period: "2026-10"
totals: {opening: 10000.00, income: 5000.00, expense: 320.50, closing: 14679.50}
---

## 收支明细

```ledger
opening: 10000.00
日期,摘要,收入,支出,凭证号
2026-10-05,上级转移支付,5000.00,,001
2026-10-18,村部办公费,,320.50,002
```

如有异议，请在公示期内向村务监督委员会反映。
"""

DECISION = """\
---
title: 关于东村道路硬化工程的决议
date: 2026-11-02
doc_no: 东村〔2026〕3号
attachments:
  - {file: 表决结果.csv, title: 村民代表表决结果}
---

经村民代表会议讨论，同意实施村内道路硬化工程。咨询电话 0372-5550000。
"""

VOTES_CSV = "序号,代表,表决\n1,张某,同意\n2,李某,同意\n3,王某,同意\n"

SERVICES = """\
---
title: 低保申请办事指南
date: 2025-03-18
---

申请最低生活保障，请携带户口簿到村委会申请。
"""

RELIEF = """\
---
title: 西村2026年第三季度低保对象公示
date: 2026-10-15
period: "2026-Q3"
---

| 序号 | 户主 | 保障人数 |
| --- | --- | --- |
| 1 | 赵某某 | 2 |

监督电话：13907071234（村务监督委员会）。
"""


def base_files() -> dict[str, str | bytes]:
    return {
        "site.yaml": SITE_YAML,
        "content/dongcun/finance/2026-09-caiwu.md": LEDGER_SEP,
        "content/dongcun/finance/2026-10-caiwu.md": LEDGER_OCT,
        "content/dongcun/decisions/2026-11-02-daolu.md": DECISION,
        "content/dongcun/decisions/表决结果.csv": VOTES_CSV,
        "content/town/services/dibao-zhinan.md": SERVICES,
        "content/xicun/relief/2026-q3-dibao.md": RELIEF,
    }


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write files below root (text as UTF-8); a value of None deletes the file."""
    for rel, data in files.items():
        path = root / rel
        if data is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_bytes(data.encode("utf-8"))


@pytest.fixture
def make_site(tmp_path):
    """make_site(files=None, name="site", base=True) -> Path of a small valid site.

    `files` maps paths relative to the site to text (written as UTF-8) or bytes, added
    to or replacing the base files; None removes a base file. base=False starts empty.
    """
    def make(files: dict | None = None, name: str = "site", base: bool = True) -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        all_files = base_files() if base else {}
        all_files.update(files or {})
        write_files(root, all_files)
        return root
    return make


# --------------------------------------------------------------------------- the CLI

IN_CI = os.environ.get("CI", "")  # as the tests were started (see not_in_a_ci_log)


@pytest.fixture(scope="session", autouse=True)
def not_in_a_ci_log():
    """A build tells its stages in a CI service's log (CI set, as CI services set it):
    the builds the tests run print alike wherever they run (the test of that log sets
    CI itself; whether the tests run in CI is IN_CI)."""
    kept = os.environ.pop("CI", None)
    yield
    if kept is not None:
        os.environ["CI"] = kept


def run_cli(*args, cwd: Path | None = None, timeout: int = CLI_TIMEOUT,
            env: dict | None = None) -> subprocess.CompletedProcess:
    return run_python("-m", "site_builder", *args, cwd=cwd, timeout=timeout, env=env)


def run_python(*args, cwd: Path | None = None, timeout: int = CLI_TIMEOUT,
               env: dict | None = None) -> subprocess.CompletedProcess:
    """This Python run with `args` (the command is `-m site_builder`), its output as UTF-8 text."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUTF8="1", **(env or {}))
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          cwd=cwd, timeout=timeout, env=env)


def run_build(site: Path, today: str | None = TODAY, output: Path | None = None,
              *extra, env: dict | None = None) -> subprocess.CompletedProcess:
    args = ["build", site]
    if output is not None:
        args += ["--output", output]
    if today:
        args += ["--today", today]
    return run_cli(*args, *extra, env=env)


def run_check(site: Path, today: str | None = TODAY) -> subprocess.CompletedProcess:
    return run_cli("check", site, *(["--today", today] if today else []))


def describe(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def build():
    """build(site, today="2026-11-20", output=None) -> CompletedProcess of the CLI."""
    return run_build


@pytest.fixture
def check():
    return run_check


def build_ok(site: Path, output: Path | None = None, today: str = TODAY) -> Path:
    result = run_build(site, today, output)
    assert result.returncode == 0, describe(result)
    assert "Traceback" not in result.stderr + result.stdout
    return output or site / "public"


# --------------------------------------------------------------------------- reading output

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def guess_type(self, path) -> str:
        # as many hosts do (GitHub Pages among them): the UTF-16 search files must be
        # read by their byte order mark, whatever charset the server names
        kind = super().guess_type(path)
        return kind + "; charset=utf-8" if str(path).endswith(".js") else kind


class _KeptHandler(_QuietHandler):
    """As a host that lets browsers keep every file but pages for a day (a CDN set up
    for static files)."""

    def end_headers(self) -> None:
        page = self.path.partition("?")[0].endswith((".html", "/"))
        self.send_header("Cache-Control", "no-cache" if page else "max-age=86400")
        super().end_headers()


@contextlib.contextmanager
def http_server(folder: Path, kept: bool = False) -> Iterator[str]:
    """`folder` served, without a log line per request, at the address given
    (http://127.0.0.1:PORT/) while the block runs; `kept`: with files but pages
    kept a day by the browser."""
    handler = _KeptHandler if kept else _QuietHandler
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root (relative posix path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


class PageParser(HTMLParser):
    """Collects links (tag, attribute, value, attrs), ids and text of one HTML page."""

    LINK_ATTRS = {"href", "src", "action", "poster", "data", "srcset"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str, dict]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        d = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, d))
        for key in ("id", "name"):
            if d.get(key) and (key == "id" or tag in ("a", "map")):
                self.ids.add(d[key])
        for key, value in d.items():
            if key in self.LINK_ATTRS:
                if key == "srcset":
                    for part in value.split(","):
                        if part.strip():
                            self.links.append((tag, key, part.strip().split()[0], d))
                else:
                    self.links.append((tag, key, value, d))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path_or_text) -> PageParser:
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else path_or_text
    parser = PageParser()
    parser.feed(text)
    parser.close()
    return parser


# --------------------------------------------------------------------------- session builds

@pytest.fixture(scope="session")
def demo_site() -> Path:
    """The repository root: the demo site (site.yaml + content/)."""
    return REPO


@pytest.fixture(scope="session")
def demo_build(demo_site, tmp_path_factory) -> Path:
    """The demo site built once into a temporary folder (never into the repository)."""
    out = tmp_path_factory.mktemp("demo") / "public"
    result = run_build(demo_site, TODAY, out)
    assert result.returncode == 0, "demo site does not build:\n" + describe(result)
    return out


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "site"
    result = subprocess.run([sys.executable, str(CORPUS_SCRIPT), "--out", str(root),
                             "--entries", "200", "--units", "8"],
                            capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="session")
def corpus_build(corpus_site, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus-out") / "public"
    result = run_build(corpus_site, TODAY, out)
    assert result.returncode == 0, "generated corpus does not build:\n" + describe(result)
    return out


CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, for every browser test; required when CI is set."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing and CI is set: browser tests must run")
        pytest.skip(f"{CHROMIUM} is missing")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()
