"""The kit's own data: the golden values regenerate exactly, and the XOR starting points are
ones the reference learns from robustly."""

import json

import numpy as np
import pytest

import reference
from conformance import fixtures


def test_golden_values_regenerate_exactly(tmp_path) -> None:
    pytest.importorskip("mpmath", reason="mpmath regenerates the golden values (the dev extra)")
    import make_golden

    make_golden.main(tmp_path / "golden.json")
    written = json.loads((tmp_path / "golden.json").read_text())
    assert written == fixtures.golden()


@pytest.mark.parametrize("seed", fixtures.XOR_START_SEEDS)
@pytest.mark.parametrize("nudge", [0.0, 1e-9, -1e-9])
def test_xor_start_is_learned_robustly_by_the_reference(seed: int, nudge: float) -> None:
    weights, biases = fixtures.xor_start(seed)
    net = reference.NeuralNetwork(fixtures.XOR_LAYERS)
    net.weights = [W + nudge for W in weights]
    net.biases = [b.copy() for b in biases]
    nearest_kink = np.inf
    for _ in range(fixtures.XOR_STEPS):
        loss = net.train_step(fixtures.XOR_X, fixtures.XOR_Y, fixtures.XOR_LR)
        nearest_kink = min(nearest_kink, float(np.min(np.abs(net.z_values[0]))))
    assert np.array_equal(net.predict(fixtures.XOR_X), [0, 1, 1, 0])
    assert loss < 5e-4 <= fixtures.XOR_LOSS_CONVERGED / 2
    # Off ReLU's kink all the way: relu'(0) = 1 cannot change a step, and rounding differences
    # (≈ 1e-15) cannot flip a pre-activation's side.
    assert nearest_kink > (1e-8 if nudge == 0 else 1e-9), nearest_kink
