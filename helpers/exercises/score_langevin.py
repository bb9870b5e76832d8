"""Notebook 06's exercises: the bias and stability of Langevin, mixture scores, why plain Langevin
fails on two modes, the denoising score matching optimum, and Langevin from scratch.

Introduced in ``06_score_langevin.ipynb``; worked solutions in
``notebooks/solutions/06_score_langevin_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

# 06.3: the mixture 0.3 N(-1, 0.5^2) + 0.7 N(2, 1^2) at x = 0.5
_W, _MU, _SIGMA, _X = np.array([0.3, 0.7]), np.array([-1.0, 2.0]), np.array([0.5, 1.0]), 0.5

# 06.5: the DSM optimum for two data points
_DSM_DATA, _DSM_X, _DSM_SIGMA = np.array([0.0, 2.0]), 0.5, 1.0

# 06.6: Langevin from scratch
_FS = {"n_chains": 5000, "x0": -5.0, "mu": 1.0, "sigma": 0.5, "eps": 0.05, "n_steps": 400,
       "seed": 6}  # fmt: skip


def _ex_06_1() -> float:
    from helpers.langevin import ula_gaussian_variance

    return ula_gaussian_variance(1.0, 0.5)


def _ex_06_2() -> float:
    return 4 * 0.5**2  # Song and Ermon's alpha = 2 eps; the eps limit is 2 sigma^2


def _ex_06_3() -> float:
    from helpers.scores import mixture_score

    return float(mixture_score(_X, _W, _MU, _SIGMA))


def _ex_06_5() -> float:
    from helpers.dsm import kde_score

    return float(kde_score(np.array([[_DSM_X]]), _DSM_DATA[:, None], _DSM_SIGMA)[0, 0])


def _component_scores():
    return (_MU - _X) / _SIGMA**2


def _from_scratch(noise_factor: float = 2.0) -> float:
    """Langevin written out, as a student would: one array of chains, one loop over steps."""
    rng = np.random.default_rng(_FS["seed"])
    x = np.full(_FS["n_chains"], _FS["x0"])
    eps = _FS["eps"]
    for _ in range(_FS["n_steps"]):
        score = (_FS["mu"] - x) / _FS["sigma"] ** 2
        x = x + eps * score + np.sqrt(noise_factor * eps) * rng.standard_normal(x.size)
    return float(np.var(x))


def _ex_06_6() -> float:
    from helpers.langevin import langevin

    x = langevin(lambda x: (_FS["mu"] - x) / _FS["sigma"] ** 2, np.full(_FS["n_chains"], _FS["x0"]),
                 step_size=_FS["eps"], n_steps=_FS["n_steps"], rng=_FS["seed"])  # fmt: skip
    return float(np.var(x))


register(Exercise(
    "06.1",
    "Unadjusted Langevin with step size 0.5 on the target N(0, 1): its stationary variance.",
    _ex_06_1,
    "write one step as y' = a y + sqrt(2 eps) z and ask which variance v stays the same.",
    mistakes=(
        (lambda: 1.0, "That is the target's variance; the unadjusted chain settles elsewhere."),
        (lambda: 2.0, "Check the factor 2: the noise variance per step is 2 eps."),
        (lambda: 1.25, "That is only the first-order approximation; solve for v exactly."),
    ),
))  # fmt: skip
register(Exercise(
    "06.2",
    "Target N(1, 0.5^2), step written as x + (alpha / 2) s(x) + sqrt(alpha) z (Song and Ermon): "
    "the alpha at and above which unadjusted Langevin diverges.",
    _ex_06_2,
    "write the factor that multiplies the distance to the mean each step in terms of alpha; "
    "for which alpha does the distance stop shrinking?",
    mistakes=(
        (lambda: 0.5, "That is the limit for eps in this notebook's convention; this step is "
         "written with alpha."),
        (lambda: 0.5**2, "That makes the contraction factor 0 (the fastest contraction); the "
         "chain still converges."),
        (lambda: 4 * 0.5, "Use the variance sigma^2 in the contraction factor, not sigma."),
    ),
))  # fmt: skip
register(Exercise(
    "06.3",
    "The score of 0.3 N(-1, 0.5^2) + 0.7 N(2, 1^2) at x = 0.5.",
    _ex_06_3,
    "weight each component's score by its responsibility at x = 0.5, not by its weight.",
    mistakes=(
        (lambda: float(_W @ _component_scores()),
         "Those are the mixture weights; the score uses the responsibilities r_k(x)."),
        (lambda: float(_component_scores().mean()),
         "An unweighted average ignores both weights and densities; use the responsibilities."),
        (lambda: float(_component_scores()[1]),
         "That is the heavier component alone; the other one still has a share at x = 0.5."),
    ),
))  # fmt: skip
register(Exercise(
    "06.4",
    "Plain Langevin on 0.2 N(-4, 0.3^2) + 0.8 N(4, 0.3^2) uses the exact score, yet gets the "
    "weights wrong. Why? (a) the score is inaccurate far from the modes; (b) crossing the valley "
    "takes a time that grows like e^(Delta U), the depth of the valley in log p; (c) the bias of "
    "the unadjusted step",
    lambda: "b",
    "which of the three would still be there with an exact score and a tiny step?",
    options=("a", "b", "c"),
    mistakes=(
        (lambda: "a", "The score here is the mixture's exact formula, accurate everywhere."),
        (lambda: "c", "The step's bias widens each mode by a fraction of order eps; it does not "
         "move a quarter of the chains between modes."),
    ),
))  # fmt: skip
register(Exercise(
    "06.5",
    "Denoising score matching with sigma = 1 on the two data points x = 0 and x = 2, minimised "
    "over all functions: the optimal score s(x~) at x~ = 0.5.",
    _ex_06_5,
    "the optimum is E[(x - x~) / sigma^2 | x~]: which data point did x~ come from, and with what "
    "probability?",
    mistakes=(
        (lambda: float(np.mean(_DSM_DATA - _DSM_X)) / _DSM_SIGMA**2,
         "That weights both points equally; a noisy point more likely came from the nearer one."),
        (lambda: float(_DSM_DATA[0] - _DSM_X) / _DSM_SIGMA**2,
         "That uses the nearest point only; the other still has some probability."),
        (lambda: -_ex_06_5(), "Check the sign: the score points from x~ towards the data."),
    ),
))  # fmt: skip
register(Exercise(
    "06.6",
    "From scratch: 5000 chains from x = -5, target N(1, 0.5^2), eps = 0.05, 400 steps, "
    "rng = np.random.default_rng(6) and one rng.standard_normal(5000) per step. np.var of "
    "the final positions?",
    _ex_06_6,
    "one line per step: x = x + eps * score(x) + sqrt(2 * eps) * z, with a fresh z each step.",
    mistakes=(
        (lambda: 0.25, "That is the target's variance; report what your chains give."),
        (lambda: _from_scratch(1.0), "Check the noise: its standard deviation is sqrt(2 eps)."),
        (lambda: 0.25 / (1 - 0.05 / (2 * 0.25)),
         "That is the variance theory predicts; report your chains' np.var."),
    ),
))  # fmt: skip
