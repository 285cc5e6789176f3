"""``python -m conformance.grading``: the same as ``backprop-grade``."""

import sys

from conformance.grading.cli import main

sys.exit(main())
