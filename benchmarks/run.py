"""Run every benchmark: ``python benchmarks/run.py [--quick]`` (``make bench``).

Each ``benchmarks/bench_*.py`` module has a ``main(quick=False)`` that prints its own section:
times and peak memory of the vectorised ``lqg`` code as ratios against a plain loop-by-loop
transcription of the paper's pseudocode (``baseline_*.py``), both measured in this process.
"""

import argparse
import importlib
import pathlib
import platform
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    args = parser.parse_args()
    sys.path[:0] = [str(HERE), str(HERE.parent)]  # the benchmarks and the checkout's lqg
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"{platform.processor() or platform.machine()}")
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(path.stem)
        print(f"\n=== {path.stem} ===")
        module.main(quick=args.quick)


if __name__ == "__main__":
    main()
