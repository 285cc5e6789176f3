"""The report: ``pytest --report=FILE`` (one self-contained HTML page of the run), ``--figures=DIR``
(its figures as PNG files), and ``python -m conformance.report`` (the figures alone).

``plugin``: the options and the Reporter hooks; ``page``: the HTML page; ``curves``: the
figures' values, computed from the implementation under test; ``drawing``: what the figures
share (Drawn, canvas, PNG, a curve over the reference); ``figures``: the figures and draw_all;
``cli``: the command line (run by ``__main__``).
"""
