"""Hints that are true: for a bug whose evidence shows a known pattern, the diagnosis's first
entry carries the hint that names it; where the evidence is too thin (two entries, a factor of
about 0), no pattern is claimed."""

from __future__ import annotations

import numpy as np
import pytest
from test_failure_output import diagnosis

from conformance.helpers import recognisers
from conftest import IMPLS

#: (broken implementation, the area run, words its first diagnosis entry's hint must hold)
RECOGNISED = [
    ("backward_no_mean", "gradients", "too large, with"),
    ("backward_db_sum_no_axis", "gradients", "it is one number"),
    ("backward_db_sum_broadcast", "torch_parity", "np.sum without axis="),
    ("backward_last_sample_only", "torch_parity", "term alone"),
    ("backward_relu_grad_at_zero_one", "torch_parity", "relu'(0) = 1"),
    ("backward_accumulates", "training", "twice the first backward's"),
    ("update_adds_gradient", "training", "+lr·gradient"),
    ("update_lr_squared", "training", "lr²·gradient"),
    ("update_rebinds", "training", "did not change"),
    ("update_clips_gradients", "training", "clip"),  # one entry stands out: cut short
    ("train_step_loss_after_update", "training", "the loss after the update"),
    ("train_step_stale_gradients", "training", "left net.weights[0] where it was"),
    ("train_step_first_lr_sticks", "training", "the first call's lr"),
    ("forward_caches_first_batch", "training", "the first call's output again"),
]


@pytest.mark.parametrize("name, area, words", RECOGNISED, ids=[r[0] for r in RECOGNISED])
def test_a_recognised_bug_gets_its_hint_first(run_suite, name: str, area: str, words: str):
    result = run_suite(f"--impl={IMPLS / f'broken_{name}.py'}", "-m", area)
    first = diagnosis(result.outlines)[0]
    assert "hint: " in first and words in first.split("hint: ", 1)[1], first


def test_no_pattern_is_claimed_from_two_entries_or_a_factor_of_about_zero() -> None:
    expected = np.array([[0.3], [-0.3]])  # a 2-class db: any sum of its columns is ±d
    assert recognisers.gradient(-7.09 * expected, expected, batch=4) is None
    wide = np.array([[0.3, -0.1, 0.2], [0.1, 0.4, -0.2]])
    assert "same factor 2.5" in recognisers.gradient(2.5 * wide, wide, batch=4)
    assert recognisers.gradient(6.5e-16 * wide, wide, batch=4) == (
        "it is zero in every entry, but the gradient is not"
    )


def test_one_sample_is_not_claimed_where_it_is_the_whole_sum() -> None:
    only = np.array([[0.2, -0.4, 0.1]])  # sample 0's gradient; sample 1 adds nothing here
    mean = only / 2
    hint = recognisers.gradient(only, mean, batch=2, per_sample=[only, np.zeros_like(only)])
    assert hint == "every entry is 2× too large, with 2 samples in the batch: divide by m"
