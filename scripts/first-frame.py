#!/usr/bin/env python3
"""Time from exec to the first complete frame of the sparkdeck TUI.

The binary runs on a fresh 120x40 pseudo-terminal with the environment of the caller
(measure-perf.sh gives it an isolated HOME and XDG dirs). The clock starts just before
fork+exec and stops when the bytes written to the terminal, with escape sequences
removed, contain the hint bar's quit hint: ratatui writes a frame row by row in one flush,
and the hint bar is the last row, so its text arriving means the whole first frame has.
Reading the pty directly (not polling tmux) keeps the measuring overhead under 1 ms.

usage: first-frame.py BINARY RUNS
prints one line per run (milliseconds) and a summary line.
"""

import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]")
# The hint bar always ends with the quit hint; the tab bar names every tab.
NEEDLES = (b"quit", b"Connections")
TIMEOUT_S = 10.0


def one_run(binary):
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(binary, [binary])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    elapsed = None
    while time.perf_counter() - start < TIMEOUT_S:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        # Terminal queries (cursor position) would block crossterm; answer them.
        if b"\x1b[6n" in chunk:
            os.write(fd, b"\x1b[1;1R")
        text = ESCAPES.sub(b"", seen)
        if all(n in text for n in NEEDLES):
            elapsed = (time.perf_counter() - start) * 1000.0
            break
    os.write(fd, b"q")
    deadline = time.perf_counter() + 5
    while time.perf_counter() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:
            if select.select([fd], [], [], 0.1)[0]:
                os.read(fd, 65536)
        except OSError:
            pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    if elapsed is None:
        tail = ESCAPES.sub(b"", seen)[-400:]
        sys.exit(f"no complete frame within {TIMEOUT_S}s; last output: {tail!r}")
    return elapsed


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, runs = sys.argv[1], int(sys.argv[2])
    times = []
    for i in range(runs):
        t = one_run(binary)
        times.append(t)
        print(f"run {i + 1}: {t:.1f} ms")
    print(
        f"first frame over {runs} runs: median {statistics.median(times):.1f} ms, "
        f"min {min(times):.1f} ms, max {max(times):.1f} ms"
    )


if __name__ == "__main__":
    main()
