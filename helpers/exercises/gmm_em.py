"""Notebook 05's exercises: the mixture's variance, responsibilities, the E-step and an EM iteration
(written by the student), local optima, BIC, and KDE bandwidths.

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
    """The variance of section 1's mixture, by numerical integration of its density."""
    from scipy import integrate

    from helpers.mixture import mixture_logpdf

    def moment(power):
        def f(x):
            return x**power * np.exp(mixture_logpdf([x], _W, _MU, _SD**2)[0])

        return integrate.quad(f, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-13)[0]

    return float(moment(2) - moment(1) ** 2)


def _mixture_variance(weights, sd_or_var, *, square=True, subtract=True) -> float:
    """sum_k alpha_k (sigma_k^2 + mu_k^2) - (sum_k alpha_k mu_k)^2, or a slip of it."""
    spread = np.asarray(sd_or_var) ** (2 if square else 1)
    second = np.sum(weights * (spread + _MU**2))
    return float(second - (np.sum(weights * _MU) ** 2 if subtract else 0.0))


def _ex_05_2() -> float:
    """x* where alpha_1 N(x; mu_1, 1) = alpha_2 N(x; mu_2, 1), found numerically."""
    from scipy import optimize

    from helpers.mixture import e_step

    def r1_minus_half(x):
        return float(np.exp(e_step([x], _W, _MU, [1.0, 1.0])[1][0, 0]) - 0.5)

    return float(optimize.brentq(r1_minus_half, _MU[0], _MU[1], xtol=1e-12))


def _n_parameters(K, d, *, free_weights=True, symmetric=True) -> int:
    """Free parameters of a full-covariance mixture: (K - 1) + K d + K d (d + 1) / 2."""
    cov = d * (d + 1) // 2 if symmetric else d * d
    return (K - 1 if free_weights else K) + K * d + K * cov


def _ex_05_6(*, half=True, log=np.log, extra=None, **count) -> float:
    """The log-likelihood gain at which BIC prefers K = 3 over K = 2 (d = 2, N = 272):
    BIC_3 < BIC_2 exactly when l_3 - l_2 > (p_3 - p_2) log(N) / 2."""
    from helpers.data import load_old_faithful

    n = len(load_old_faithful())
    if extra is None:
        extra = _n_parameters(3, 2, **count) - _n_parameters(2, 2, **count)
    return float(extra * log(n) / (2 if half else 1))


register(Exercise(
    "05.1",
    "The variance of the mixture with weights (0.3, 0.7), means (-2, 1.5), sds (0.6, 1.0).",
    _ex_05_1,
    "E[x^2] is the weighted average of each component's E[x^2] = sigma_k^2 + mu_k^2; subtract "
    "the square of the mixture's mean.",
    rtol=1e-4,
    mistakes=(
        (lambda: _mixture_variance(_W, _SD, subtract=False),
         "That is E[x^2]: subtract the square of the mixture's mean."),
        (lambda: float(np.sum(_W * _SD**2)),
         "That is only the average variance within the components; the spread of the "
         "component means adds to it."),
        (lambda: _mixture_variance(_W, _SD, square=False),
         "0.6 and 1.0 are standard deviations: square them."),
        (lambda: _mixture_variance(np.array([0.5, 0.5]), _SD),
         "Equal weights 1/2 are not the given weights (0.3, 0.7)."),
        (lambda: float(np.sum(_W * _MU**2) - np.sum(_W * _MU) ** 2),
         "That is only the spread of the component means; add the variance within each "
         "component."),
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
    "05.5",
    "Two starts, two different final log-likelihoods at the same K: what to conclude?",
    lambda: "c",
    "re-read sections 5, 6 and 10 (local maxima, label switching, collapse) and test every "
    "option against them.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "EM only climbs: it stops at a local maximum or a plateau near its start, "
                      "so two starts can end at two different values."),
        (lambda: "b", "Relisting the components never changes the log-likelihood, so it cannot "
                      "explain two different values."),
        (lambda: "d",
         "A higher likelihood can mislead with K fixed: a component squeezed onto one value "
         "raises it without limit (section 6). Look at A's components first."),
    ),
))  # fmt: skip
register(Exercise(
    "05.6",
    "Old Faithful in 2-D (N = 272), full covariances: how many nats of log-likelihood must "
    "K = 3 gain over K = 2 for BIC to prefer it?",
    _ex_05_6,
    "BIC = -2 l + p log N: BIC_3 < BIC_2 when the gain in l beats the extra parameters' "
    "penalty. Count what a third component adds: a weight, a mean vector, a covariance.",
    rtol=1e-4,
    mistakes=(
        (lambda: _ex_05_6(half=False),
         "BIC is in units of -2 l: divide the penalty by 2 to compare it with the "
         "log-likelihood."),
        (lambda: _ex_05_6(extra=5),
         "A third component also adds one free weight (K - 1 grows by one), besides its mean "
         "and covariance."),
        (lambda: _ex_05_6(symmetric=False),
         "A symmetric 2 x 2 covariance has 3 free entries, not 4."),
        (lambda: _ex_05_6(log=np.log10),
         "BIC uses the natural log of N."),
    ),
))  # fmt: skip
register(Exercise(
    "05.7",
    "Leave-one-out on the whole-minute waiting times stops at h = 0.23 min instead of 0: what "
    "stops it?",
    lambda: "b",
    "ask of each option whether it would stop h from going to 0, and check it against "
    "section 7's figure.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "The best h, 0.23 min, lies inside the grid, above its smallest value: "
                      "the search could have gone lower."),
        (lambda: "c", "Narrower kernels overlap less, not more: at h far below 1 min, "
                      "neighbouring minutes hardly touch."),
        (lambda: "d", "That is why LOO goes below the 1-min rounding, not what stops it: twins "
                      "would reward h all the way to 0."),
    ),
))  # fmt: skip
register(Exercise(
    "05.8",
    "The MISE-optimal bandwidth shrinks like N^(-1/5): by what factor must N grow to halve it?",
    lambda: 2.0**5,
    "write h(N') / h(N) = (N' / N)^(-1/5) = 1/2 and solve for N' / N.",
    mistakes=(
        (lambda: 2.0, "h shrinks like N^(-1/5), not like 1/N."),
        (lambda: 4.0, "h shrinks like N^(-1/5), not like N^(-1/2)."),
        (lambda: 2.0 ** (5 / 4), "That factor halves the MISE (which falls like N^(-4/5)), "
                                 "not the bandwidth."),
        (lambda: 2.0**-5, "The sample must grow, so the factor is above 1."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write the algorithm: the E-step in log space (05.3) and one EM iteration (05.4), 1-D data.
# The references are built from ``helpers.mixture``; the slips are what students write.


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
    "05.3",
    "Write the E-step in log space: the responsibilities r[n, k] = p(z_n = k | x_n) of 1-D "
    "data x under a mixture with the given weights, means and standard deviations.",
    _e_step_reference,
    _e_step_cases,
    "a responsibility is Bayes' rule for z_n (section 2); compare your numerator and your "
    "normaliser with it, and keep the sum over components in log space (section 2's last "
    "paragraph), so that far points cannot underflow.",
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
    "05.4",
    "Write one EM iteration on 1-D data: the E-step (yours from 05.3), then the M-step's "
    "closed forms; return the new weights, means and standard deviations.",
    _em_step_reference,
    _em_step_cases,
    "compare each output with section 3's closed forms: which average each one is, over "
    "what it is divided, which mean the spread is measured around, and whether a standard "
    "deviation or a variance is asked for.",
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
register(E_STEP)
register(EM_STEP)
