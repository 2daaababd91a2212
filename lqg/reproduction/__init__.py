"""The notebooks' bookkeeping: parameters, claims, records with provenance, and the book's report.

Not imported by ``import lqg``. A notebook creates a :class:`~lqg.reproduction.record.Run` from
its own parameters cell, saves its figures through it, and ends with
:meth:`~lqg.reproduction.record.Run.conclude` on claims declared in :mod:`lqg.reproduction.catalog`.
"""

from . import catalog, study
from .claims import VERDICTS, Claim, Verdict, claims_table, evaluate, fill
from .parameters import read_parameters
from .record import Run, code_fingerprint, output_root, provenance

__all__ = ["catalog", "VERDICTS", "Claim", "Verdict", "claims_table", "evaluate", "fill",
           "read_parameters", "Run", "code_fingerprint", "output_root", "provenance", "study"]
