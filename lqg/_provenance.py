"""What identifies the code that made a result (shared by the sweeps and the notebooks' records)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def code_fingerprint() -> str:
    """A digest of lqg's source files (their paths and bytes): results computed by different code
    never share a key. Read afresh at every call, so an edit to an installed editable copy shows."""
    digest = hashlib.sha1()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
