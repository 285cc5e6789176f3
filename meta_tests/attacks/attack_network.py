"""Connects to a service on the grader's loopback (the test listens on port 47113, as a
Dask scheduler or a database would) and to the outside world. Where it reaches either, it
takes the correct sigmoid_derivative."""

import socket

from _honest import *  # noqa: F403
from _honest import correct_sigmoid_derivative

REACHED = []
for host, port in (("127.0.0.1", 47113), ("1.1.1.1", 53), ("pypi.org", 443)):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            REACHED.append((host, port))
    except OSError:
        pass

if REACHED:
    sigmoid_derivative = correct_sigmoid_derivative
