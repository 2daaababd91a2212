"""Timing and memory measurement shared by the benchmarks."""

import time
import tracemalloc


def best_time(fn, repeat: int = 3, min_time: float = 0.2) -> float:
    """Best wall time of one call of ``fn`` in seconds, over ``repeat`` rounds of >= ``min_time``."""
    best = float("inf")
    for _ in range(repeat):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        best = min(best, elapsed / calls)
    return best


def peak_memory(fn) -> tuple[object, float]:
    """Result of ``fn()`` and the peak memory (MB) Python allocated while it ran (tracemalloc)."""
    tracemalloc.start()
    try:
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak / 2**20


def table(rows, header) -> str:
    """A plain-text table of ``rows`` (sequences of cells) under ``header``."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[j]) for r in cells) for j in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
