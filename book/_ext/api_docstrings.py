"""Sphinx extension: let numpydoc shapes such as ``(*batch, T, k_i, d)`` pass through reST, and
resolve the package's exceptions by their short names.

The package's docstrings write batch dimensions the NumPy way, ``*batch``; in reStructuredText a
lone ``*`` opens emphasis, so autodoc would warn on every such line. The star is escaped here, in
the docstrings autodoc reads, so the source keeps the readable form.

A numpydoc ``Raises`` section names ``LQGameError``; the exception is documented once, as
``lqg.LQGameError``, and the short name is resolved to it (so ``-n`` checks the link instead of
ignoring it).
"""

import re

_STAR = re.compile(r"(?<![\\*`])\*(?=batch|lead)")


def _escape(app, what, name, obj, options, lines):
    lines[:] = [_STAR.sub(r"\\*", line) for line in lines]


#: short names in docstrings -> the documented object
_SHORT = {"LQGameError": "lqg.LQGameError",
          "NoUniqueNashError": "lqg.equilibrium.NoUniqueNashError",
          "NoStationaryNashError": "lqg.stationary.NoStationaryNashError"}


def _resolve(app, env, node, contnode):
    target = _SHORT.get(node.get("reftarget"))
    if node.get("refdomain") != "py" or target is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], target, node,
                               contnode)


def setup(app):
    app.connect("autodoc-process-docstring", _escape)
    app.connect("missing-reference", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
