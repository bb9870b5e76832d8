"""Notebook 05's exercises: the mixture density, responsibilities, EM, BIC, KDE bandwidths.

Introduced in ``05_gmm_em.ipynb``; worked solutions in
``notebooks/solutions/05_gmm_em_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

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
