"""Writes a fake score line into the terminal of every pytest process it can see, through
/proc/<pid>/fd/1 and 2, and into /dev/tty. Where it can, it takes the correct
sigmoid_derivative too."""

import os

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

FAKE = b"\nscore: 999.00 / 100 (bp-terminal-attack)\n"
WROTE = []
for pid in os.listdir("/proc"):
    if not pid.isdigit() or int(pid) == os.getpid():
        continue
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if b"pytest" not in f.read():
                continue
    except OSError:
        continue
    for fd in (1, 2):
        try:
            with open(f"/proc/{pid}/fd/{fd}", "wb") as f:
                f.write(FAKE)
            WROTE.append((pid, fd))
        except OSError:
            pass
try:
    with open("/dev/tty", "wb") as f:
        f.write(FAKE)
    WROTE.append("tty")
except OSError:
    pass

if WROTE:
    sigmoid_derivative = correct_sigmoid_derivative
