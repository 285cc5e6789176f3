"""``python -m conformance.report``: the figures alone (``conformance.report.cli``)."""

import sys

from conformance.report.cli import main

sys.exit(main())
