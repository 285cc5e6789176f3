"""Leaves a daemon (double fork, new session, SIGTERM ignored) that lives for two minutes,
then hangs in every call, so that backprop-grade's per-job --timeout stops the job's grader."""

import os
import signal
import time

from reference import *  # noqa: F403
from reference import softmax as _softmax

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(120)
    os._exit(0)


def softmax(z):
    time.sleep(1.5)
    return _softmax(z)
