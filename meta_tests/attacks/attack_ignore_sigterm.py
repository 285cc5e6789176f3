"""Ignores SIGTERM, SIGINT and SIGHUP, then tanh never returns."""

import signal

from _honest import *  # noqa: F403

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)


def tanh(z):
    while True:
        pass
