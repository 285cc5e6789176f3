"""Every attack on grading mode earns exactly what its honest twin earns (see attacks/README.md),
the grader finishes within its limits, its results files are valid, and no process of the
submission outlives the run. Graded in a subprocess, as an autograder would run it: the
attacks look for the grader's command line."""

from __future__ import annotations

import glob
import json
import os
import socket
import time
from pathlib import Path

import pytest
from grading_helpers import grade, sandboxed, worker_processes

from conftest import ROOT

ATTACKS = Path(__file__).resolve().parent / "attacks"
PAIRS = sorted(p.stem.removeprefix("attack_") for p in ATTACKS.glob("attack_*.py"))
#: Short limits keep the hanging and hoarding attacks quick.
LIMITS = ("--call-timeout=2", "--worker-memory=1024", "--allow-import=reference")
#: The checks each pair is graded on (default: the activations area) and its own options.
SELECTION = {
    "copy_reference": ("--call-timeout=2", "--worker-memory=1024", "-m", "activations"),
    "hide_signature": (*LIMITS, "-m", "contract"),
    "slow_where_wrong": (*LIMITS, "-m", "gradients", "-k", "large_network"),
    "undo_forbid": (*LIMITS, "--forbid=torch", "-m", "activations"),
}
#: The grader's own bound on a run of one area under those limits.
WALL_LIMIT_S = 240
#: The port the network attack tries to reach on the grader's loopback.
LISTEN_PORT = 47113
FAKE_SCORE_LINE = "bp-terminal-attack"


def test_every_attack_has_a_twin() -> None:
    assert len(PAIRS) >= 10
    for name in PAIRS:
        assert (ATTACKS / f"twin_{name}.py").is_file(), name


@pytest.mark.parametrize("name", PAIRS)
def test_attack_earns_exactly_what_its_twin_earns(pytester, name: str) -> None:
    scores = {}
    listener = _listen() if name == "network" else None
    try:
        for kind in ("twin", "attack"):
            start = time.monotonic()
            graded = grade(
                pytester,
                ATTACKS / f"{kind}_{name}.py",
                *SELECTION.get(name, (*LIMITS, "-m", "activations")),
                in_process=False,
                profile=None,
            )
            elapsed = time.monotonic() - start
            assert elapsed < WALL_LIMIT_S, f"{kind}_{name}: the grader took {elapsed:.0f} s"
            assert graded.result.ret in (
                pytest.ExitCode.TESTS_FAILED,
                pytest.ExitCode.USAGE_ERROR,
            )
            scores[kind] = (graded.score, graded.prairielearn["score"], len(graded.failed()))
            left = worker_processes(ATTACKS / f"{kind}_{name}.py")
            assert not left, f"{kind}_{name} left workers {left} behind"
            _nothing_left_behind(pytester, name, graded)
    finally:
        if listener is not None:
            listener.close()
    assert scores["attack"] == scores["twin"], scores
    if name == "results_file":
        pid_file = pytester.path / "results" / "gradescope.json.daemon-pid"
        if sandboxed(graded.gradescope):
            # The grader's folders are not in the sandbox's view: the attack finds nothing.
            assert not pid_file.exists()
        else:
            assert pid_file.is_file(), "the attack did not run, so it proves nothing"
            pid = int(pid_file.read_text())
            assert not _alive(pid), f"the submission's daemon {pid} outlived the run"


#: Attacks that only the operating-system sandbox stops, and whether they need the worker to
#: run as the grader's own user (which process isolation does where Python is not readable
#: by an unprivileged uid, or the grader is not root).
WIN_WITHOUT_THE_OS_SANDBOX = {
    "copy_reference": False,
    "fill_disk": False,
    "many_processes": True,
    "poison_kit": True,
    "read_grader": True,
    "terminal": True,
}


@pytest.mark.parametrize("name", sorted(WIN_WITHOUT_THE_OS_SANDBOX))
def test_attack_wins_under_process_isolation_alone(pytester, name: str) -> None:
    """The attacks the OS sandbox stops are real: with --sandbox=process they gain points."""
    options = SELECTION.get(name, (*LIMITS, "-m", "activations"))
    scores, isolation = {}, ""
    for kind in ("twin", "attack"):
        graded = grade(
            pytester,
            ATTACKS / f"{kind}_{name}.py",
            *options,
            "--sandbox=process",
            in_process=False,
            profile=None,
        )
        scores[kind] = graded.score
        isolation = graded.gradescope["extra_data"]["isolation"]
        for marker in glob.glob(
            str(ROOT / "conformance" / "**" / "bp_attack_marker"), recursive=True
        ):
            os.remove(marker)
        for path in glob.glob("/tmp/**/bp-fill-*", recursive=True):
            os.remove(path)
    assert isolation.startswith("process"), isolation
    if WIN_WITHOUT_THE_OS_SANDBOX[name] and "grader's user" not in isolation:
        pytest.skip(f"the worker ran as a uid of its own, which stops {name} too: {isolation}")
    assert scores["attack"] > scores["twin"], scores


def _listen() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", LISTEN_PORT))
    server.listen()
    return server


def _nothing_left_behind(pytester, name: str, graded) -> None:
    """What an attack may have left outside its sandbox: files in the kit, in the temp
    folders, a fake line in the grader's output, a results file rewritten after the run."""
    markers = glob.glob(str(ROOT / "conformance" / "**" / "bp_attack_marker"), recursive=True)
    for marker in markers:
        os.remove(marker)
    assert not markers, f"{name}: the submission wrote into the kit: {markers}"
    filled = glob.glob("/tmp/**/bp-fill-*", recursive=True)
    filled += glob.glob(str(pytester.path / "**" / "bp-fill-*"), recursive=True)
    for path in filled:
        os.remove(path)
    assert not filled, f"{name}: the submission's files outlived the run: {filled[:3]}"
    output = graded.result.stdout.str() + graded.result.stderr.str()
    assert FAKE_SCORE_LINE not in output, f"{name}: the submission wrote into the grader's output"
    results = pytester.path / "results" / "gradescope.json"
    before = results.read_text()
    time.sleep(0.5)
    assert results.read_text() == before, f"{name}: the results file changed after the run"
    assert json.loads(before)["score"] == graded.score


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(os.geteuid() != 0, reason="a uid of its own needs a root grader")
def test_killing_a_uid_leaves_none_of_its_processes() -> None:
    """Process isolation's teardown: every process of the worker's uid, in whatever session
    or process group, however it forked, is gone."""
    import subprocess

    from conformance.sandbox.isolation import _live_of, kill_uid
    from conformance.sandbox.namespaces import dedicated_uid

    uid = dedicated_uid()
    script = "sleep 60 & setsid sleep 60 & (sleep 60 &) ; sleep 60"
    shell = subprocess.Popen(["sh", "-c", script], user=uid, group=uid, extra_groups=[])
    deadline = time.monotonic() + 10
    while sum(_live_of(p, uid) for p in os.listdir("/proc") if p.isdigit()) < 5:
        assert time.monotonic() < deadline, "the processes did not start"
        time.sleep(0.01)
    kill_uid(uid)
    shell.wait(timeout=10)
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _live_of(p, uid)]
