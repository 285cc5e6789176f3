"""Adapters: code in an API that is not one class, mapped onto the contract.

Many courses teach backpropagation through layer objects or layer functions, not a
``NeuralNetwork`` class. An adapter is a small Python module that builds the contract's names
out of such code; the checks then run on what it built, and every number they see is still
computed by the user's code. Two are shipped, named by ``--adapter``:

    pytest --impl=mycode.py --adapter=nnfs      Layer_Dense, Activation_ReLU, ... (the nnfs book)
    pytest --impl=layers.py --adapter=cs231n    affine_forward, relu_backward, softmax_loss, ...

and ``--adapter=my_adapter.py`` names one of the user's own. The protocol (the README has it
in full): the adapter module defines ``adapt(code)``, which takes the user's module and returns
a namespace (a module, say) with

- the contract's names it can build (any subset: ``relu``, ``softmax``, ``NeuralNetwork``, …);
  the checks of names it leaves out are skipped as not part of the API, and leave the grade;
- the conventions of the code it adapts (``LAYOUT``, ``LABELS``, ``OUTPUT``, ``HIDDEN_LAYERS``),
  and the course template's (``INIT_STD``, ``LOSS_CLIP``), which are reported, not failed;
- ``ADAPTS``, one line naming what it adapts, for the header; ``USES``, the names it needs
  from the user's module (a module without one is told so in one line); ``API_NAMES``, the
  user's code behind each contract name, which a diagnosis names beside it
  (``{"relu_derivative": "Activation_ReLU.backward"}``);
- ``ADAPTER_BUILDS``, the parts of the contract the adapter writes itself because the API
  has none (``{"NeuralNetwork.__init__": "the layer functions hold no parameters"}``): their
  checks would judge the adapter, so they are skipped, saying why;
- optionally ``LAYERS``, the API's layers one by one, whose gradients are then checked on
  their own with upstream gradients (``conformance/checks/test_layers.py``):
  ``LAYERS["affine"](x, w, b) -> (out, backward)`` with ``backward(dout) -> (dx, dw, db)``,
  ``LAYERS["relu"](x) -> (out, backward)`` with ``backward(dout) -> dx``, and
  ``LAYERS["softmax_cross_entropy"](scores, y) -> (loss, dscores)``, and where the API has
  them apart ``LAYERS["softmax"](x) -> (out, backward)``, ``LAYERS["cross_entropy"](p, y) ->
  (loss, dp)``; with ``LAYER_ND_INPUTS`` (affine flattens x) and ``LAYER_ONE_HOT_LABELS`` (the
  losses take one-hot labels too).

A module loaded with ``--impl=adapter.py`` may do the same thing itself (import the user's code
and define the names, with ``ADAPTS``): that is the same protocol, without ``adapt``.

In grading mode an adapter is the instructor's choice (``--adapter``): it runs in the grader's
process, on the worker's objects through their proxies, so nothing of it is in the sandbox,
and a submission's own ``ADAPTS`` (or template conventions) is not followed.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

#: The adapters the kit ships, by their --adapter name.
SHIPPED = {"nnfs": "conformance.adapters.nnfs", "cs231n": "conformance.adapters.cs231n"}


class AdapterError(Exception):
    """The adapter cannot be loaded or applied; the message is one line."""


def load(spec: str, invocation_dir: Path) -> ModuleType:
    """The adapter module --adapter names: a shipped one, or a .py file of the user's."""
    if spec in SHIPPED:
        return importlib.import_module(SHIPPED[spec])
    path = Path(spec) if Path(spec).is_absolute() else invocation_dir / spec
    if not spec.endswith(".py") or not path.is_file():
        known = ", ".join(SHIPPED)
        raise AdapterError(
            f"--adapter={spec}: not an adapter the kit ships ({known}) nor a .py file "
            f"(looked for {path})"
        )
    module_spec = importlib.util.spec_from_file_location(f"bp_adapter_{path.stem}", path)
    if module_spec is None or module_spec.loader is None:
        raise AdapterError(f"--adapter={spec}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    try:
        module_spec.loader.exec_module(module)
    except Exception as err:
        raise AdapterError(
            f"--adapter={spec}: importing it raised {type(err).__name__}: {err}"
        ) from err
    return module


def apply(adapter: ModuleType, code: Any, spec: str, name: str) -> Any:
    """What ``adapter.adapt`` builds from ``code``, the user's module named ``name``."""
    adapt = getattr(adapter, "adapt", None)
    if not callable(adapt):
        raise AdapterError(f"--adapter={spec}: defines no adapt(code), which the protocol needs")
    lacking = [n for n in getattr(adapter, "USES", ()) if not _has(code, n)]
    if lacking:
        raise AdapterError(
            f"--adapter={spec}: {name} defines no {', '.join(lacking)}, which the {spec} "
            "adapter builds the network from"
        )
    try:
        return adapt(code)
    except Exception as err:
        raise AdapterError(
            f"--adapter={spec}: adapting {name} raised {type(err).__name__}: {err}"
        ) from err


def adapted(spec: str, code: Any) -> Any:
    """``adapted("nnfs", mycode)``: the contract's names built from ``mycode`` by the adapter
    --adapter names, as the checks use them (a reproduction starts here)."""
    return apply(load(spec, Path.cwd()), code, spec, getattr(code, "__name__", "the module"))


def declared_mapping(namespace: Any, declared: str) -> dict[str, str]:
    """A mapping an adapter declares, by contract name, as short strings: its API_NAMES (the
    user's code each name is built from) or its ADAPTER_BUILDS (why the adapter writes it)."""
    try:
        names = getattr(namespace, declared, None) or {}
        return {str(k): " ".join(str(v).split())[:160] for k, v in dict(names).items()}
    except Exception:
        return {}


def _has(code: Any, name: str) -> bool:
    try:
        return hasattr(code, name)
    except Exception:  # a proxy whose worker died: the checks will say so
        return True
