"""Sphinx extension: read the pages listed in ``read_last`` after every other page.

The reproduction report collects the results files that the notebooks write while the book
executes them, so it must be read (and executed) after the notebooks. Sphinx reads pages in
sorted order, which would put ``book/reproduction`` before ``notebooks/*``.
"""


def _move_to_end(app, env, docnames):
    for name in app.config.read_last:
        if name in docnames:
            docnames.remove(name)
            docnames.append(name)


def setup(app):
    app.add_config_value("read_last", [], "env")
    app.connect("env-before-read-docs", _move_to_end)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
