"""Shared test fixtures: random games with time-varying matrices and unequal control sizes; and
the recorder that keeps the notebooks nbval executes, for the book build to reuse."""

from pathlib import Path

import nbformat
import numpy as np
import pytest

import lqg


def pytest_addoption(parser):
    parser.addoption("--results", default=None, metavar="DIR",
                     help="compare the notebooks' results.json under DIR with tests/reference; a "
                          "missing one fails (without the option, the comparison is skipped)")
    parser.addoption("--nb-record", default=None, metavar="DIR",
                     help="write every notebook that nbval executed without a failing cell to DIR "
                          "(as executed, with its new outputs), for book/_ext/executed_notebooks.py")


#: the notebooks, longest first (seconds on this project's machine), so that the two pytest workers
#: (make test: -p tests.conftest -n 2 --dist loadfile --no-loadscope-reorder) finish together
NOTEBOOK_ORDER = ("07", "09", "12", "10", "11", "04", "08", "05", "13", "03", "06", "02", "01")


def pytest_collection_modifyitems(session, config, items):
    """Notebooks first, the longest first; then the unit tests (a stable sort keeps each
    notebook's cells, and each file's tests, in order)."""
    def rank(item):
        path = Path(str(item.fspath))
        if path.suffix != ".ipynb":
            return (1, 0)
        prefix = path.name[:2]
        return (0, NOTEBOOK_ORDER.index(prefix) if prefix in NOTEBOOK_ORDER else len(NOTEBOOK_ORDER))

    items.sort(key=rank)


def pytest_configure(config):
    folder = config.getoption("--nb-record")
    if folder:
        config.pluginmanager.register(NotebookRecorder(Path(folder)), "lqg-notebook-recorder")


class NotebookRecorder:
    """Collects the outputs nbval records for each code cell (``IPyNbCell.test_outputs``) and, at
    the end of the session, writes each notebook whose cells all passed, with those outputs: the
    notebooks are executed once, by the tests, and the book shows that execution."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.cells = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        if call.when != "call" or type(item).__name__ != "IPyNbCell":
            return
        report = outcome.get_result()
        outputs = item.test_outputs if report.passed else None
        self.cells.setdefault(Path(str(item.fspath)), {})[item.cell_num] = outputs

    def pytest_sessionfinish(self, session):
        root = Path(str(session.config.rootpath))
        for path, cells in self.cells.items():
            notebook = nbformat.read(path, as_version=4)
            code = [cell for cell in notebook.cells if cell.cell_type == "code"]
            if len(cells) != len(code) or any(outputs is None for outputs in cells.values()):
                continue                     # a cell failed or did not run: the book executes it
            for n, cell in enumerate(code):
                cell.outputs = [nbformat.from_dict(dict(out)) for out in cells[n]]
                cell.execution_count = n + 1
                for out in cell.outputs:
                    if out.get("output_type") == "execute_result":
                        out["execution_count"] = n + 1
            target = self.folder / path.resolve().relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook, target)


def random_spd(rng, n, lead=(), floor=0.2):
    """Random symmetric positive definite matrices of shape (*lead, n, n)."""
    M = rng.standard_normal(lead + (n, n))
    return M @ np.swapaxes(M, -1, -2) / n + floor * np.eye(n)


def random_game(rng, N=2, d=3, k=None, T=4, noise=0.1, gaussian_x0=True):
    """A random time-varying game; ``k`` defaults to unequal sizes 1, 2, 1, 2, ..."""
    k = tuple(k) if k is not None else tuple(1 + i % 2 for i in range(N))
    A = 0.6 * rng.standard_normal((T, d, d)) / np.sqrt(d)
    B = [rng.standard_normal((T, d, ki)) / np.sqrt(d) for ki in k]
    Q = [random_spd(rng, d, (T + 1,)) for _ in k]
    R = [random_spd(rng, ki, (T,)) for ki in k]
    W = noise * random_spd(rng, d)
    if gaussian_x0:
        x0 = lqg.GaussianState(rng.standard_normal(d), random_spd(rng, d, floor=0.1))
    else:
        x0 = lqg.DiscreteState(rng.standard_normal((3, d)), [0.2, 0.3, 0.5])
    return lqg.LQGame(A, B, Q, R, W, x0)


def random_policy(rng, game, batch=(), scale=0.3):
    return tuple(scale * rng.standard_normal(batch + (game.T, ki, game.d)) for ki in game.k)


def lqr_finite_horizon(A, B, Q, R):
    """Single-agent finite-horizon LQR by the textbook Riccati recursion (independent of lqg).

    A: (T, d, d), B: (T, d, k), Q: (T+1, d, d), R: (T, k, k). Returns gains (T, k, d) and P (T+1, d, d).
    """
    T = A.shape[0]
    P = Q[T]
    K = np.zeros((T, B.shape[2], A.shape[1]))
    Ps = [P]
    for t in reversed(range(T)):
        K[t] = np.linalg.solve(R[t] + B[t].T @ P @ B[t], B[t].T @ P @ A[t])
        P = Q[t] + A[t].T @ P @ A[t] - A[t].T @ P @ B[t] @ K[t]
        Ps.append(P)
    return K, np.array(Ps[::-1])


@pytest.fixture
def rng():
    return np.random.default_rng(20211)
