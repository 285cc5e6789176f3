"""The presence table: every name of the contract exists and is callable.

A missing name fails here once, by name, and fails only the checks that call it. Under an
adapter, a name its API does not have is skipped here and wherever it is called.
"""

import inspect

import pytest

from conformance.contract import FUNCTIONS, NETWORK, NETWORK_MEMBERS
from conformance.core.implementation import impl as bp
from conformance.core.implementation import outside_api

pytestmark = pytest.mark.contract


@pytest.mark.parametrize("name", [*FUNCTIONS, NETWORK])
def test_has_name(name: str) -> None:
    assert bp.module is not None
    if not hasattr(bp.module, name):
        _outside_api(name)
        pytest.fail(
            f"{bp.name} defines no `{name}`: {FUNCTIONS.get(name, 'the network class')}",
            pytrace=False,
        )
    assert callable(getattr(bp.module, name)), f"{name} is not callable"


@pytest.mark.parametrize("member", NETWORK_MEMBERS)
def test_network_has_method(member: str) -> None:
    network = getattr(bp.module, NETWORK, None)
    if network is None:
        _outside_api(NETWORK)
        pytest.fail(f"{bp.name} defines no `{NETWORK}`", pytrace=False)
    if not callable(getattr(network, member, None)):
        pytest.fail(f"{NETWORK} has no method `{member}`: {NETWORK_MEMBERS[member]}", pytrace=False)


def test_numerical_gradient_takes_eps() -> None:
    """The contract's signature is numerical_gradient(f, x, eps=1e-5)."""
    if "numerical_gradient" in bp.missing:
        _outside_api("numerical_gradient")
        pytest.fail(f"{bp.name} defines no `numerical_gradient`", pytrace=False)
    try:
        params = inspect.signature(bp.numerical_gradient).parameters
    except (TypeError, ValueError):
        pytest.skip("numerical_gradient has no inspectable signature")
    eps = params.get("eps")
    if eps is None:
        pytest.fail(
            f"numerical_gradient{inspect.signature(bp.numerical_gradient)} takes no "
            "`eps`, but should be numerical_gradient(f, x, eps=1e-5)",
            pytrace=False,
        )
    if eps.default != 1e-5:
        pytest.fail(
            f"numerical_gradient's eps defaults to {eps.default!r}, but should be 1e-5",
            pytrace=False,
        )


def _outside_api(name: str) -> None:
    """Skip: under an adapter, a name its API does not have is not the code's to define."""
    __tracebackhide__ = True
    if bp.conventions.adapts is not None:
        raise outside_api(name, bp.conventions.adapts)
