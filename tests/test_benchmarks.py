"""The benchmarks still run: ``benchmarks/run.py --quick`` (small sizes) end to end.

No timing is asserted (the machines are shared and noisy); this only catches a benchmark that no
longer runs against the package, e.g. after a name left a module's face.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_benchmark_runs_in_its_quick_mode():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    sections = [line for line in done.stdout.splitlines() if line.startswith("=== bench_")]
    assert len(sections) == len(list((ROOT / "benchmarks").glob("bench_*.py"))), done.stdout
