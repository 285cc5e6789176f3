"""How far a guard of log may move an information measure: the allowance the checks grant.

Code that takes log of a probability often guards it against log 0: the tutorial clips,
``np.log(np.clip(p, 1e-10, 1))``, others add, ``np.log(p + 1e-10)``. The contract asks for the
exact values (0·log 0 = 0), but a guard of at most GUARD changes them by an amount that is
known for each input, so the checks accept exactly that much more and say so in a note; a
guard large enough to matter (1e-6 moves H(one-hot) by 1.4e-5) still fails.

Every measure is a sum of terms w·log a (entropy: p·log p; cross-entropy: p·log q). A guard
replaces w, a or both by one of ``GUARDED`` forms of them: the allowance of a term is the
largest change any combination makes, and a measure's allowance is the sum over its terms.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The largest guard of log the contract accepts (the tutorial's, in its loss and its
#: information measures).
GUARD = 1e-10


def guarded_forms(guard: float = GUARD) -> tuple[Callable[[np.ndarray], np.ndarray], ...]:
    """What a guard of ``guard`` makes of a probability x: itself, clipped from below,
    clipped into [guard, 1 − guard] (the tutorial's binary_entropy), or shifted by guard."""
    return (
        lambda x: x,
        lambda x: np.maximum(x, guard),
        lambda x: np.clip(x, guard, 1 - guard),
        lambda x: x + guard,
    )


GUARDED = guarded_forms()


def _xlogy(w: np.ndarray, a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w == 0, 0.0, w * np.log(np.where(w == 0, 1.0, a)))


def term_allowance(w: np.ndarray, a: np.ndarray, *, same: bool, guard: float = GUARD) -> np.ndarray:
    """Entrywise: the largest |w'·log a' − w·log a| over the guarded forms a' of a, with w
    unguarded or guarded too (code that clips its inputs clips both; none guards only the
    weight). ``same``: w and a are one variable (p·log p), guarded alike. ``guard``: a larger
    one a course template declares (LOSS_CLIP), for its loss.

    A guarded form whose term is not finite is no guard at all (the check then fails on the
    value itself), and neither is a term whose exact value is infinite (w > 0, a = 0: no
    allowance makes it checkable, and the checks never expect one)."""
    w, a = np.asarray(w, dtype=np.float64), np.asarray(a, dtype=np.float64)
    exact = _xlogy(w, a)
    forms = GUARDED if guard == GUARD else guarded_forms(guard)
    if same:
        pairs = [(g, g) for g in forms] + [(forms[0], g) for g in forms]
    else:
        pairs = [(gw, ga) for gw in forms for ga in forms if ga is not forms[0]]
        pairs += [(forms[0], forms[0])]
    worst = np.zeros(np.broadcast(w, a).shape)
    with np.errstate(invalid="ignore", over="ignore"):
        for guard_w, guard_a in pairs:
            change = np.abs(_xlogy(guard_w(w), guard_a(a)) - exact)
            worst = np.where(np.isfinite(change), np.maximum(worst, change), worst)
    return np.where(np.isfinite(exact), worst, np.inf)


def entropy(p: np.ndarray) -> float:
    """Allowance for entropy(p) = −Σ p log p."""
    return float(np.sum(term_allowance(p, p, same=True)))


def cross_entropy(p: np.ndarray, q: np.ndarray) -> float:
    """Allowance for cross_entropy(p, q) = −Σ p log q."""
    return float(np.sum(term_allowance(p, q, same=False)))


def kl_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Allowance for kl_divergence(p, q) = Σ p log p − Σ p log q (a guarded ratio
    log((p + ε)/(q + ε)) or clipped p and q both change each part by a guarded form)."""
    return float(np.sum(term_allowance(p, p, same=True) + term_allowance(p, q, same=False)))


def binary_entropy(p: np.ndarray) -> np.ndarray:
    """Entrywise allowance for binary_entropy(p) = −p log p − (1 − p) log(1 − p). A guard of
    1 − p may act on 1 − p or on p before the subtraction; both forms are covered."""
    p = np.asarray(p, dtype=np.float64)
    q = 1 - p
    # (1 − p') log(1 − p') with p' a guarded p: the complement of a guarded form.
    complement = np.zeros_like(p)
    exact = _xlogy(q, q)
    for guard in GUARDED:
        g = 1 - guard(p)
        with np.errstate(invalid="ignore"):
            change = np.abs(_xlogy(g, g) - exact)
        complement = np.where(np.isfinite(change), np.maximum(complement, change), complement)
    own = term_allowance(p, p, same=True)
    return own + np.maximum(term_allowance(q, q, same=True), complement)


#: The note a check records when a function passes only thanks to the allowance.
NOTE = (
    "its values differ from the exact ones by what a guard of log does (a clip or + ε of at "
    "most 1e-10, ≈ 1e-9 where the exact value is 0·log 0 = 0): accepted; np.where(p > 0, …) "
    "or scipy.special.xlogy gives 0·log 0 = 0 with no guard"
)
