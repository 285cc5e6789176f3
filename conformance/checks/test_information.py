"""Information measures in nats: entropy, cross_entropy, kl_divergence (1-D distributions)
and binary_entropy (elementwise), with 0·log 0 = 0; and the tutorial's entropy connection.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import fixtures
from conformance.core import notes
from conformance.core.implementation import impl as bp
from conformance.helpers import guards
from conformance.helpers import hypothesis_helpers as hh
from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import (
    ELEMENTWISE_ATOL,
    ELEMENTWISE_RTOL,
    INFO_ATOL,
    INFO_RTOL,
    central_difference,
)

pytestmark = pytest.mark.information

HINT_ZERO = "use 0·log 0 = 0: drop the zero entries of p (or scipy.special.xlogy), don't clip"
HINT_NATS = "use the natural log (np.log), not log2: the contract is in nats"
GUARD_WHY = f"a guard of log (clip or + ε ≤ {guards.GUARD:g})"


def measure(name: str, *args: np.ndarray) -> float:
    """bp.<name>(*args) on copies, as a float."""
    __tracebackhide__ = True
    names = ["p", "q"][: len(args)]
    call = f"{name}({', '.join(names)})"
    got = getattr(bp, name)(*(hh.copy_of(a) for a in args))
    return ph.as_float(call, got, call=call, inputs=dict(zip(names, args)))


def close(
    what: str,
    got: float,
    expected: float,
    inputs: dict,
    call: str,
    hint: str | None = None,
    *,
    allowance: float,
    function: str | None = None,
) -> None:
    """got ≈ expected, accepting ``allowance`` more for a guard of log; a pass that needed it
    records the guard note against ``function`` (a combined check names none)."""
    __tracebackhide__ = True
    guarded = ph.assert_close(
        what,
        got,
        expected,
        rtol=INFO_RTOL,
        atol=INFO_ATOL,
        call=call,
        inputs=inputs,
        hint=hint,
        allowance=allowance,
        allowance_why=GUARD_WHY,
    )
    if guarded and function is not None:
        notes.note(function, guards.NOTE)


def _guard(name: str, *args: np.ndarray) -> dict:
    """close()'s allowance and function for bp.<name>(*args)."""
    return {"allowance": getattr(guards, name)(*args), "function": name}


@pytest.mark.parametrize(
    "row", fixtures.golden()["information"], ids=lambda r: f"p={r['p']},q={r['q']}"
)
@pytest.mark.parametrize("name", ["entropy", "cross_entropy", "kl_divergence"])
def test_matches_exact_values(name: str, row: dict) -> None:
    """The tutorial's examples and more, against mpmath; one-hot p included."""
    p, q = np.array(row["p"]), np.array(row["q"])
    args = (p,) if name == "entropy" else (p, q)
    call = f"{name}({'p' if name == 'entropy' else 'p, q'})"
    hint = HINT_ZERO if (p == 0).any() else HINT_NATS
    allowance = getattr(guards, name)(*args)
    got = measure(name, *args)
    close(call, got, row[name], {"p": p, "q": q}, call, hint, allowance=allowance, function=name)


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_entropy_of_one_hot_is_zero(n: int) -> None:
    p = np.eye(n)[0]
    got = measure("entropy", p)
    close("entropy(p)", got, 0.0, {"p": p}, "entropy(p)", HINT_ZERO, **_guard("entropy", p))


@pytest.mark.parametrize("n", [2, 3, 10])
def test_entropy_of_uniform_is_log_n_nats(n: int) -> None:
    """H(uniform over n) = ln n, not log2 n."""
    p = np.full(n, 1.0 / n)
    got = measure("entropy", p)
    expected = float(np.log(n))
    close("entropy(p)", got, expected, {"p": p}, "entropy(p)", HINT_NATS, **_guard("entropy", p))


@given(p=hh.distributions(), data=st.data())
def test_cross_entropy_is_entropy_plus_kl(p: np.ndarray, data: st.DataObject) -> None:
    """H(p, q) = H(p) + D_KL(p ‖ q), for p with zero entries too."""
    q = data.draw(hh.distributions(len(p), zeros=False), label="q")
    ce = measure("cross_entropy", p, q)
    h, kl = measure("entropy", p), measure("kl_divergence", p, q)
    close(
        "cross_entropy(p, q)",
        ce,
        h + kl,
        {"p": p, "q": q},
        "cross_entropy(p, q)  # vs entropy(p) + kl_divergence(p, q)",
        HINT_ZERO,
        allowance=guards.cross_entropy(p, q) + guards.entropy(p) + guards.kl_divergence(p, q),
    )


@given(p=hh.distributions(), data=st.data())
def test_gibbs_inequality(p: np.ndarray, data: st.DataObject) -> None:
    """D_KL(p ‖ q) ≥ 0, and D_KL(p ‖ p) = 0."""
    q = data.draw(hh.distributions(len(p), zeros=False), label="q")
    kl = measure("kl_divergence", p, q)
    if kl < -INFO_ATOL - guards.kl_divergence(p, q):
        ph.fail(
            f"kl_divergence(p, q)={kl!r}, but should be ≥ 0 (Gibbs' inequality)",
            call="kl_divergence(p, q)",
            inputs={"p": p, "q": q},
            hint="D_KL(p ‖ q) = Σ p log(p / q): p first, q second",
        )
    close(
        "kl_divergence(p, p)",
        measure("kl_divergence", p, p),
        0.0,
        {"p": p},
        "kl_divergence(p, p)",
        HINT_ZERO,
        **_guard("kl_divergence", p, p),
    )


@given(p=hh.distributions(zeros=False), data=st.data())
def test_kl_is_zero_only_for_equal_distributions(p: np.ndarray, data: st.DataObject) -> None:
    """D_KL(p ‖ q) > 0 when q ≠ p: a perturbation of p that keeps it a distribution."""
    if len(p) < 2:
        return
    t = data.draw(st.floats(0.05, 0.5), label="t")
    q = np.roll(p, 1) * t + p * (1 - t)
    expected = float(np.sum(p * np.log(p / q)))
    if expected < 1e-9:
        return  # q ≈ p (p nearly uniform): nothing to tell
    close(
        "kl_divergence(p, q)",
        measure("kl_divergence", p, q),
        expected,
        {"p": p, "q": q},
        "kl_divergence(p, q)",
        "D_KL(p ‖ q) = Σ p log(p / q): p first, q second",
        **_guard("kl_divergence", p, q),
    )


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """bp.binary_entropy(p) on a copy, checked for type, shape and dtype."""
    __tracebackhide__ = True
    got = bp.binary_entropy(hh.copy_of(p))
    return ph.as_array(
        "binary_entropy(p)", got, shape=p.shape, call="binary_entropy(p)", inputs={"p": p}
    )


def test_binary_entropy_matches_exact_values() -> None:
    golden = fixtures.golden()["binary_entropy"]
    p, expected = np.array(golden["p"]), np.array(golden["binary_entropy"])
    got = binary_entropy(p)
    guarded = ph.assert_close(
        "binary_entropy(p)",
        got,
        expected,
        rtol=ELEMENTWISE_RTOL,
        atol=INFO_ATOL,
        call="binary_entropy(p)",
        inputs={"p": p},
        hint=HINT_ZERO,
        allowance=guards.binary_entropy(p),
        allowance_why=GUARD_WHY,
    )
    if guarded:
        notes.note("binary_entropy", guards.NOTE)


@given(p=hh.arrays(st.integers(0, 2**20).map(lambda k: k / 2**20), hh.shapes))
def test_binary_entropy_is_elementwise_symmetric_and_bounded(p: np.ndarray) -> None:
    """H(p) = H(1 − p) ∈ [0, ln 2] for any shape; the input is left unchanged.

    p = k / 2^20, so that 1 − p is exact and both sides see the same pair of numbers."""
    before = p.copy()
    got = ph.as_array(
        "binary_entropy(p)",
        bp.binary_entropy(p),
        shape=p.shape,
        call="binary_entropy(p)",
        inputs={"p": before},
    )
    ph.assert_unchanged("p", before, p, call="binary_entropy(p)", inputs={"p": before})
    mirrored = ph.as_array("binary_entropy(1 - p)", bp.binary_entropy(1 - before), shape=p.shape)
    # A guard acts on p and on 1 − p differently (1 − (1 − ε) is not ε in floating point).
    allowance = guards.binary_entropy(before) + guards.binary_entropy(1 - before)
    ph.assert_close(
        "binary_entropy(p)",
        got,
        mirrored,
        rtol=1e-9,
        atol=1e-15,
        call="binary_entropy(p)  # vs binary_entropy(1 - p)",
        inputs={"p": before},
        allowance=allowance,
        allowance_why=GUARD_WHY,
    )
    slack = INFO_ATOL + guards.binary_entropy(before)
    with np.errstate(invalid="ignore"):
        outside = ~((got >= -slack) & (got <= np.log(2) + slack))
    if outside.any():
        i = tuple(int(k) for k in np.argwhere(outside)[0])
        ph.fail(
            f"binary_entropy(p){list(i)}={ph.fmt(got[i])} for p={ph.fmt(before[i])}, but "
            "should be in [0, ln 2]",
            call="binary_entropy(p)",
            inputs={"p": before},
            hint=HINT_ZERO,
        )


def test_binary_entropy_peaks_at_ln2_at_one_half() -> None:
    p = np.linspace(0, 1, 101)
    got = binary_entropy(p)
    ph.assert_close(
        "max binary_entropy(p)",
        got.max(),
        np.log(2),
        rtol=1e-12,
        atol=0,
        call="binary_entropy(p)",
        inputs={"p": p},
        hint=HINT_NATS,
        allowance=float(guards.binary_entropy(np.array(0.5))),
        allowance_why=GUARD_WHY,
    )
    ph.assert_close(
        "argmax binary_entropy(p)",
        p[int(np.argmax(got))],
        0.5,
        rtol=0,
        atol=0,
        call="binary_entropy(p)",
        inputs={"p": p},
    )


def test_entropy_connection_sigmoid_gradient_peaks_where_entropy_peaks() -> None:
    """σ'(z) = σ(z)(1 − σ(z)) peaks at z = 0, where H(σ(z)) peaks at ln 2 (tutorial, part 6)."""
    z = np.linspace(-6, 6, 121)
    s = ph.as_array("sigmoid(z)", bp.sigmoid(z.copy()), shape=z.shape)
    ds = ph.as_array("sigmoid_derivative(z)", bp.sigmoid_derivative(z.copy()), shape=z.shape)
    h = ph.as_array("binary_entropy(sigmoid(z))", bp.binary_entropy(s.copy()), shape=z.shape)
    ph.assert_close(
        "sigmoid_derivative(z)",
        ds,
        s * (1 - s),
        rtol=1e-9,
        atol=ELEMENTWISE_ATOL,
        call="sigmoid_derivative(z)  # vs s * (1 - s), s = sigmoid(z)",
        inputs={"z": z},
    )
    for what, values in (("sigmoid_derivative(z)", ds), ("binary_entropy(sigmoid(z))", h)):
        ph.assert_close(
            f"argmax {what}",
            z[int(np.argmax(values))],
            0.0,
            rtol=0,
            atol=1e-12,
            call=what,
            inputs={"z": z},
        )
    ph.assert_close(
        "binary_entropy(sigmoid(0))",
        h[60],
        np.log(2),
        rtol=1e-12,
        atol=0,
        call="binary_entropy(sigmoid(z))",
        inputs={"z": z},
        hint=HINT_NATS,
        allowance=float(guards.binary_entropy(np.array(0.5))),
        allowance_why=GUARD_WHY,
    )


@given(data=st.data())
def test_softmax_cross_entropy_gradient_is_y_pred_minus_y_true(data: st.DataObject) -> None:
    """∂/∂z cross_entropy(y, softmax(z)) = softmax(z) − y, by the kit's central differences."""
    n = data.draw(st.integers(2, hh.MAX_CLASSES), label="n_classes")
    z = np.array(data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n), label="z"))
    y = np.eye(n)[data.draw(st.integers(0, n - 1), label="label")]

    def loss(logits: np.ndarray) -> float:
        return ph.as_float("cross_entropy(y, softmax(z))", bp.cross_entropy(y, bp.softmax(logits)))

    # Step 1e-6 on logits in [−3, 3]: error ≈ 1e-10 + ε·|L|/h ≈ 1e-9; tolerance 1e-7. A guard
    # −log(q + ε) scales the gradient by q/(q + ε): it moves each entry by ≤ ε/q of the label's
    # q ≥ e⁻³/(e⁻³ + (n − 1)e³) ≈ 3e-4, i.e. ≤ 4e-7, allowed on top.
    numeric = central_difference(loss, z, 1e-6)
    y_pred = ph.as_array("softmax(z)", bp.softmax(z.copy()), shape=z.shape)
    label_q = float(np.exp(z[int(np.argmax(y))]) / np.exp(z).sum())
    ph.assert_close(
        "∂ cross_entropy(y, softmax(z)) / ∂z",
        numeric,
        y_pred - y,
        rtol=0,
        atol=1e-7,
        allowance=guards.GUARD / label_q,
        allowance_why=GUARD_WHY,
        call="cross_entropy(y, softmax(z))",
        inputs={"y": y, "z": z},
        hint="the softmax + cross-entropy gradient w.r.t. the logits is y_pred − y_true",
    )
