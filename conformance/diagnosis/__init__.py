"""One bug, one diagnosis: which contract function each failed check blames (``blame``),
what it saw (``evidence``), the root causes and their likely consequences (``causes``), and
the run's ``diagnosis`` section and quiet failure text (``plugin``)."""
