"""backprop-conformance: a pytest + Hypothesis suite for hand-written backpropagation.

Run it with ``pytest --impl=mymodule`` in a clone, or ``pytest --pyargs conformance
--impl=mymodule`` anywhere once installed.
"""

__version__ = "0.1.0"
