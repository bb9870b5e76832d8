"""Notebook 06's exercises: the bias and stability of Langevin, mixture scores, why plain Langevin
fails on two modes, the denoising score matching optimum, and Langevin from scratch.

Introduced in ``06_score_langevin.ipynb``; worked solutions in
``notebooks/solutions/06_score_langevin_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

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


# --------------------------------------------------------------------------------------
# Write the algorithm: a Langevin step (06.7), the annealed loop (06.8) and the DSM loss of a
# batch (06.9). The noise z is an argument, so the check compares exactly; the tests show
# each reference equals the helper (``langevin``, ``annealed_langevin``, ``dsm.dsm_loss``)
# fed the same draws.
# Ready to register with the lesson: ``register(...)`` comes with the notebook's starter cells
# and worked solutions (tests/test_exercises.py requires a solution for every registered key).


def _double_well_score(x):
    return -8 * x * (x**2 - 1)  # -f'(x) for f(x) = 2 (x^2 - 1)^2, section 1


def _gaussian_score(mu, sd):
    return lambda x: (mu - x) / sd**2


def _mixture_score_fn(weights, mu, sd):
    from helpers.scores import mixture_score

    return lambda x: mixture_score(x, weights, mu, sd)


def _step_reference(x, score_fn, eps, z):
    return x + eps * score_fn(x) + np.sqrt(2 * eps) * z


def _step_cases(rng):
    cases = []
    for n, score_fn, eps in (
        (5, _gaussian_score(1.0, 0.5), 0.05),
        (40, _mixture_score_fn(np.array([0.3, 0.7]), np.array([-2.0, 2.0]), np.array([0.6, 1.0])),
         0.1),
        (30, _double_well_score, 0.01),
    ):  # fmt: skip
        x = rng.normal(0, 2, size=n)
        cases.append({"x": x, "score_fn": score_fn, "eps": eps, "z": rng.standard_normal(n)})
    x = rng.normal(0, 1, size=(20, 2))  # 2-D chains: the same line works for vectors
    cases.append({"x": x, "score_fn": _gaussian_score(np.array([1.0, -1.0]), 0.8), "eps": 0.2,
                  "z": rng.standard_normal(x.shape)})  # fmt: skip
    return cases


def _step_with(drift=1.0, noise=2.0, noise_power=0.5, sign=1.0):
    """x + drift * eps * sign * s(x) + (noise * eps)^noise_power * z: one slip at a time."""

    def wrong(x, score_fn, eps, z):
        return x + sign * drift * eps * score_fn(x) + (noise * eps) ** noise_power * z

    return wrong


LANGEVIN_STEP = FunctionExercise(
    "06.7",
    "Write one unadjusted Langevin step, in this lesson's convention, for all chains at once: "
    "the noise z is given (one standard normal draw per chain and coordinate).",
    _step_reference,
    _step_cases,
    "the step moves each chain by eps times the score at its current position, then adds "
    "noise whose variance is 2 eps (multiply z by the standard deviation of the noise).",
    starter="def langevin_step(x, score_fn, eps, z):",
    slips=(
        (_step_with(noise=1.0),
         "The noise is too small: its variance must be 2 eps, twice the step, or the chains "
         "settle at about half the target's variance (section 3)."),
        (_step_with(sign=-1.0),
         "The drift goes the wrong way: the score points uphill in log p, towards the modes, "
         "and the step follows it."),
        (_step_with(drift=0.5),
         "The drift is half a step: eps/2 belongs to Song and Ermon's alpha convention. In "
         "this lesson's convention the drift is a full eps with noise variance 2 eps."),
        (_step_with(drift=0.5, noise=1.0),
         "That is Song and Ermon's step with alpha = eps; this lesson's step size eps is "
         "alpha / 2 (drift eps, noise variance 2 eps)."),
        (_step_with(noise=0.0),
         "No noise: that is gradient ascent, which climbs to a mode and stops there."),
        (_step_with(noise=2.0, noise_power=1.0),
         "The noise has standard deviation 2 eps: 2 eps is its variance; z is multiplied by "
         "the standard deviation."),
    ),
)  # fmt: skip


def _annealed_reference(score_fn, x0, sigmas, eps, z):
    x = np.array(x0, dtype=float)
    for i, sigma in enumerate(sigmas):
        eps_i = eps * sigma**2 / sigmas[-1] ** 2
        for z_k in z[i]:
            x = x + eps_i * score_fn(x, sigma) + np.sqrt(2 * eps_i) * z_k
    return x


def _blurred_mixture(weights, mu, sd):
    from helpers.scores import mixture_score

    return lambda x, sigma: mixture_score(x, weights, mu, np.sqrt(sd**2 + sigma**2))


def _blurred_gaussian(mean, var):
    return lambda x, sigma: (mean - x) / (var + sigma**2)


def _annealed_cases(rng):
    cases = []
    for n_chains, levels, n_steps, score_fn in (
        (4, (3.0, 1.0, 0.3), 6, _blurred_mixture(np.array([0.2, 0.8]), np.array([-4.0, 4.0]),
                                                 np.array([0.3, 0.3]))),
        (25, (5.0, 2.5, 1.2, 0.6, 0.3), 10,
         _blurred_mixture(np.array([0.5, 0.3, 0.2]), np.array([-3.0, 0.0, 2.5]),
                          np.array([0.4, 0.5, 0.3]))),
    ):  # fmt: skip
        sigmas = np.array(levels)
        x0 = sigmas[0] * rng.standard_normal(n_chains)
        z = rng.standard_normal((sigmas.size, n_steps, n_chains))
        cases.append({"score_fn": score_fn, "x0": x0, "sigmas": sigmas,
                      "eps": 0.1 * sigmas[-1] ** 2, "z": z})  # fmt: skip
    sigmas = np.array([2.0, 1.0, 0.5, 0.25])
    x0 = sigmas[0] * rng.standard_normal((12, 2))  # 2-D chains
    cases.append({"score_fn": _blurred_gaussian(np.array([0.5, -1.0]), 0.2), "x0": x0,
                  "sigmas": sigmas, "eps": 0.05 * sigmas[-1] ** 2,
                  "z": rng.standard_normal((sigmas.size, 8, *x0.shape))})  # fmt: skip
    return cases


def _annealed_with(*, scale=lambda sigma, sigmas: sigma**2 / sigmas[-1] ** 2, reverse=False,
                   noise_scaled=True):  # fmt: skip
    """The annealed loop with one slip: another step scaling, the levels reversed, or the
    noise left at the smallest level's step while the drift is scaled."""

    def wrong(score_fn, x0, sigmas, eps, z):
        x = np.array(x0, dtype=float)
        order = sigmas[::-1] if reverse else sigmas
        for i, sigma in enumerate(order):
            eps_i = eps * scale(sigma, sigmas)
            noise = np.sqrt(2 * (eps_i if noise_scaled else eps))
            for z_k in z[i]:
                x = x + eps_i * score_fn(x, sigma) + noise * z_k
        return x

    return wrong


ANNEALED = FunctionExercise(
    "06.8",
    "Write annealed Langevin: for each noise level sigma_i in the order given (largest "
    "first), run Langevin steps on score_fn(x, sigma_i) with the step scaled to the level; "
    "z[i, k] is the noise of step k at level i.",
    _annealed_reference,
    _annealed_cases,
    "eps is the step at the smallest level, sigma_L = sigmas[-1]; level i uses "
    "eps_i = eps sigma_i^2 / sigma_L^2, the same eps_i / sigma_i^2 at every level (section "
    "10). Each level runs z.shape[1] steps, each your step from 06.7 with that level's score.",
    starter="def annealed(score_fn, x0, sigmas, eps, z):",
    slips=(
        (_annealed_with(scale=lambda sigma, sigmas: 1.0),
         "Every level used the same step eps. The step must grow with the noise, as "
         "sigma_i^2 / sigma_L^2, or the chains barely move at the large levels, where they "
         "should travel between the modes."),
        (_annealed_with(reverse=True),
         "The levels ran from the smallest noise up. Annealing starts at the largest sigma, "
         "where the modes are joined, and ends at the smallest: use sigmas in the order "
         "given."),
        (_annealed_with(scale=lambda sigma, sigmas: sigma**2 / sigmas[0] ** 2),
         "The step is scaled relative to the largest level; eps is the step at the smallest "
         "level sigma_L, the last of sigmas."),
        (_annealed_with(scale=lambda sigma, sigmas: sigma / sigmas[-1]),
         "The step grows like sigma_i; it must grow like sigma_i^2, so that eps_i / sigma_i^2 "
         "stays the same at every level."),
        (_annealed_with(scale=lambda sigma, sigmas: sigmas[-1] ** 2 / sigma**2),
         "The scaling is upside down: the largest noise level takes the largest step."),
        (_annealed_with(noise_scaled=False),
         "The drift uses the level's step eps_i but the noise does not: the noise variance "
         "is 2 eps_i at every level."),
    ),
)  # fmt: skip


def _dsm_reference(score_fn, x, sigmas, z):
    s = sigmas[:, None]
    residual = score_fn(x + s * z, sigmas) + z / s
    return float(np.mean(sigmas**2 * np.sum(residual**2, axis=1)))


def _conditional_score(mean, var):
    """The score of the data Gaussian N(mean, var I) blurred by sigma (one sigma per row)."""
    return lambda x, sigmas: (mean - x) / (var + np.reshape(sigmas, (-1, 1)) ** 2)


def _dsm_cases(rng):
    cases = []
    for n, d in ((8, 1), (50, 2), (30, 3)):
        x = rng.normal(0, 1.5, size=(n, d))
        sigmas = rng.choice(np.geomspace(3.0, 0.1, 6), size=n)
        score_fn = _conditional_score(rng.normal(0, 0.5, size=d), rng.uniform(0.5, 2.0))
        cases.append({"score_fn": score_fn, "x": x, "sigmas": sigmas,
                      "z": rng.standard_normal((n, d))})  # fmt: skip
    return cases


def _dsm_with(*, target_sign=-1.0, target_power=1, weight_power=2, reduce="mean",
              at_clean=False):  # fmt: skip
    """The DSM loss with one slip: the target's sign, -z/sigma^2, no (or sigma) weighting, a
    sum over the batch, a mean over coordinates, or the score taken at the clean point."""

    def wrong(score_fn, x, sigmas, z):
        s = sigmas[:, None]
        where = x if at_clean else x + s * z
        residual = score_fn(where, sigmas) - target_sign * z / s**target_power
        per_point = sigmas**weight_power * np.sum(residual**2, axis=1)
        if reduce == "coordinates":
            return float(np.mean(sigmas[:, None] ** weight_power * residual**2))
        return float(per_point.sum() if reduce == "sum" else per_point.mean())

    return wrong


DSM_LOSS = FunctionExercise(
    "06.9",
    "Write the denoising score matching loss of a batch: point x[i] is perturbed by noise of "
    "scale sigmas[i] with the draw z[i]; the loss is weighted by sigma^2 (Song and Ermon's "
    "lambda) and averaged over the batch.",
    _dsm_reference,
    _dsm_cases,
    "perturb each point, x~ = x + sigma z (one sigma per row); evaluate score_fn(x~, sigmas); "
    "the target is the direction back to the clean point over sigma^2; square the error, sum "
    "it over the coordinates of each point, weight it by sigma^2, and average over the batch.",
    starter="def dsm_loss(score_fn, x, sigmas, z):",
    slips=(
        (_dsm_with(target_sign=1.0),
         "The target's sign: x~ - x = sigma z points away from the clean point, and the score "
         "must point back, so the target is -z/sigma."),
        (_dsm_with(weight_power=0),
         "The sigma^2 weighting is missing: without it the small levels, whose targets have "
         "variance d / sigma^2, swamp the loss."),
        (_dsm_with(weight_power=1),
         "The weight is sigma; Song and Ermon weight each level by lambda = sigma^2."),
        (_dsm_with(reduce="sum"),
         "That is a sum over the batch; the loss is a mean over the points, so it does not "
         "grow with the batch size."),
        (_dsm_with(reduce="coordinates"),
         "You averaged over the coordinates too: the squared norm sums over the coordinates "
         "of each point, and only the points are averaged."),
        (_dsm_with(target_power=2),
         "The target's scale: (x - x~) / sigma^2 = -sigma z / sigma^2 = -z/sigma, not "
         "-z/sigma^2."),
        (_dsm_with(at_clean=True),
         "The score is evaluated at the clean point; DSM asks it at the noisy point "
         "x~ = x + sigma z, the only thing a sampler will see."),
    ),
)  # fmt: skip
