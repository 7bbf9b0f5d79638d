"""The floor under a rebuild with nothing to do, for bench/build.py: the least any tool
that checks its inputs and its output by stat must do, with nothing of site_builder's.

Starts the same Python, stats every file under SITE's site.yaml, content/ and themes/
while a forked process stats each output folder FOLDERS lists (one path a line,
relative to OUTPUT: the folders of the files a build wrote, as site_builder's stamps
hold them), and hashes the stats. No import but the standard library's, no config
read, no record unpickled, nothing printed: what is left of site_builder's own time
above this is what its code adds.

    python bench/floor.py SITE OUTPUT FOLDERS
"""
from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys


def tree(folder: str, out: list) -> list:
    try:
        with os.scandir(folder) as found:
            entries = sorted(found, key=lambda e: e.name)
    except FileNotFoundError:
        return out
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            tree(e.path, out)
            continue
        st = e.stat()
        if stat.S_ISREG(st.st_mode):
            out.append((e.path, (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)))
    return out


def main() -> None:
    site, output, folders = sys.argv[1:4]
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(output, os.O_RDONLY)
            with open(folders, encoding="utf-8") as f:
                names = f.read().splitlines()
            for name in names:
                os.stat(name or ".", dir_fd=fd)
        except BaseException:  # (a folder gone: the figure would mean nothing)
            os._exit(1)
        os._exit(0)
    stats: list = []
    for name in ("site.yaml", "content", "themes"):
        path = os.path.join(site, name)
        if os.path.isdir(path):
            tree(path, stats)
        elif os.path.exists(path):
            stats.append((path, tuple(os.stat(path))))
    hashlib.sha1(marshal.dumps(stats, 2)).hexdigest()
    sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))


if __name__ == "__main__":
    main()
