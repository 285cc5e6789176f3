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

In grading mode an adapter is the instructor's choice (``--adapter``), and a submission's own
``ADAPTS`` (or template conventions) is not followed. The worker builds the contract with its
own copy of the adapter, next to the submission, so that a network's calls are one request
each; the grader's copy, on the worker's objects, decides what is checked and skipped
(``served.py``). An adapter file the worker cannot load or apply (one that imports the kit
beyond this package, say) is the grader's alone: correct, but a request per call.

This package imports nothing of the kit (the grading worker loads it by path under a private
name, and instructors' adapter files use its helpers: ``conformance.adapters.params``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

#: The adapters the kit ships, by their --adapter name.
SHIPPED = {"nnfs": "conformance.adapters.nnfs", "cs231n": "conformance.adapters.cs231n"}


class AdapterError(Exception):
    """The adapter cannot be loaded or applied; the message is one line."""


def file_of(spec: str, invocation_dir: Path) -> Path | None:
    """The adapter file --adapter names (relative to where the run started), if it is one."""
    path = invocation_dir / spec  # an absolute spec stays itself
    return path.resolve() if spec.endswith(".py") and path.is_file() else None


def load(spec: str, invocation_dir: Path) -> ModuleType:
    """The adapter module --adapter names: a shipped one, or a .py file of the user's."""
    if spec in SHIPPED:
        return importlib.import_module(SHIPPED[spec])
    path = file_of(spec, invocation_dir)
    if path is None:
        known = ", ".join(SHIPPED)
        raise AdapterError(
            f"--adapter={spec}: not an adapter the kit ships ({known}) nor a .py file "
            f"(looked for {invocation_dir / spec})"
        )
    try:
        return load_file(path, f"bp_adapter_{path.stem}")
    except Exception as err:
        raise AdapterError(
            f"--adapter={spec}: importing it raised {type(err).__name__}: {err}"
        ) from err


def load_file(path: Path, name: str) -> ModuleType:
    """An adapter file loaded as module ``name``. Where this package is not
    conformance.adapters (the grading worker loads it under a private name), that name leads
    here while the file loads, and only then: its imports of the helpers work in both places."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    aliases: dict[str, ModuleType] = {}
    if __name__ != "conformance.adapters":
        kit = ModuleType("conformance")
        kit.adapters = package = sys.modules[__name__]  # type: ignore[attr-defined]
        params = importlib.import_module(f"{__name__}.params")
        aliases = {"conformance": kit, "conformance.adapters": package}
        aliases["conformance.adapters.params"] = params
    added = [alias for alias in aliases if alias not in sys.modules]
    sys.modules.update({alias: aliases[alias] for alias in added})
    try:
        spec.loader.exec_module(module)
    finally:
        for alias in added:
            sys.modules.pop(alias, None)
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
