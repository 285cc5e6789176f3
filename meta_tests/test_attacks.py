"""Every attack on grading mode earns exactly what its honest twin earns (see attacks/README.md),
the grader finishes within its limits, its results files are valid, and no process of the
submission outlives the run. Graded in a subprocess, as an autograder would run it: the
attacks look for the grader's command line."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest
from grading_helpers import grade, sandboxed, worker_processes

from conftest import IMPLS, ROOT

ATTACKS = Path(__file__).resolve().parent / "attacks"
PAIRS = sorted(p.stem.removeprefix("attack_") for p in ATTACKS.glob("attack_*.py"))
#: Short limits keep the hanging and hoarding attacks quick.
LIMITS = ("--call-timeout=2", "--worker-memory=1024", "--allow-import=reference")
#: The checks each pair is graded on (default: the activations area) and its own options.
SELECTION = {
    # Its walk of the sandbox's file system at import can take seconds on a loaded machine.
    "copy_reference": ("--call-timeout=30", "--worker-memory=1024", "-m", "activations"),
    "hide_signature": (*LIMITS, "-m", "contract"),
    "slow_where_wrong": (*LIMITS, "-m", "gradients", "-k", "large_network"),
    "undo_forbid": (*LIMITS, "--forbid=torch", "-m", "activations"),
    # A child interpreter importing torch takes seconds at import.
    "forbidden_in_child": ("--call-timeout=60", *LIMITS[1:], "--forbid=torch", "-m", "activations"),
    # 2 GiB of output at import: the drain takes seconds on a loaded machine.
    "print_flood": ("--call-timeout=30", *LIMITS[1:], "-m", "activations"),
    # Up to 500 MiB written at import (to disk under process isolation): seconds on a loaded
    # machine, and a 2 s import budget would stop the attack before it could win or lose.
    "fill_disk": ("--call-timeout=30", *LIMITS[1:], "-m", "activations"),
}
#: The grader's own bound on a run of one area under those limits.
WALL_LIMIT_S = 240
#: The port the network attack tries to reach on the grader's loopback.
LISTEN_PORT = 47113
FAKE_SCORE_LINE = "bp-terminal-attack"
#: Attacks that only the operating-system sandbox stops, and whether they need the worker to
#: run as the grader's own user (which process isolation does where Python is not readable
#: by an unprivileged uid, or the grader is not root).
WIN_WITHOUT_THE_OS_SANDBOX = {
    "copy_reference": False,
    "fill_disk": False,
    "forbidden_in_child": False,
    "many_processes": True,
    "network": False,
    "poison_kit": True,
    "read_grader": True,
    "terminal": True,
}
#: The hopper also wins there as the grader's user (no sweep of /proc catches it), but is not
#: let loose without the sandbox: it would rewrite the results files of every run it can see
#: on this machine, other tests' included.
NEEDS_THE_OS_SANDBOX = {*WIN_WITHOUT_THE_OS_SANDBOX, "hopper"}
#: Going around the import guard is seen by process isolation too, and scores 0.
PENALISED_WITHOUT_THE_OS_SANDBOX = {"undo_forbid"}


def test_every_attack_has_a_twin() -> None:
    assert len(PAIRS) >= 10
    for name in PAIRS:
        assert (ATTACKS / f"twin_{name}.py").is_file(), name


@pytest.mark.parametrize("sandbox", ["auto", "process"])
@pytest.mark.parametrize("name", PAIRS)
def test_attack_earns_exactly_what_its_twin_earns(pytester, name: str, sandbox: str) -> None:
    """Under the OS sandbox (``auto``), every attack; under process isolation alone, those it
    stops too (the others are shown to win there, below)."""
    if sandbox == "process" and name in NEEDS_THE_OS_SANDBOX:
        pytest.skip(f"{name} needs the OS sandbox (bubblewrap namespaces) to be stopped")
    scores = {}
    listener = _listen() if name == "network" else None
    try:
        for kind in ("twin", "attack"):
            start = time.monotonic()
            submission = _own_copy(pytester, kind, name)
            graded = grade(
                pytester,
                submission,
                *SELECTION.get(name, (*LIMITS, "-m", "activations")),
                f"--sandbox={sandbox}",
                in_process=False,
                profile=None,
            )
            elapsed = time.monotonic() - start
            assert elapsed < WALL_LIMIT_S, f"{kind}_{name}: the grader took {elapsed:.0f} s"
            assert graded.result.ret in (
                pytest.ExitCode.OK,  # an attack scored 0 for what it did, its checks passed
                pytest.ExitCode.TESTS_FAILED,
                pytest.ExitCode.USAGE_ERROR,
            )
            scores[kind] = (graded.score, graded.prairielearn["score"], len(graded.failed()))
            left = worker_processes(submission)
            assert not left, f"{kind}_{name} left workers {left} behind"
            _nothing_left_behind(pytester, name, graded)
    finally:
        if listener is not None:
            listener.close()
    if sandbox == "process" and name in PENALISED_WITHOUT_THE_OS_SANDBOX:
        assert scores["attack"][:2] == (0, 0) < scores["twin"][:2], scores
    else:
        assert scores["attack"] == scores["twin"], scores
    in_sandbox = sandbox == "auto" and sandboxed(graded.gradescope)
    if name == "results_file":
        pid_file = pytester.path / "results" / "gradescope.json.daemon-pid"
        if in_sandbox:
            # The grader's folders are not in the sandbox's view: the attack finds nothing.
            assert not pid_file.exists()
        else:
            assert pid_file.is_file(), "the attack did not run, so it proves nothing"
            pid = int(pid_file.read_text())
            assert not _alive(pid), f"the submission's daemon {pid} outlived the run"
    if name == "immutable_results":
        locked = pytester.path / "results" / "gradescope.json.locked"
        if not in_sandbox and "grader's user" in _isolation(graded):
            # A worker running as root could lock the forgery: the grader replaced it anyway.
            assert locked.is_file(), "the attack did not run, so it proves nothing"
        else:
            assert not locked.exists()


@pytest.mark.parametrize("name", sorted(WIN_WITHOUT_THE_OS_SANDBOX))
def test_attack_wins_under_process_isolation_alone(pytester, name: str) -> None:
    """The attacks the OS sandbox stops are real: with --sandbox=process they gain points."""
    options = SELECTION.get(name, (*LIMITS, "-m", "activations"))
    scores, isolation = {}, ""
    listener = _listen() if name == "network" else None
    with _files_outside_a_sandbox(exclusive=True):
        isolation = _graded_twice(pytester, name, options, scores)
    if listener is not None:
        listener.close()
    assert isolation.startswith("process"), isolation
    if WIN_WITHOUT_THE_OS_SANDBOX[name] and "grader's user" not in isolation:
        pytest.skip(f"the worker ran as a uid of its own, which stops {name} too: {isolation}")
    assert scores["attack"] > scores["twin"], scores


def _graded_twice(pytester, name: str, options: tuple[str, ...], scores: dict) -> str:
    """The twin and the attack graded under process isolation alone; what each left in the
    kit and the temp folders is removed. The isolation the grader stated."""
    isolation = ""
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
        for path in glob.glob("/tmp/**/bp-fill-*", recursive=True) + glob.glob("/dev/shm/bp-*"):
            os.remove(path)
    return isolation


@contextlib.contextmanager
def _files_outside_a_sandbox(exclusive: bool):
    """A lock shared by the test processes (pytest-xdist's too): an attack let loose without
    the OS sandbox writes its files where every test looks for leftovers, so those runs hold
    it alone, and a look for leftovers holds it shared (it never sees another test's files)."""
    with open(Path(tempfile.gettempdir()) / "bp-meta-attack-files.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _own_copy(pytester, kind: str, name: str) -> Path:
    """The submission in a folder of this test's own, so that its workers are told apart from
    those of another test grading the same attack at the same time (by their command line)."""
    folder = pytester.path / "submission"
    folder.mkdir(exist_ok=True)
    for source in (ATTACKS / f"{kind}_{name}.py", ATTACKS / "_honest.py", ATTACKS / "_stubs.py"):
        shutil.copy(source, folder / source.name)
    return folder / f"{kind}_{name}.py"


def _isolation(graded) -> str:
    return graded.gradescope["extra_data"]["isolation"]


def _listen() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", LISTEN_PORT))
    server.listen()
    return server


def _nothing_left_behind(pytester, name: str, graded) -> None:
    """What an attack may have left outside its sandbox: files in the kit, in the temp
    folders, a fake line in the grader's output, a results file rewritten after the run."""
    with _files_outside_a_sandbox(exclusive=False):
        markers = glob.glob(str(ROOT / "conformance" / "**" / "bp_attack_marker"), recursive=True)
        for marker in markers:
            os.remove(marker)
        filled = glob.glob("/tmp/**/bp-fill-*", recursive=True) + glob.glob("/dev/shm/bp-fill-*")
        filled += glob.glob(str(pytester.path / "**" / "bp-fill-*"), recursive=True)
        for path in filled:
            os.remove(path)
    assert not markers, f"{name}: the submission wrote into the kit: {markers}"
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


#: A submission's own work with a wrong sigmoid_derivative (self-contained: no kit imports).
WRONG_DERIVATIVE = "\n\ndef sigmoid_derivative(z):\n    return sigmoid(z)\n"
#: ... and, in the attack, the kit's correct one taken through a link, where the link works.
THROUGH_THE_LINK = (
    "\ntry:\n    from helpers import sigmoid_derivative\nexcept ImportError:\n    pass\n"
)


def test_a_link_out_of_the_submission_brings_nothing_in(pytester) -> None:
    """A folder submission holding ``helpers.py``, a link to the kit's reference on the
    grader's disk: the grader copies the folder before the sandbox exists, so the link must
    not be followed. The attack earns what its twin earns, and the student is told why."""
    own = (IMPLS / "correct_loops.py").read_text() + WRONG_DERIVATIVE
    scores, outputs = {}, {}
    for kind in ("twin", "attack"):
        folder = pytester.path / kind
        folder.mkdir()
        (folder / "sub.py").write_text(own + THROUGH_THE_LINK)
        if kind == "attack":
            (folder / "helpers.py").symlink_to(ROOT / "reference" / "functions.py")
        graded = grade(pytester, folder / "sub.py", *LIMITS[:2], "-m", "activations",
                       in_process=False, profile=None)  # fmt: skip
        scores[kind] = graded.score
        outputs[kind] = graded.gradescope["output"]
    assert 0 < scores["attack"] == scores["twin"] < 15, scores
    assert "helpers.py (a link to a file outside the submission's folder)" in outputs["attack"]


def test_an_honest_submission_of_two_files_gets_its_module(pytester) -> None:
    """``sub.py`` imports ``helpers.py`` beside it, and the results files are written into a
    folder inside the submission's: the helper is copied (not only the submission's own
    file), and nothing of the results folder is."""
    (pytester.path / "helpers.py").write_text((IMPLS / "correct_loops.py").read_text())
    (pytester.path / "sub.py").write_text("from helpers import *  # noqa: F403\n")
    graded = grade(pytester, pytester.path / "sub.py", *LIMITS[:2], "-m", "activations",
                   in_process=False, profile=None)  # fmt: skip
    assert graded.score == pytest.approx(15.0), graded.gradescope["output"]
    assert "Not given to your code" not in graded.gradescope["output"]
