"""Assertion helpers that own the failure message (imported as ``ph``).

Every failure says what was checked, ``<what>=<got>, but should be <expected> [<call>]``, the
worst index with its absolute and relative error and the tolerance, and ends with a
copy-pasteable reproduction attached as an exception note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from conformance.conventions import ROWS, display
from conformance.core.implementation import impl

#: Arrays up to this many entries are printed in full; larger ones by shape and a summary.
MAX_PRINTED = 64


def fmt(x: Any) -> str:
    """A repr that pastes back into Python: ``np.array([...])`` at full float64 precision."""
    if isinstance(x, np.ndarray):
        if x.size <= MAX_PRINTED:
            body = np.array2string(
                x, separator=", ", precision=17, floatmode="unique", threshold=MAX_PRINTED + 1
            )
            body = body.replace("inf", "np.inf").replace("nan", "np.nan")
            return (
                f"np.array({body})"
                if x.dtype == np.float64
                else f"np.array({body}, dtype=np.{x.dtype})"
            )
        return f"<array shape={x.shape} dtype={x.dtype} min={np.min(x):.6g} max={np.max(x):.6g}>"
    if isinstance(x, float | np.floating):
        return repr(float(x))
    return repr(x)


def told(call: str | None) -> bool:
    """Whether a failure of ``call`` is told in the implementation's own conventions
    (conformance.conventions.display)."""
    return not impl.conventions.contract and display.carries(call)


def in_rows(call: str | None) -> bool:
    """Whether a failure of ``call`` is told in the row layout."""
    return impl.layout == ROWS and display.carries(call)


def snippet(call: str, inputs: Mapping[str, Any]) -> str:
    """Lines that paste into Python as they are and re-run the failing call."""
    lines = ["reproduce:", "import numpy as np", impl.import_line]
    conv = impl.conventions
    if not conv.contract and "sg." in call:  # the kit's helpers build the contract's cases
        lines.append(
            "from conformance.conventions.adapter import contract_view; bp = contract_view(bp, "
            f"layout={conv.layout!r}, labels={conv.labels!r}, output={conv.output!r})  "
            "# the kit's view of the module in the contract's terms"
        )
    elif told(call):
        inputs = display.inputs(conv, inputs, getattr(impl.module, "flat_biases", ()))
    lines += [f"{k} = {fmt(v)}" for k, v in inputs.items()]
    lines.append(call if "bp." in call else f"bp.{call}")
    return "\n".join(lines)


def fail(
    message: str,
    *,
    call: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    hint: str | None = None,
) -> None:
    """Raise AssertionError with the message, a hint and the reproduction as notes."""
    __tracebackhide__ = True
    if told(call):
        conv = impl.conventions
        message, hint = display.text(conv, message), hint and display.text(conv, hint)
    err = AssertionError(message)
    # What the diagnosis reads: the call names the function judged (conformance.diagnosis).
    err.conformance_call = call  # type: ignore[attr-defined]
    if hint:
        err.add_note(f"hint: {hint}")
    if call is not None:
        err.add_note(snippet(call, inputs or {}))
    raise err


def as_array(
    what: str,
    got: Any,
    *,
    shape: tuple[int, ...] | None = None,
    call: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    hint: str | None = None,
) -> np.ndarray:
    """Check that ``got`` is a float64 ndarray (of ``shape``) and return it as a plain ndarray.

    ``hint`` replaces the generic one of a wrong shape (a caller that knows the layout)."""
    __tracebackhide__ = True
    if shape == () and isinstance(got, float | np.floating):
        got = np.asarray(got)  # NumPy's ufuncs return a scalar for a 0-d array
    if not isinstance(got, np.ndarray):
        fail(
            f"type({what})={type(got).__name__}, but should be numpy.ndarray",
            call=call,
            inputs=inputs,
            hint="return np.ndarray results (convert with np.asarray)",
        )
    if shape is not None and got.shape != shape:
        rows = in_rows(call) and len(shape) >= 2
        fail(
            f"{what}.shape={display.shape(got.shape) if rows else got.shape}, but should be "
            f"{display.shape(shape) if rows else shape}",
            call=call,
            inputs=inputs,
            hint=hint or "keep the input's shape; batches are (n_features, n_samples)",
        )
    if got.dtype != np.float64:
        fail(f"{what}.dtype={got.dtype}, but should be float64", call=call, inputs=inputs)
    return np.asarray(got).view(np.ndarray)


def as_float(
    what: str, got: Any, *, call: str | None = None, inputs: Mapping[str, Any] | None = None
) -> float:
    """Check that ``got`` is one real number (float, numpy scalar or 0-d array)."""
    __tracebackhide__ = True
    if isinstance(got, bool) or not isinstance(
        got, int | float | np.integer | np.floating | np.ndarray
    ):
        fail(f"type({what})={type(got).__name__}, but should be float", call=call, inputs=inputs)
    if isinstance(got, np.ndarray) and got.size != 1:
        fail(
            f"{what}.shape={got.shape}, but should be a single number",
            call=call,
            inputs=inputs,
            hint="sum over every entry; return a float, not an array",
        )
    return float(np.asarray(got).reshape(()))


def assert_close(
    what: str,
    got: Any,
    expected: Any,
    *,
    rtol: float,
    atol: float,
    call: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    hint: str | None = None,
    allowance: Any = 0.0,
    allowance_why: str = "",
) -> bool:
    """|got − expected| ≤ atol + rtol·|expected| (+ ``allowance``, scalar or entrywise, for a
    known legitimate departure such as a guard of log, named by ``allowance_why``);
    NaN or ±inf in ``got`` always fails. Returns whether the allowance was needed.

    ``expected`` must be finite. The check is vectorised; the diagnosis runs only on failure.
    """
    __tracebackhide__ = True
    got_a = np.asarray(got, dtype=np.float64)
    exp_a = np.asarray(expected, dtype=np.float64)
    if in_rows(call) and exp_a.ndim >= 2:  # told as the implementation holds them
        got_a, exp_a = display.array(got_a), display.array(exp_a)
        allowance = display.array(
            np.broadcast_to(np.asarray(allowance, dtype=np.float64), exp_a.shape[::-1])
        )
    if got_a.shape != exp_a.shape:
        fail(
            f"{what}.shape={got_a.shape}, but should be {exp_a.shape}",
            call=call,
            inputs=inputs,
            hint=hint,
        )
    extra = np.broadcast_to(np.asarray(allowance, dtype=np.float64), exp_a.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(got_a - exp_a)
        base = atol + rtol * np.abs(exp_a)
        bad = ~(err <= base + extra)  # NaN compares False, so it is bad
    if not bad.any():
        return bool(extra.any()) and not bool((err <= base).all())
    worst = _worst_index(err, bad)
    index = "" if got_a.ndim == 0 else f"[{', '.join(map(str, worst))}]"
    g, e = got_a[worst], exp_a[worst]
    rel = err[worst] / abs(e) if e != 0 else np.inf
    tolerance = f"{atol:g} + {rtol:g}·|expected|"
    if extra[worst] > 0:
        tolerance += f" + {extra[worst]:.3g} for {allowance_why or 'an accepted departure'}"
    message = (
        f"{what}{index}={fmt(g)}, but should be {fmt(e)} "
        f"(abs err {err[worst]:.3g}, rel err {rel:.3g}; tolerance {tolerance})"
    )
    if got_a.ndim and bad.sum() > 1:
        message += f"; {int(bad.sum())} of {bad.size} entries are off"
    if got_a.ndim and got_a.size <= MAX_PRINTED:
        message += f"\n  got      {fmt(got_a)}\n  expected {fmt(exp_a)}"
    fail(message, call=call, inputs=inputs, hint=hint)
    return False  # unreachable: fail raises


def _worst_index(err: np.ndarray, bad: np.ndarray) -> tuple[int, ...]:
    nonfinite = bad & ~np.isfinite(err)
    pool = nonfinite if nonfinite.any() else bad
    scored = np.where(pool, np.nan_to_num(err, nan=np.inf, posinf=np.inf), -1.0)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(scored)), err.shape))


def assert_unchanged(
    what: str,
    before: np.ndarray,
    after: Any,
    *,
    call: str | None = None,
    inputs: Mapping[str, Any] | None = None,
    hint: str = "work on a copy (x.copy()) or build a new array instead of writing into the input",
) -> None:
    """The caller's array must come back bit-for-bit as it was passed in."""
    __tracebackhide__ = True
    if not np.array_equal(before, np.asarray(after), equal_nan=True):
        fail(
            f"{what} was modified in place: it is now {fmt(np.asarray(after))}, "
            f"but should still be {fmt(before)}",
            call=call,
            inputs=inputs,
            hint=hint,
        )
