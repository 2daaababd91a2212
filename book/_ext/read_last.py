"""Sphinx extension: read the pages listed in ``read_last`` after every other page, at every build.

The reproduction report and the figures page collect the results files that the notebooks write
while the book executes them, so they must be read (and executed) after the notebooks. Sphinx
reads pages in sorted order, which would put ``book/reproduction`` before ``notebooks/*``. And
their content depends on those files, not on their own sources, which Sphinx's incremental build
would take as unchanged: they are re-read at every build, so they never show stale results.
"""


def _move_to_end(app, env, docnames):
    for name in app.config.read_last:
        if name in docnames:
            docnames.remove(name)
            docnames.append(name)


def _always_outdated(app, env, added, changed, removed):
    return [name for name in app.config.read_last if name in env.found_docs]


def setup(app):
    app.add_config_value("read_last", [], "env")
    app.connect("env-get-outdated", _always_outdated)
    app.connect("env-before-read-docs", _move_to_end)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
