"""Starts a process that hops to a new pid every few milliseconds (fork, parent exits), so
that a sweep of /proc that reads a pid and then kills it always comes too late, and that
for a minute writes a perfect score into every results file named on a command line it can
see. Its first pid goes to bp-hopper-pid in the temp folder of the test (when it can write
there)."""

import os
import time

from _honest import *  # noqa: F403

FAKE = '{"score": 1000.0, "tests": []}'


def _targets():
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                args = f.read().decode(errors="replace").split("\0")
        except OSError:
            continue
        found += [a.split("=", 1)[1] for a in args if a.startswith("--gradescope-json=")]
    return found


if os.fork() == 0:
    os.setsid()
    targets = _targets()
    end = time.time() + 60
    while time.time() < end:
        if os.fork() != 0:
            os._exit(0)  # the parent goes; the child carries on under a new pid
        for path in targets:
            try:
                with open(path, "w") as f:
                    f.write(FAKE)
            except OSError:
                pass
        time.sleep(0.002)
    os._exit(0)
