r"""Several readings of Algorithm 2 in lockstep, on common random numbers (beyond the paper).

The paper's algorithm runs through its own loop,
:func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`. Comparing readings of the text
(:mod:`lqg.episodes`, :mod:`lqg.estimators`) is sharper when every reading plays the same
perturbations, initial states and noise: here the readings advance together, iteration by
iteration, and each iteration's random numbers are drawn once and played by each, through the
same per-iteration step as the paper's loop (``lqg.unknown_parameters.natural_gradient_step``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import _checks as check
from . import _streams as streams
from ._checks import LQGameError
from .equilibrium import NashSolution
from .runs import DIVERGENCE_FACTOR, Recorder
from .unknown_parameters import natural_gradient_step, settings

__all__ = ["model_free_variants"]

#: the keywords of :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient` a variant may set
VARIANT_OPTIONS = ("trajectory_cost", "terminal_cost", "smoothing", "perturbation", "covariance",
                   "initial_states", "noise", "updates", "estimator", "exploration")


def model_free_variants(game, K0, eta, iterations: int, variants: Sequence[dict], *,
                        trajectories: int, radius, seed, record_every: int = 1,
                        record_policies: str = "t0", divergence_factor: float = DIVERGENCE_FACTOR,
                        nash: NashSolution | None = None, require_equilibrium: bool = True,
                        progress: bool | None = None, prefetch: bool = True) -> list:
    r"""Several variants of Algorithm 2 from the same initial policies, on common random numbers.

    Each variant is a dict of keywords of
    :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient` (those in
    ``VARIANT_OPTIONS``, e.g. ``{"trajectory_cost": "after-step"}``; ``{}`` is the paper's
    algorithm). The variants advance together, iteration by iteration, and every iteration's random
    numbers are drawn once and played by each: so variant v's result is exactly, bit for bit, what
    ``model_free_natural_policy_gradient(game, K0, ..., **variants[v])`` returns with the same
    ``seed``, and two variants are compared on the same perturbations, initial states and noise
    (common random numbers). The variants must draw the same random numbers: the options
    ``perturbation``, ``initial_states``, ``noise`` and ``covariance="unperturbed"`` change what is
    drawn, so variants that differ in them are refused (run them separately).

    Returns
    -------
    list of PGResult, one per variant, in order.

    Raises
    ------
    LQGameError
        As :func:`~lqg.unknown_parameters.model_free_natural_policy_gradient`, naming the variant;
        an unknown key; two variants that draw different random numbers.
    """
    if isinstance(variants, dict) or not isinstance(variants, Sequence) or not variants:
        raise LQGameError("variants must be a non-empty list of dicts of options of Algorithm 2; "
                          f"got {type(variants).__name__}")
    runs, rules = [], []
    for v, options in enumerate(variants):
        try:
            if not isinstance(options, dict):
                raise LQGameError(f"variants[{v}] must be a dict of options; got "
                                  f"{type(options).__name__}")
            unknown = sorted(set(options) - set(VARIANT_OPTIONS))
            if unknown:
                raise LQGameError(f"variants[{v}] has unknown option(s) {unknown}; the options "
                                  f"are {list(VARIANT_OPTIONS)}")
            run = Recorder(game, K0, eta, iterations, record_every=record_every,
                           record_policies=record_policies, divergence_factor=divergence_factor,
                           nash=nash, require_equilibrium=require_equilibrium,
                           progress=progress if v == 0 else False, algorithm="Algorithm 2")
            rules.append(settings(run.game, trajectories, radius, **options))
            runs.append(run)
        except LQGameError as error:
            if len(variants) == 1 or str(error).startswith(f"variants[{v}]"):
                raise
            raise LQGameError(f"variants[{v}]: {error}") from None
    game, M = runs[0].game, runs[0].M
    layout = rules[0].design.layout(game)
    for v, rule in enumerate(rules[1:], start=1):
        if not streams.same_layout(layout, rule.design.layout(game)):
            raise LQGameError(f"variants[{v}] draws other random numbers than variants[0] (its "
                              "perturbation, initial_states, noise or covariance='unperturbed' "
                              "differ); run it separately")
    draws = streams.DrawSource(game.x0, check.run_generators(seed, runs[0].K0.shape[0]), layout,
                               check.flag(prefetch, "prefetch"))
    works = [(streams.Workspace(), streams.Workspace()) for _ in runs]
    Ks = [run.update(0, run.K0, run.K0) for run in runs]
    try:
        with np.errstate(all="ignore"):
            for m in range(1, M + 1):
                lives = [np.flatnonzero(run.live) for run in runs]
                union = np.unique(np.concatenate(lives))
                if not union.size:
                    break
                shared = draws.take(union, more=m < M)             # drawn once, played by each
                for v, (run, live) in enumerate(zip(runs, lives)):
                    if not live.size:
                        continue
                    mine = shared if live.size == union.size else shared.rows(
                        np.searchsorted(union, live))
                    step = natural_gradient_step(game, Ks[v][live], mine, rules[v],
                                                 run.eta_of(live), works[v])
                    Ks[v] = run.update(m, Ks[v], step.K, runs=live, observed=step.observed,
                                       covariances=step.spectrum)
    finally:
        draws.close()
    return [run.result(K) for run, K in zip(runs, Ks)]
