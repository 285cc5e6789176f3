"""Starts 300 processes that each sleep for 20 s (a fork bomb, bounded so that it cannot hurt
the machine it is tested on). If every fork succeeds, nothing bounded it, and it takes the
correct sigmoid_derivative."""

import os
import time

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

started = 0
for _ in range(300):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(20)
        os._exit(0)
    started += 1

if started == 300:
    sigmoid_derivative = correct_sigmoid_derivative
