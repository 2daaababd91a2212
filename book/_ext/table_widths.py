"""Sphinx extension: the ``:widths:`` of a MyST ``{table}`` directive reach the HTML.

MyST marks every Markdown table ``colwidths-auto``; the ``{table}`` directive then adds
``colwidths-given`` for its ``:widths:``, but docutils' HTML writer drops the widths whenever
``colwidths-auto`` is present. The fitted tables of the reproduction report and of the readings
notebook (``lqg.reproduction.study.fitted``) need their widths, so a table that carries both
classes keeps only ``colwidths-given``.
"""

from docutils import nodes


def _given_widths_win(app, doctree):
    for table in doctree.findall(nodes.table):
        classes = table["classes"]
        if "colwidths-given" in classes and "colwidths-auto" in classes:
            classes.remove("colwidths-auto")


def setup(app):
    app.connect("doctree-read", _given_widths_win)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
