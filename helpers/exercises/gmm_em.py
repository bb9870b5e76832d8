"""Notebook 05's exercises: the mixture density, responsibilities, EM, BIC, KDE bandwidths.

Introduced in ``05_gmm_em.ipynb``; worked solutions in
``notebooks/solutions/05_gmm_em_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

_W, _MU, _SD = np.array([0.3, 0.7]), np.array([-2.0, 1.5]), np.array([0.6, 1.0])


def _normal_pdf(x, mu, sd):
    return np.exp(-0.5 * ((x - mu) / sd) ** 2) / np.sqrt(2 * np.pi * sd**2)


def _ex_05_1() -> float:
    from helpers.mixture import mixture_logpdf

    return float(np.exp(mixture_logpdf([0.0], _W, _MU, _SD**2))[0])


def _ex_05_2() -> float:
    """x* where alpha_1 N(x; mu_1, 1) = alpha_2 N(x; mu_2, 1), found numerically."""
    from scipy import optimize

    from helpers.mixture import e_step

    def r1_minus_half(x):
        return float(np.exp(e_step([x], _W, _MU, [1.0, 1.0])[1][0, 0]) - 0.5)

    return float(optimize.brentq(r1_minus_half, _MU[0], _MU[1], xtol=1e-12))


def _ex_05_4() -> float:
    K, d = 3, 3
    return float((K - 1) + K * d + K * d * (d + 1) // 2)


def _ex_05_5_fit(sds=(5.0, 5.0), centre=None, power=0.5) -> float:
    """The new standard deviation of component 1 after one EM iteration on the waiting times.

    ``centre`` replaces the new mean in the deviations (a slip: the old mean 50); ``power=1``
    gives the variance instead of the standard deviation.
    """
    from helpers.data import load_old_faithful
    from helpers.mixture import e_step

    x = load_old_faithful()["waiting"].to_numpy()
    _, log_resp = e_step(x, np.array([0.5, 0.5]), np.array([50.0, 80.0]), np.array(sds) ** 2)
    r = np.exp(log_resp[:, 0])
    mean = r @ x / r.sum() if centre is None else centre
    return float((r @ (x - mean) ** 2 / r.sum()) ** power)


def _ex_05_5_variance_slip() -> float:
    """05.5 with the standard deviations 5 used as variances."""
    return _ex_05_5_fit(sds=(np.sqrt(5.0), np.sqrt(5.0)))


def _eruptions():
    from helpers.data import load_old_faithful

    return load_old_faithful()["eruptions"].to_numpy()


def _ex_05_6() -> float:
    from helpers.kde import scott_bandwidth

    return float(scott_bandwidth(_eruptions()))


def _ex_05_6_slip(ddof=1, power=0.5, factor=1.0) -> float:
    """Scott's rule with a slip: ddof=0, the variance (power 1) or Silverman's factor."""
    x = _eruptions()
    return float(factor * x.var(ddof=ddof) ** power * x.size ** (-1 / 5))


def _ex_05_6_waiting() -> float:
    """Scott's rule applied to the waiting times instead of the eruptions."""
    from helpers.data import load_old_faithful
    from helpers.kde import scott_bandwidth

    return float(scott_bandwidth(load_old_faithful()["waiting"].to_numpy()))


def _ex_05_5_hard() -> float:
    """05.5 with hard assignments (k-means style) instead of responsibilities."""
    from helpers.data import load_old_faithful

    x = load_old_faithful()["waiting"].to_numpy()
    return float(x[np.abs(x - 50) < np.abs(x - 80)].std())


register(Exercise(
    "05.1",
    "Density at x = 0 of the mixture with weights (0.3, 0.7), means (-2, 1.5), sds (0.6, 1.0).",
    _ex_05_1,
    "add the two component densities at 0, each multiplied by its weight.",
    mistakes=(
        (lambda: float(_normal_pdf(0.0, _MU, _SD).sum()),
         "The weights are missing: each component's density must be multiplied by alpha_k."),
        (lambda: float(_normal_pdf(0.0, _MU, _SD).mean()),
         "Equal weights 1/2 are not the given weights (0.3, 0.7)."),
        (lambda: float(_W @ _normal_pdf(0.0, _MU, np.sqrt(_SD))),
         "0.6 and 1.0 are standard deviations, not variances."),
        (lambda: float(np.log(_W @ _normal_pdf(0.0, _MU, _SD))),
         "That is the log density; the question asks for p(0) itself."),
    ),
))  # fmt: skip
register(Exercise(
    "05.2",
    "The x* where both components are equally responsible: weights (0.3, 0.7), means (-2, 1.5), "
    "sigma = 1.",
    _ex_05_2,
    "log r_2 - log r_1 is linear in x; set it to zero and solve. The weights shift x* away from "
    "the midpoint of the means.",
    mistakes=(
        (lambda: float(_MU.mean()),
         "That is the midpoint of the means, which ignores the weights."),
        (lambda: float(_MU.mean() + np.log(_W[1] / _W[0]) / (_MU[1] - _MU[0])),
         "Check the sign of the weight term: the heavier component takes over more of the line."),
    ),
))  # fmt: skip
register(Exercise(
    "05.3",
    "Two starts, two different final log-likelihoods at the same K: which statement is right?",
    lambda: "b",
    "re-read sections 5 and 6 (local maxima, label switching, collapse) and test every option "
    "against them.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "EM only climbs: it stops at a local maximum or a plateau near its start."),
        (lambda: "c", "Permuting the components leaves the log-likelihood exactly unchanged."),
        (lambda: "d",
         "A higher likelihood can mislead even with K fixed: a component squeezed onto one value "
         "raises it without limit (section 6). Look at A's components before you trust it."),
    ),
))  # fmt: skip
register(Exercise(
    "05.4",
    "Free parameters of a full-covariance mixture with K = 3 components in d = 3 dimensions.",
    _ex_05_4,
    "count the weights (they sum to 1), the mean vectors, and the distinct entries of each "
    "symmetric covariance matrix.",
    integer=True,
    mistakes=(
        (lambda: _ex_05_4() + 1, "The K weights sum to 1, so only K - 1 of them are free."),
        (lambda: _ex_05_4() + 9,
         "A symmetric d x d covariance has d(d + 1)/2 free entries, not d^2."),
        (lambda: _ex_05_4() + 10,
         "Two slips: K - 1 free weights, and d(d + 1)/2 entries per covariance."),
        (lambda: 17.0, "That is the count for d = 2 (section 6); here d = 3."),
    ),
))  # fmt: skip
register(Exercise(
    "05.5",
    "One EM iteration on the waiting times from weights (0.5, 0.5), means (50, 80), sds (5, 5): "
    "the new standard deviation of the first component, in minutes.",
    _ex_05_5_fit,
    "responsibilities first (normalise alpha_k N(x_n) over k, in log space), then the "
    "responsibility-weighted mean of component 1, then the responsibility-weighted spread "
    "around that new mean.",
    rtol=1e-4,
    mistakes=(
        (_ex_05_5_variance_slip, "5 is the standard deviation; scipy's scale takes the sd."),
        (_ex_05_5_hard,
         "That is a hard assignment (nearest mean); EM weights every point by its responsibility."),
        (lambda: _ex_05_5_fit(centre=50.0),
         "The M-step measures the spread around the new mean, not the old one (50)."),
        (lambda: _ex_05_5_fit(power=1.0),
         "That is the variance; the question asks for the standard deviation."),
    ),
))  # fmt: skip
register(Exercise(
    "05.6",
    "Scott's bandwidth h for the Old Faithful eruption durations, in minutes.",
    _ex_05_6,
    "Scott's rule is h = s N^(-1/5), with s the sample standard deviation as scipy computes it "
    "(which ddof?) and N the number of eruptions.",
    rtol=2e-4,
    mistakes=(
        (lambda: _ex_05_6_slip(ddof=0),
         "Close: scipy's sample standard deviation divides by N - 1 (ddof=1), not N."),
        (lambda: _ex_05_6_slip(power=1.0),
         "h is a standard deviation in minutes: use s, not the variance s^2."),
        (lambda: _ex_05_6_slip(factor=(3 / 4) ** (-1 / 5)),
         "That is Silverman's rule (scipy's version, 1.06 s N^(-1/5)); Scott's has no factor."),
        (lambda: _ex_05_6_slip(factor=1.06),
         "That is Silverman's rule (1.06 s N^(-1/5)); Scott's has no factor."),
        (_ex_05_6_waiting,
         "That is the bandwidth of the waiting times; the question asks for the eruptions."),
    ),
))  # fmt: skip
register(Exercise(
    "05.7",
    "Leave-one-out on the whole-minute waiting times picks h = 0.23 min: why?",
    lambda: "b",
    "re-read section 7's leave-one-out figure and text, and test every option against them.",
    options=("a", "b", "c"),
    mistakes=(
        (lambda: "a", "After dequantising, LOO picks about 2.2 min: the narrow h followed the "
                      "rounding, not the geyser."),
        (lambda: "c", "On the dequantised data LOO picks about 2.2 min, a smooth curve with "
                      "two bumps, not spikes: the narrow h came from the rounding, not from LOO "
                      "itself."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write the algorithm: the E-step in log space (05.8) and one EM iteration (05.9), 1-D data.
# The references are built from ``helpers.mixture``; the slips are what students write.
# Ready to register with the lesson: ``register(...)`` comes with the notebook's starter cells
# and worked solutions (tests/test_exercises.py requires a solution for every registered key).


def _log_weighted(x, weights, means, sds):
    """(n, K) log alpha_k + log N(x_n; mu_k, sd_k^2), written out (the slips reuse it)."""
    z = (np.asarray(x)[:, None] - means) / sds
    return np.log(weights) - 0.5 * z**2 - np.log(sds) - 0.5 * np.log(2 * np.pi)


def _softmax_rows(log_w, axis=1):
    from scipy.special import logsumexp

    return np.exp(log_w - logsumexp(log_w, axis=axis, keepdims=True))


def _e_step_reference(x, weights, means, sds):
    from helpers.mixture import e_step

    return np.exp(e_step(x, weights, means, np.asarray(sds) ** 2)[1])


def _e_step_cases(rng):
    """Three ordinary cases, then one with points far from every mean (last, so a missing
    log-sum-exp is what that case catches)."""
    cases = []
    for n, k in ((6, 2), (25, 3), (40, 4)):
        weights = rng.dirichlet(np.full(k, 3.0))
        means = np.sort(rng.uniform(-4, 4, size=k))
        sds = rng.uniform(0.4, 1.8, size=k)
        x = rng.normal(means[rng.integers(0, k, size=n)], 1.5)
        cases.append({"x": x, "weights": weights, "means": means, "sds": sds})
    weights, means, sds = np.array([0.25, 0.45, 0.3]), np.array([-2.0, 0.5, 3.0]), np.array(
        [0.5, 1.2, 0.8])  # fmt: skip
    far = np.concatenate([rng.normal(0, 2, size=8), [-90.0, 75.0, 120.0]])
    cases.append({"x": far, "weights": weights, "means": means, "sds": sds})
    return cases


def _e_step_no_weights(x, weights, means, sds):
    return _softmax_rows(_log_weighted(x, np.ones_like(weights), means, sds))


def _e_step_no_logsumexp(x, weights, means, sds):
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.exp(_log_weighted(x, weights, means, sds))
        return dens / dens.sum(axis=1, keepdims=True)


def _e_step_over_points(x, weights, means, sds):
    return _softmax_rows(_log_weighted(x, weights, means, sds), axis=0)


def _e_step_variances_as_scale(x, weights, means, sds):
    return _softmax_rows(_log_weighted(x, weights, means, np.asarray(sds) ** 2))


def _e_step_sds_as_variances(x, weights, means, sds):
    return _softmax_rows(_log_weighted(x, weights, means, np.sqrt(sds)))


def _e_step_logs(x, weights, means, sds):
    from helpers.mixture import e_step

    return e_step(x, weights, means, np.asarray(sds) ** 2)[1]


E_STEP = FunctionExercise(
    "05.8",
    "Write the E-step in log space: the responsibilities r[n, k] = p(z_n = k | x_n) of 1-D "
    "data x under a mixture with the given weights, means and standard deviations.",
    _e_step_reference,
    _e_step_cases,
    "work with log alpha_k + log N(x_n; mu_k, sigma_k^2), an (n, K) array; normalise each row "
    "with scipy.special.logsumexp (over the components, axis=1), and exponentiate only at "
    "the end.",
    starter="def e_step(x, weights, means, sds):",
    slips=(
        (_e_step_no_weights,
         "The weights alpha_k are missing: a component's responsibility starts from "
         "alpha_k times its density, not the density alone."),
        (_e_step_over_points,
         "You normalised over the points (down each column). A responsibility shares one "
         "point among the components: each row must sum to 1."),
        (_e_step_variances_as_scale,
         "The spread is off: you used the variances sigma^2 where a standard deviation is "
         "meant (scipy's scale takes sigma itself; sds are already standard deviations)."),
        (_e_step_sds_as_variances,
         "The spread is off: you used the standard deviations as variances (as if sds were "
         "sigma^2). Where a formula or a helper wants the variance, square the sds."),
        (_e_step_logs,
         "Those are the log responsibilities: return r itself (exponentiate at the end), so "
         "each row sums to 1."),
        (_e_step_no_logsumexp,
         "This hidden case has points far from every mean, where every density underflows to "
         "0 and 0/0 gives nan. Stay in log space: normalise with logsumexp over the "
         "components, and exponentiate only the normalised logs."),
    ),
)  # fmt: skip


def _em_step_reference(x, weights, means, sds):
    from helpers.mixture import m_step

    resp = _e_step_reference(x, weights, means, sds)
    new_weights, new_means, covariances = m_step(x, resp, reg_covar=0.0)
    return new_weights, new_means[:, 0], np.sqrt(covariances[:, 0, 0])


def _em_step_cases(rng):
    cases = []
    for n, k in ((12, 2), (60, 2), (150, 3), (90, 4)):
        means = np.sort(rng.uniform(-6, 6, size=k)) + np.arange(k) * 1.5
        sds = rng.uniform(0.6, 1.6, size=k)
        z = np.r_[np.arange(k), rng.integers(0, k, size=n - k)]  # every component has points
        x = rng.normal(means[z], sds[z])
        start_means = means + rng.normal(0, 0.8, size=k)
        start_sds = rng.uniform(0.7, 2.0, size=k)
        weights = rng.dirichlet(np.full(k, 4.0))
        cases.append({"x": x, "weights": weights, "means": start_means, "sds": start_sds})
    return cases


def _m_step_slip(x, resp, *, old_means=None, by_n=False, power=0.5, unnormalised=False):
    """An M-step with one slip: spread around ``old_means``, divided by n, the variance
    returned (power 1), or the weights left as counts N_k."""
    x = np.asarray(x)
    nk = resp.sum(axis=0)
    denom = x.size if by_n else nk
    means = resp.T @ x / denom
    centre = means if old_means is None else old_means
    var = np.sum(resp * (x[:, None] - centre) ** 2, axis=0) / denom
    weights = nk if unnormalised else nk / x.size
    return weights, means, var**power


def _em_step_with(*, hard=False, old=False, **options):
    """One EM iteration with a slip in the M-step (see :func:`_m_step_slip`); ``hard``
    replaces the responsibilities by 0/1 assignments to the most responsible component."""

    def wrong(x, weights, means, sds):
        resp = _e_step_reference(x, weights, means, sds)
        if hard:
            resp = np.eye(resp.shape[1])[resp.argmax(axis=1)]
        return _m_step_slip(x, resp, old_means=means if old else None, **options)

    return wrong


EM_STEP = FunctionExercise(
    "05.9",
    "Write one EM iteration on 1-D data: the E-step (yours from 05.8), then the M-step's "
    "closed forms; return the new weights, means and standard deviations.",
    _em_step_reference,
    _em_step_cases,
    "with r from the E-step and N_k = sum_n r[n, k]: alpha_k = N_k / n, mu_k = the "
    "r-weighted mean of x over N_k, and sigma_k = the square root of the r-weighted mean "
    "squared distance from the new mu_k. Return the three arrays in that order.",
    starter="def em_step(x, weights, means, sds):",
    slips=(
        (_em_step_with(old=True),
         "The spread is measured around the old means. The M-step first computes the new "
         "means and then the spread around them (the update order matters)."),
        (_em_step_with(by_n=True),
         "You divided by the number of points n. Each component's mean and spread are "
         "averages over its own share of the data: divide by N_k, the sum of its "
         "responsibilities."),
        (_em_step_with(power=1.0),
         "The third output is the variance; the function returns standard deviations "
         "(take the square root)."),
        (_em_step_with(hard=True),
         "Those are hard assignments (each point to its most responsible component, as in "
         "k-means). EM weights every point by its responsibility r[n, k] in every component."),
        (_em_step_with(unnormalised=True),
         "The weights are the counts N_k; alpha_k is a share of the data and must sum to 1."),
    ),
)  # fmt: skip
