"""Notebook 06's exercises: the bias and the burn-in of Langevin, where a mixture's score
vanishes, why plain Langevin fails on two modes, the optimal denoiser (Tweedie), and three
algorithms the student writes: a Langevin step, the annealed loop and the DSM loss.

Introduced in ``06_score_langevin.ipynb``; worked solutions in
``notebooks/solutions/06_score_langevin_solutions.ipynb``.
"""

from __future__ import annotations

import math

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

# 06.1 and 06.2: section 3's target N(1, 0.5^2)
_MU_T, _SIGMA_T, _X0 = 1.0, 0.5, -5.0

# 06.5: the optimal denoiser for two data points
_DSM_DATA, _DSM_X, _DSM_SIGMA = np.array([0.0, 2.0]), 0.5, 1.0


def _ex_06_1(*, sigma=_SIGMA_T, excess=1.1) -> float:
    """The step size eps at which ULA's stationary variance is ``excess`` times sigma^2."""
    from scipy import optimize

    from helpers.langevin import ula_gaussian_variance

    def too_wide(eps):
        return ula_gaussian_variance(sigma, eps) / sigma**2 - excess

    return float(optimize.brentq(too_wide, 1e-9, 2 * sigma**2 * (1 - 1e-9), xtol=1e-14))


def _ex_06_2(*, drift_factor=0.5, scale=_SIGMA_T**2, distance=_X0 - _MU_T, rounding=math.ceil):
    """Steps until the mean's bias a^k |x0 - mu| falls below 0.01, for Song and Ermon's step
    x + (alpha / 2) s(x) + sqrt(alpha) z with alpha = 0.1: a = 1 - alpha / (2 sigma^2)."""
    a = 1 - drift_factor * 0.1 / scale
    return float(rounding(math.log(0.01 / abs(distance)) / math.log(a)))


def _ex_06_5(sign=1.0) -> float:
    """Tweedie: the optimal denoiser E[x | x~] = x~ + sigma^2 s*(x~), s* the KDE score."""
    from helpers.dsm import kde_score

    s = float(kde_score(np.array([[_DSM_X]]), _DSM_DATA[:, None], _DSM_SIGMA)[0, 0])
    return _DSM_X + sign * _DSM_SIGMA**2 * s


register(Exercise(
    "06.1",
    "Unadjusted Langevin on N(1, 0.5^2): the step size eps at which the stationary variance is "
    "10% larger than the target's.",
    _ex_06_1,
    "set the stationary variance of section 5 equal to 1.1 sigma^2 and solve for eps.",
    rtol=1e-4,
    mistakes=(
        (lambda: 2 * _SIGMA_T**2 * 0.1,
         "That uses the first-order approximation 1 + eps / (2 sigma^2); solve the exact "
         "formula."),
        (lambda: _ex_06_1(sigma=1.0),
         "That is for a target of variance 1; this target's standard deviation is 0.5."),
        (lambda: 2 * _SIGMA_T * (1 - 1 / 1.1),
         "The formula has the variance sigma^2 = 0.25, not the standard deviation."),
        (lambda: _ex_06_1(excess=1.1**2),
         "That makes the standard deviation 10% too large; the question is about the "
         "variance."),
    ),
))  # fmt: skip
register(Exercise(
    "06.2",
    "Song and Ermon's step x + (alpha/2) s(x) + sqrt(alpha) z with alpha = 0.1 on N(1, 0.5^2), "
    "all chains from x0 = -5: the first step k at which the mean's bias |E[x_k] - 1| is below "
    "0.01.",
    _ex_06_2,
    "take the expectation of one step: the distance to the mean is multiplied by a factor a "
    "each step. Write a with alpha, then solve a^k |x0 - mu| < 0.01 for the smallest whole k.",
    integer=True,
    mistakes=(
        (lambda: _ex_06_2(drift_factor=1.0),
         "That treats alpha as this lesson's eps. In Song and Ermon's step the score is "
         "multiplied by alpha / 2."),
        (lambda: _ex_06_2(scale=_SIGMA_T),
         "The contraction factor has the variance sigma^2 = 0.25, not the standard deviation."),
        (lambda: _ex_06_2(rounding=math.floor),
         "After that many steps the bias is still just above 0.01: round up. (The start is "
         "6 from the mean.)"),
    ),
))  # fmt: skip


def _score_terms(x, weights, means, sds, *, var_power=2, weighted=True, density_scale=None):
    """log alpha_k + log N(x; mu_k, sd_k^2) and the component scores (mu_k - x) / sd_k^power."""
    from scipy import stats

    x = np.asarray(x, dtype=float)[:, None]
    scale = np.asarray(sds) if density_scale is None else density_scale
    log_w = np.log(weights) if weighted else np.zeros(len(weights))
    logs = log_w + stats.norm.logpdf(x, means, scale)
    return logs, (np.asarray(means) - x) / np.asarray(sds) ** var_power


def _softmax(logs):
    from scipy.special import logsumexp

    return np.exp(logs - logsumexp(logs, axis=1, keepdims=True))


def _score_reference(x, weights, means, sds):
    from helpers.scores import mixture_score

    return mixture_score(np.asarray(x, dtype=float), weights, means, sds)


def _score_cases(rng):
    """Three ordinary cases, then one with points far from every mean (last)."""
    cases = []
    for n, k in ((6, 2), (25, 3), (40, 4)):
        means = np.sort(rng.uniform(-4, 4, size=k))
        cases.append({"x": rng.normal(0, 3, size=n), "weights": rng.dirichlet(np.full(k, 3.0)),
                      "means": means, "sds": rng.uniform(0.4, 1.8, size=k)})  # fmt: skip
    far = np.concatenate([rng.normal(0, 2, size=8), [-90.0, 75.0, 120.0]])
    cases.append({"x": far, "weights": np.array([0.3, 0.7]), "means": np.array([-1.0, 2.0]),
                  "sds": np.array([0.5, 1.0])})  # fmt: skip
    return cases


def _score_with(**kw):
    def wrong(x, weights, means, sds):
        logs, comp = _score_terms(x, weights, means, sds, **kw)
        return (_softmax(logs) * comp).sum(axis=1)

    return wrong


def _score_no_logsumexp(x, weights, means, sds):
    logs, comp = _score_terms(x, weights, means, sds)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.exp(logs)
        return (dens / dens.sum(axis=1, keepdims=True) * comp).sum(axis=1)


def _score_unweighted_average(x, weights, means, sds):
    return _score_terms(x, weights, means, sds)[1].mean(axis=1)


MIXTURE_SCORE = FunctionExercise(
    "06.3",
    "Write the score of a 1-D Gaussian mixture, d/dx log p(x), for an array of points, with "
    "the responsibilities computed in log space.",
    _score_reference,
    _score_cases,
    "section 2 writes the score as the component scores averaged with weights that depend "
    "on x: compare your weights and your component scores with it, and keep the sum over "
    "components in log space, so that far points cannot underflow.",
    starter="def mixture_score(x, weights, means, sds):",
    slips=(
        (_score_with(weighted=False),
         "The weights alpha_k are missing from the responsibilities: a component's share "
         "starts from alpha_k times its density."),
        (_score_unweighted_average,
         "That averages the component scores equally; each must be weighted by its "
         "responsibility r_k(x), which changes with x."),
        (_score_with(var_power=1),
         "A component's score divides by the variance sigma_k^2, not by the standard "
         "deviation."),
        (lambda x, weights, means, sds: _score_with(density_scale=np.sqrt(sds))(
            x, weights, means, sds),
         "The densities use the standard deviations as variances: sds are already standard "
         "deviations (scipy's scale takes sigma itself)."),
        (_score_no_logsumexp,
         "This hidden case has points far from every mean, where every density underflows to "
         "0 and 0/0 gives nan. Stay in log space: normalise with logsumexp over the "
         "components, and exponentiate only the normalised logs."),
    ),
)  # fmt: skip
register(MIXTURE_SCORE)


def _ex_06_4(distance=4.0, scale=0.3**2, weight=0.8):
    """The valley's depth log p(4) - log p(0) of 0.2 N(-4, 0.3^2) + 0.8 N(4, 0.3^2), in nats."""
    from scipy import stats

    def log_p(x):
        dens = 0.2 * stats.norm.pdf(x, -distance, math.sqrt(scale))
        return math.log(dens + weight * stats.norm.pdf(x, distance, math.sqrt(scale)))

    return log_p(distance) - log_p(0.0)


register(Exercise(
    "06.4",
    "Plain Langevin on 0.2 N(-4, 0.3^2) + 0.8 N(4, 0.3^2): the valley's depth log p(4) - log p(0), "
    "in nats.",
    _ex_06_4,
    "compare log p at the right mode and at the midpoint: near each point, which components "
    "matter, and how fast does a Gaussian's log density fall with the distance?",
    rtol=0.01,
    mistakes=(
        (lambda: 4.0**2 / (2 * 0.3), "A Gaussian's log density falls by (distance)^2 over twice "
                                     "the variance; 0.3 is the standard deviation."),
        (lambda: 8.0**2 / (2 * 0.3**2), "That is the drop over the distance between the modes; "
                                        "the valley's bottom is at the midpoint, 4 from each."),
        (lambda: 4.0**2 / 0.3**2, "Twice too deep: the exponent of a Gaussian has 2 sigma^2 "
                                  "below the squared distance."),
        (lambda: 4.0 / (2 * 0.3**2), "Square the distance: the log density falls "
                                     "quadratically."),
    ),
))  # fmt: skip
register(Exercise(
    "06.5",
    "Data x = 0 and x = 2, noise sigma = 1: the optimal denoiser E[x | x~] at x~ = 0.5.",
    _ex_06_5,
    "Tweedie's formula: the denoiser is x~ plus sigma^2 times the optimal score at x~, and the "
    "optimal score is section 11's conditional expectation over the two points.",
    rtol=1e-4,
    mistakes=(
        (lambda: _ex_06_5() - _DSM_X,
         "That is sigma^2 times the score, the correction; the denoiser adds it to x~."),
        (lambda: _ex_06_5(sign=-1.0),
         "Check the sign: the denoiser moves x~ towards the data, along the score."),
        (lambda: float(_DSM_DATA.mean()),
         "That weights both points equally; a noisy point more likely came from the nearer "
         "one."),
        (lambda: float(_DSM_DATA[0]),
         "That is the nearest point alone; the other still has some probability."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write the algorithm: a Langevin step (06.6), the annealed loop (06.7) and the DSM loss of a
# batch (06.8). The noise z is an argument, so the check compares exactly; the tests show
# each reference equals the helper (``langevin``, ``annealed_langevin``, ``dsm.dsm_loss``)
# fed the same draws.


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
    "06.6",
    "Write one unadjusted Langevin step, in this lesson's convention, for all chains at once: "
    "the noise z is given (one standard normal draw per chain and coordinate).",
    _step_reference,
    _step_cases,
    "compare your drift and your noise term with section 3's step, term by term: the "
    "direction and size of the drift, and whether z is scaled by a variance or by a "
    "standard deviation.",
    starter="def langevin_step(x, score_fn, eps, z):",
    slips=(
        (_step_with(noise=1.0),
         "The noise is too small: with it the chains would settle at about half the "
         "target's variance. Section 3 says how much noise a step of size eps needs."),
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
    "06.7",
    "Write annealed Langevin: for each noise level sigma_i in the order given (largest "
    "first), run Langevin steps on score_fn(x, sigma_i) with the step scaled to the level; "
    "z[i, k] is the noise of step k at level i.",
    _annealed_reference,
    _annealed_cases,
    "re-read section 10: in which order the levels run, which level eps belongs to, and how "
    "a level's step (drift and noise) depends on its sigma.",
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
    "06.8",
    "Write the denoising score matching loss of a batch: point x[i] is perturbed by noise of "
    "scale sigmas[i] with the draw z[i]; the loss is weighted by sigma^2 (Song and Ermon's "
    "lambda) and averaged over the batch.",
    _dsm_reference,
    _dsm_cases,
    "re-read section 11's J and the weighting in the question: where the score is "
    "evaluated, what its target is, what is summed and what is averaged.",
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
register(LANGEVIN_STEP)
register(ANNEALED)
register(DSM_LOSS)
