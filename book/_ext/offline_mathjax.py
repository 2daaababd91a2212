"""Sphinx extension: serve MathJax from the built book instead of a CDN.

``sphinx.ext.mathjax`` loads MathJax 3 from cdn.jsdelivr.net by default, so a book read offline
(or checked in a browser on a machine without internet, as ``tests/test_book_html.py`` does)
shows raw TeX such as ``\\(x_t\\)``. The PyPI package ``django-static-mathjax`` (a dependency of
the ``book`` extra; it has no dependencies of its own and needs no Django) ships an unmodified
MathJax 3 release. When it is installed and ``mathjax_path`` is left at Sphinx's CDN default,
this extension copies the ``tex-mml-chtml`` component and the files it loads on demand (fonts,
TeX extensions, accessibility and menu code) into ``_static/mathjax/`` and points
``mathjax_path`` there.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

COMPONENT = "tex-mml-chtml.js"
# what tex-mml-chtml.js loads lazily (relative to itself); the other combined components are skipped
SUBDIRS = ("a11y", "adaptors", "input", "output", "sre", "ui")
TARGET = "mathjax"  # below _static/


def mathjax_es5_dir() -> Path | None:
    """The ``es5`` directory of the MathJax copy installed by django-static-mathjax, if any."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        es5 = Path(location) / "static" / "mathjax" / "es5"
        if (es5 / COMPONENT).is_file():
            return es5
    return None


def _use_local_copy(app, config):
    from sphinx.ext.mathjax import MATHJAX_URL

    app._offline_mathjax_es5 = None
    if getattr(config, "mathjax_path", None) != MATHJAX_URL:
        return  # mathjax not in use, or a path chosen explicitly in _config.yml
    es5 = mathjax_es5_dir()
    if es5 is None:
        logger.warning("offline_mathjax: MathJax package not found (pip install django-static-mathjax); "
                       "math would be rendered by MathJax from a CDN, and not at all offline")
        return
    config.mathjax_path = f"{TARGET}/{COMPONENT}"
    app._offline_mathjax_es5 = es5


def _copy_mathjax(app, exception):
    es5 = getattr(app, "_offline_mathjax_es5", None)
    if exception is not None or es5 is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / TARGET
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(es5 / COMPONENT, target / COMPONENT)
    if (es5.parent / "LICENSE").is_file():  # Apache-2.0: the licence travels with the copy
        shutil.copy2(es5.parent / "LICENSE", target / "LICENSE")
    for sub in SUBDIRS:
        if (es5 / sub).is_dir():
            shutil.copytree(es5 / sub, target / sub, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _use_local_copy)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
