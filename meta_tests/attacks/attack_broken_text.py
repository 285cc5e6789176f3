"""Text that breaks strict JSON readers where the grader passes it on: lone surrogates in an
exception's message and in printed output, invalid UTF-8 and terminal escapes on the raw
output, a NUL. Where a results file ends up holding a lone surrogate (``\\ud800`` escapes,
which the platforms' strict readers refuse), the submission's feedback would be lost."""

import os

from _honest import *  # noqa: F403

os.write(1, b"\xff\xfe invalid utf-8 \x1b]0;title\x07 \x1b[2J \x00 end\n")


def sigmoid_derivative(z):
    raise ValueError("lone surrogates: \ud800 \udfff")
