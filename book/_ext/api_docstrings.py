"""Sphinx extension: let numpydoc shapes such as ``(*batch, T, k_i, d)`` pass through reST.

The package's docstrings write batch dimensions the NumPy way, ``*batch``; in reStructuredText a
lone ``*`` opens emphasis, so autodoc would warn on every such line. The star is escaped here, in
the docstrings autodoc reads, so the source keeps the readable form.
"""

import re

_STAR = re.compile(r"(?<![\\*`])\*(?=batch|lead)")


def _escape(app, what, name, obj, options, lines):
    lines[:] = [_STAR.sub(r"\\*", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _escape)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
