"""Sphinx extension: show the notebooks as the tests executed them, instead of executing them again.

``make test`` runs every notebook once, under nbval, and ``tests/conftest.py`` writes each one that
passed, with the outputs of that run, to ``_build/executed/`` (``--nb-record``). Before Sphinx reads
any page, this extension puts those notebooks into myst-nb's jupyter-cache, so that with
``execute_notebooks: cache`` the book shows that execution and executes only what is missing. A
staged notebook is used only if its code is exactly the source notebook's; it is then removed. A
plain ``make book`` clears the cache first, so it executes every notebook, once.
"""

from pathlib import Path

import nbformat


def _code(notebook) -> list:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def _import(app) -> None:
    staged = Path(app.confdir) / app.config.executed_notebooks_dir
    if app.config.nb_execution_mode != "cache" or not staged.is_dir():
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(app.config.nb_execution_cache_path or ".jupyter_cache")
    for path in sorted(staged.rglob("*.ipynb")):
        source = Path(app.srcdir) / path.relative_to(staged)
        executed = nbformat.read(path, as_version=4)
        if source.exists() and _code(nbformat.read(source, as_version=4)) == _code(executed):
            cache.cache_notebook_bundle(CacheBundleIn(executed, str(source.resolve())),
                                        check_validity=False, overwrite=True)
        path.unlink()


def setup(app):
    app.add_config_value("executed_notebooks_dir", "_build/executed", "env")
    app.connect("builder-inited", _import)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
