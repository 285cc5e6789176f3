"""Looks for the kit's grading code and writes into its folders and bytecode caches (a real
attack would rewrite the cached bytecode there; this one leaves bp_attack_marker files, which
the test looks for). Where it can write, it takes the correct sigmoid_derivative too."""

import os
import sys

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

WROTE = []


def _kit_folders():
    starts = [os.path.abspath(a) for a in sys.argv if a.endswith(".py")] + list(sys.path)
    for start in starts:
        folder = start
        for _ in range(8):
            grading = os.path.join(folder, "conformance", "grading")
            if os.path.isdir(grading):
                yield grading
                yield os.path.join(grading, "__pycache__")
            folder = os.path.dirname(folder)


for folder in set(_kit_folders()):
    try:
        with open(os.path.join(folder, "bp_attack_marker"), "w") as f:
            f.write("poisoned")
        WROTE.append(folder)
    except OSError:
        pass

if WROTE:
    sigmoid_derivative = correct_sigmoid_derivative
