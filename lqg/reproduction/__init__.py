"""The notebooks' bookkeeping: parameters, claims, records with provenance, and the book's report.

Not imported by ``import lqg``. A notebook creates a
:class:`~lqg.reproduction.record.NotebookRecord` from its own parameters cell, saves its figures
through it, and ends with :meth:`~lqg.reproduction.record.NotebookRecord.conclude` on claims
declared in :mod:`lqg.reproduction.catalog`.
"""

from . import catalog, study
from .record import NotebookRecord

__all__ = ["NotebookRecord", "catalog", "study"]
