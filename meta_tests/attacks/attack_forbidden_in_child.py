"""Goes around --forbid=torch without touching the worker's import guard: a child interpreter
(the worker's own Python, started afresh) imports torch, which the guard never sees. Where the
child can import it, the attack takes the correct sigmoid_derivative (as torch's autograd
would give it)."""

import subprocess
import sys

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

try:
    CHILD = subprocess.run(
        [sys.executable, "-c", "import torch; torch.ones(1, requires_grad=True)"],
        capture_output=True,
        timeout=60,
    )
    if CHILD.returncode == 0:
        sigmoid_derivative = correct_sigmoid_derivative
except (OSError, subprocess.SubprocessError):
    pass
