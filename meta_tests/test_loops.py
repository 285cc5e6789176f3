"""Loops that run where the submission runs (conformance.sandbox.loops): the same calls in the
worker as in-process, each call with its own time limit, no more progress notes than calls,
and the calls that hung not made again."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from conformance.helpers.numerics import central_difference
from conformance.sandbox.errors import SubmissionDied, SubmissionRaised
from conformance.sandbox.loop_requests import run_loop
from conformance.sandbox.remote import Remote
from conformance.sandbox.settings import Settings

SUBMISSION = """
import functools
import time
import numpy as np

class Net:
    def __init__(self):
        self.calls = []
        self.weights = [np.ones((2, 2))]
        self.biases = [np.zeros((2, 1))]

    def step(self, x, lr):
        x += 1.0  # the same x every call, as a student's loop passes it
        self.calls.append(float(x.sum()))
        if len(self.calls) == FAIL_AT:
            raise ValueError(f"call {len(self.calls)}")
        return float(x.sum() * lr)

    def nap(self, seconds):
        time.sleep(seconds)
        return seconds

    def buffered(self):
        # One array, updated in place: each call's value must be kept as it was.
        self.calls.append(0)
        if not hasattr(self, "loss"):
            self.loss = np.zeros(())
        self.loss[...] = len(self.calls)
        return self.loss

    def no_loss(self):
        self.calls.append(0)
        return None

    def slow_third(self):
        self.calls.append(0)
        if len(self.calls) == 3:
            time.sleep(30)
        return 1.0

    def forward(self, X):
        y = self.weights[0] @ X + self.biases[0]
        return y.tolist() if y[0, 0] > 100 else y  # a list is refused by the grader

    def cross_entropy_loss(self, y, Y):
        return float(np.sum(y * Y))

    def flood_ticks(self):
        import gc
        for o in gc.get_objects():
            if type(o).__name__ == "Channel":
                for _ in range(50):
                    o._last_sent = 0.0
                    o.tick()
        return 0

def hang():
    while True:
        pass

def _returns(value):
    return value

hang_partial = functools.partial(hang)
quick_partial = functools.partial(_returns, 1)

def hang_once(flag):
    if flag:
        while True:
            pass
    return 1

FAIL_AT = 0
"""


def _write(tmp_path: Path, fail_at: int = 0) -> Path:
    path = tmp_path / "loopy.py"
    path.write_text(textwrap.dedent(SUBMISSION).replace("FAIL_AT = 0", f"FAIL_AT = {fail_at}"))
    return path


def _in_process(path: Path):
    spec = importlib.util.spec_from_file_location(f"loopy_{id(path)}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def remote_for():
    started = []

    def start(path: Path, call_timeout: float = 10.0, budget: float | None = None) -> Remote:
        settings = Settings(
            path=str(path),
            module=None,
            sys_path=[str(path.parent)],
            forbid=["conformance", "reference"],
            call_timeout=call_timeout,
            sandbox="process",
            deadline=None if budget is None else time.monotonic() + budget,
            budget="the test's budget",
        )
        remote = Remote(settings)
        started.append(remote)
        remote.start()
        return remote

    yield start
    for remote in started:
        remote.close()


@pytest.mark.parametrize("fail_at", [0, 7])
def test_a_loop_makes_the_same_calls_in_the_worker_as_in_process(
    tmp_path: Path, remote_for, fail_at: int
) -> None:
    path = _write(tmp_path, fail_at)
    here = _in_process(path).Net()
    x_here = np.zeros(3)
    values_here, failure_here = run_loop("repeat", here, "step", (x_here, 0.5), 20, False)
    remote = remote_for(path)
    there = remote._module.Net()
    x_there = np.zeros(3)
    values_there, failure_there = run_loop("repeat", there, "step", (x_there, 0.5), 20, False)
    assert values_there == values_here
    assert len(values_here) == (fail_at - 1 if fail_at else 20)
    assert list(there.calls) == here.calls
    np.testing.assert_array_equal(x_there, x_here)  # the worker's writes reach the grader
    if fail_at:
        assert isinstance(failure_here, ValueError) and str(failure_here) == f"call {fail_at}"
        assert isinstance(failure_there, SubmissionRaised) and isinstance(failure_there, ValueError)
        assert str(failure_there) == f"Net.step raised ValueError: call {fail_at}"
    else:
        assert failure_here is None and failure_there is None


def test_fresh_copies_leave_the_arguments_alone(tmp_path: Path, remote_for) -> None:
    net = remote_for(_write(tmp_path))._module.Net()
    x = np.zeros(3)
    values, failure = run_loop("repeat", net, "step", (x, 1.0), 4, True)
    assert failure is None and values == [3.0] * 4
    np.testing.assert_array_equal(x, np.zeros(3))


def test_losses_at_are_the_loss_at_each_point_and_put_the_parameter_back(
    tmp_path: Path, remote_for
) -> None:
    path = _write(tmp_path)
    X, Y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    here = _in_process(path).Net()

    def loss(W):
        here.weights[0] = W
        return here.cross_entropy_loss(here.forward(X), Y)

    expected = central_difference(loss, np.ones((2, 2)), 1e-3)
    net = remote_for(path)._module.Net()
    from conformance.helpers.numerics import from_stencil, stencil

    points = stencil(np.ones((2, 2)), 1e-3)
    values, failure = run_loop("losses_at", net, "weights", 0, points, X, Y)
    assert failure is None and len(values) == 8
    np.testing.assert_array_equal(from_stencil(values, (2, 2), 1e-3), expected)
    np.testing.assert_array_equal(net.weights[0], np.ones((2, 2)))


def test_losses_of_parameter_sets_match_in_process_and_stop_at_a_refused_output(
    tmp_path: Path, remote_for
) -> None:
    path = _write(tmp_path)
    X, Y = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    theta = ([np.ones((2, 2))], [np.zeros((2, 1))])
    points = [theta, ([np.full((2, 2), 2.0)], theta[1]), ([np.full((2, 2), 50.0)], theta[1])]
    here, failure_here = run_loop("losses_of", _in_process(path).Net(), points, X, Y, (2, 3))
    net = remote_for(path)._module.Net()
    there, failure_there = run_loop("losses_of", net, points, X, Y, (2, 3))
    assert failure_here is None and failure_there is None
    assert [loss for _, loss in there] == [loss for _, loss in here] == [30.0, 60.0, None]
    assert isinstance(there[-1][0], list)  # handed back for the grader to refuse
    np.testing.assert_array_equal(net.weights[0], np.full((2, 2), 50.0))


def test_put_gives_the_network_its_parameters_item_by_item(tmp_path: Path, remote_for) -> None:
    net = remote_for(_write(tmp_path))._module.Net()
    weights = net.weights
    values, failure = run_loop("put", net, [np.eye(2)], [np.ones((2, 1))])
    assert values == [] and failure is None
    np.testing.assert_array_equal(weights[0], np.eye(2))  # the same list, changed in place
    np.testing.assert_array_equal(net.biases[0], np.ones((2, 1)))


def test_each_call_of_a_loop_keeps_its_own_time_limit(tmp_path: Path, remote_for) -> None:
    """Eight calls of 0.3 s pass a 1 s limit together; one call of 5 s is stopped at 1 s."""
    remote = remote_for(_write(tmp_path), call_timeout=1.0)
    net = remote._module.Net()
    values, failure = run_loop("repeat", net, "nap", (0.3,), 8, False)
    assert failure is None and values == [0.3] * 8
    start = time.monotonic()
    with pytest.raises(SubmissionDied, match=r"Net\.nap in a loop did not return "):
        run_loop("repeat", net, "nap", (5.0,), 2, False)
    assert time.monotonic() - start < 4


def test_a_worker_that_sends_more_progress_notes_than_calls_is_stopped(
    tmp_path: Path, remote_for
) -> None:
    remote = remote_for(_write(tmp_path))
    net = remote._module.Net()
    with pytest.raises(SubmissionDied, match="invalid reply"):
        run_loop("repeat", net, "flood_ticks", (), 1, False)
    assert remote.worker.dead


def test_a_call_that_hung_is_not_made_again_unless_it_returned_before(
    tmp_path: Path, remote_for
) -> None:
    remote = remote_for(_write(tmp_path), call_timeout=1.0)
    with pytest.raises(SubmissionDied, match="did not return within 1 s"):
        remote.start().hang()
    start = time.monotonic()
    with pytest.raises(SubmissionDied, match="hang was not called: it did not return within"):
        remote.start().hang()
    assert time.monotonic() - start < 0.9
    assert remote.start().hang_once(False) == 1
    with pytest.raises(SubmissionDied, match="did not return within 1 s"):
        remote.start().hang_once(True)
    # It returned before: a hang on one input does not cost the calls on others.
    assert remote.start().hang_once(False) == 1


@pytest.mark.parametrize("where", ["in-process", "worker"])
def test_each_value_is_kept_as_it_was_returned_and_a_refused_one_ends_the_loop(
    tmp_path: Path, remote_for, where: str
) -> None:
    path = _write(tmp_path)
    net = _in_process(path).Net() if where == "in-process" else remote_for(path)._module.Net()
    values, failure = run_loop("repeat", net, "buffered", (), 4, False)
    assert failure is None and [float(v) for v in values] == [1.0, 2.0, 3.0, 4.0]
    values, failure = run_loop("repeat", net, "no_loss", (), 5000, False)
    assert failure is None and values == [None]  # float(None) fails: no call after it
    assert len(net.calls) == 5


def test_no_loop_runs_past_the_budget_however_often_it_ticks(tmp_path: Path, remote_for) -> None:
    remote = remote_for(_write(tmp_path), call_timeout=2.0, budget=3.0)
    net = remote._module.Net()
    start = time.monotonic()
    with pytest.raises(SubmissionDied, match="the test's budget was spent during"):
        run_loop("repeat", net, "nap", (0.5,), 40, False)
    assert time.monotonic() - start < 6  # 20 s of naps were asked for


def test_a_loop_whose_calls_returned_before_one_hung_leaves_the_method_callable(
    tmp_path: Path, remote_for
) -> None:
    remote = remote_for(_write(tmp_path), call_timeout=1.0)
    with pytest.raises(SubmissionDied, match="did not return within 1 s"):
        run_loop("repeat", remote.start().Net(), "slow_third", (), 5, False)
    assert remote.start().Net().slow_third() == 1.0


def test_callables_of_one_type_are_told_apart_by_their_names(tmp_path: Path, remote_for) -> None:
    """Two functools.partial objects share a type name: one hanging leaves the other alone."""
    remote = remote_for(_write(tmp_path), call_timeout=1.0)
    with pytest.raises(SubmissionDied, match="did not return within 1 s"):
        remote.start().hang_partial()
    assert remote.start().quick_partial() == 1


def test_the_loops_import_only_the_standard_library_and_numpy() -> None:
    """So that the worker, which cannot import the kit, can load them by their path."""
    import ast

    import conformance.sandbox.loops as loops

    imported = set()
    for node in ast.walk(ast.parse(Path(loops.__file__).read_text())):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"numpy"}, imported
