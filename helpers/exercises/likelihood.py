"""Notebook 01's exercises: the log-likelihood and an interval for mu written by the student (two
write-the-algorithm exercises), the score, underflow, units, a Laplace derivation, a grid.

Introduced in ``01_likelihood.ipynb``; worked solutions in
``notebooks/solutions/01_likelihood_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register


def _ex_01_2() -> float:
    from helpers.scores import normal_score

    return float(normal_score(1.0, mu=3.0, sigma=0.5))


def _faithful():
    from helpers.data import load_old_faithful

    return load_old_faithful()


def _ex_01_4() -> float:
    from helpers.distributions import normal_pdf

    x = _faithful()["eruptions"].to_numpy()
    tiled = np.tile(x, 20)  # the eruptions, repeated until the product underflows
    prod = np.cumprod(normal_pdf(tiled, x.mean(), x.std()))
    return float(np.argmax(prod == 0.0) + 1)


def _ex_01_4_off_by_one() -> float:
    return _ex_01_4() - 1


def _ex_01_4_estimate() -> float:
    """The back-of-the-envelope estimate the prompt asks for first: the floor over the
    average log density per point, rounded."""
    from helpers.distributions import normal_loglik

    x = _faithful()["eruptions"].to_numpy()
    average = float(normal_loglik(x, x.mean(), x.std())) / x.size
    return float(round(744 / -average))


def _ex_01_5() -> float:
    """The Laplace location MLE of the waiting times: the median, whatever the scale b."""
    return float(np.median(_faithful()["waiting"]))


def _ex_01_5_mean() -> float:
    return float(_faithful()["waiting"].mean())


#: 01.6: what changes when the waiting times are in hours. The options, in the notebook's words:
#: a: the best-fitting Gaussian changes (mu_hat, sigma_hat in hours are not the minute values / 60);
#: b: between corresponding fits l shifts by one constant (n log 60), the same at every
#:    (mu, sigma): the same Gaussian fits best, and the gaps between fits do not change;
#: c: nothing changes, not even l at the best fit: l is a property of the data, not of the units;
#: d: hours fit the data better, because the log-likelihood at the best fit is higher.
#: The four are worded alike and about as long, and (b) does not copy the lesson's sentence.
OPTIONS_01_6 = ("a", "b", "c", "d")


#: 01.7: the grid on which the student evaluates l(mu, sigma) from scratch.
GRID_01_7 = {"mu": np.linspace(2.5, 4.5, 101), "sigma": np.linspace(0.5, 2.0, 76)}


def _ex_01_7_grid(logpdf_fn) -> np.ndarray:
    """l(mu, sigma) of the eruption durations over GRID_01_7, shape (76, 101), with a given
    log density ``logpdf_fn(x, mu, sigma)`` (the right one, or a slip)."""
    x = _faithful()["eruptions"].to_numpy()[:, None, None]
    mu, sigma = np.meshgrid(GRID_01_7["mu"], GRID_01_7["sigma"])
    return logpdf_fn(x, mu, sigma).sum(axis=0)


def _ex_01_7() -> float:
    from helpers.distributions import normal_logpdf

    return float(_ex_01_7_grid(normal_logpdf).max())


def _ex_01_7_slip(kind: str) -> float:
    """01.7 with a typical slip: no square root, no 2 pi, log10, or a mean instead of a sum."""
    from helpers.distributions import normal_logpdf

    slips = {
        "no_sqrt": lambda x, m, s: -((x - m) ** 2) / (2 * s**2) - np.log(2 * np.pi * s**2),
        "no_2pi": lambda x, m, s: -((x - m) ** 2) / (2 * s**2) - np.log(s),
        "log10": lambda x, m, s: normal_logpdf(x, m, s) / np.log(10),
    }
    if kind == "mean":
        return _ex_01_7() / _faithful()["eruptions"].size
    return float(_ex_01_7_grid(slips[kind]).max())


register(Exercise(
    "01.2",
    "The score d/dx log p(x) of the Gaussian with mean 3 and sd 0.5 at x = 1.",
    _ex_01_2,
    "differentiate log p(x) with respect to x; the score points towards the mode.",
    mistakes=(
        (lambda: -_ex_01_2(), "Check the sign: x = 1 is left of the mode; the score points right."),
        (lambda: _ex_01_2() * 0.5, "Divide by the variance sigma**2, not by sigma."),
    ),
))  # fmt: skip
register(Exercise(
    "01.4",
    "Repeat the 272 eruption durations 20 times. First estimate, from their average log density "
    "(about -1.55 nats per point), after how many points the running product of their densities "
    "passes the floor of -744 nats; then compute: at which n does the running product under the "
    "fitted Gaussian first become exactly 0.0?",
    _ex_01_4,
    "np.cumprod gives every running product at once; np.argmax on a boolean array finds the "
    "first True; positions count from 0, n counts from 1.",
    integer=True,
    mistakes=(
        (_ex_01_4_off_by_one, "Nearly: positions count from 0, but n counts from 1."),
        (_ex_01_4_estimate,
         "That is the estimate, and a good one; the check wants the exact n at which the "
         "running product itself first becomes 0.0."),
    ),
))  # fmt: skip
register(Exercise(
    "01.5",
    "The Laplace density p(x | m, b) = exp(-|x - m| / b) / (2 b). Derive the maximum-likelihood "
    "m, then give it for the 272 waiting times (with b = 10 min).",
    _ex_01_5,
    "write l(m) = -sum |x_i - m| / b - n log(2 b) and find where its slope in m changes sign: "
    "each point contributes +1/b or -1/b, whatever its distance.",
    mistakes=(
        (_ex_01_5_mean,
         "That is the sample mean, the Gaussian's answer. Differentiate |x - m| (not (x - m)**2): "
         "every point pulls with the same strength, however far away it is."),
    ),
))  # fmt: skip
register(Exercise(
    "01.6",
    "The waiting times are converted from minutes to hours. Which statement is true? "
    "(a, b, c or d; see the notebook)",
    lambda: "b",
    "a density is per unit of x: how does a density per hour compare with one per minute, "
    "and does the factor depend on mu or sigma?",
    options=OPTIONS_01_6,
    mistakes=(
        (lambda: "a", "Convert the fit back to minutes: every density changes by the same "
         "factor between corresponding fits, so the maximiser is the same Gaussian."),
        (lambda: "c", "A density has units of 1/(unit of x): a density per hour is 60 times "
         "the density per minute, so each log density changes."),
        (lambda: "d", "Only differences between fits of the same data in the same units mean "
         "anything: a constant added at every (mu, sigma) says nothing about the fit."),
    ),
))  # fmt: skip
register(Exercise(
    "01.7",
    "From scratch (numpy only, no helpers): the largest Gaussian log-likelihood of the eruption "
    "durations over the grid mu = np.linspace(2.5, 4.5, 101), sigma = np.linspace(0.5, 2.0, 76).",
    _ex_01_7,
    "one broadcast expression of shape (272, 76, 101): the log density from its formula, "
    "summed over the data axis; then the largest entry.",
    mistakes=(
        (lambda: _ex_01_7_slip("no_sqrt"),
         "Check the normalising constant: log of 1/sqrt(2 pi sigma^2) is -0.5 log(2 pi sigma^2)."),
        (lambda: _ex_01_7_slip("no_2pi"),
         "The constant -0.5 log(2 pi) per point is part of the log density: keep it."),
        (lambda: _ex_01_7_slip("log10"), "Use natural logs (np.log): nats, not log10."),
        (lambda: _ex_01_7_slip("mean"),
         "That is the average log density; the log-likelihood sums over the data."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises (check_function): the student's function against the
# helpers on hidden random cases, with the slips students really make.


def _loglik_cases(rng) -> list:
    """Three samples of growing size; the last is large enough that a product of its
    densities underflows to 0.0 (about -2.8 nats a point, -8,400 nats in all)."""
    return [
        {"x": rng.normal(1.0, 1.5, size=5), "mu": 1.5, "sigma": 1.5},  # not 2: log 2 = log sigma
        {"x": rng.normal(-3.0, 0.5, size=50), "mu": -3.2, "sigma": 0.5},
        {"x": rng.normal(10.0, 4.0, size=3000), "mu": 9.0, "sigma": 4.0},
    ]


def _loglik_reference(x, mu, sigma) -> float:
    from helpers.distributions import normal_loglik

    return float(normal_loglik(x, mu, sigma))


def _loglik_product(x, mu, sigma) -> float:
    """The slip: multiply the densities, then take the log (0.0, so -inf, for many points)."""
    from helpers.distributions import normal_pdf

    with np.errstate(divide="ignore", under="ignore"):
        return float(np.log(np.prod(normal_pdf(x, mu, sigma))))


def _loglik_no_sqrt(x, mu, sigma) -> float:
    return float(np.sum(-((x - mu) ** 2) / (2 * sigma**2) - np.log(2 * np.pi * sigma**2)))


def _loglik_no_2pi(x, mu, sigma) -> float:
    return float(np.sum(-((x - mu) ** 2) / (2 * sigma**2) - np.log(sigma)))


def _loglik_log_sigma2(x, mu, sigma) -> float:
    """The slip: log sigma^2 per point where log sigma belongs (the constant off by log sigma)."""
    const = -np.log(sigma**2) - 0.5 * np.log(2 * np.pi)
    return float(np.sum(-((x - mu) ** 2) / (2 * sigma**2) + const))


def _loglik_root_of_2pi_sigma(x, mu, sigma) -> float:
    """The slip: the root of 2 pi sigma, not of 2 pi sigma^2 (off by half of log sigma)."""
    return float(np.sum(-((x - mu) ** 2) / (2 * sigma**2) - 0.5 * np.log(2 * np.pi * sigma)))


_CONSTANT_HINT = (
    "Your values are off by the same amount for every point, whatever x is: check the terms "
    "that do not depend on x, the log of the normalising constant (section 1's pitfall). "
    "Which power of sigma does it hold?"
)


#: Slips in the term that involves neither x nor sigma: each point's log density off by the same
#: amount, so the total is off by n times it (log 2 pi for half of it, a sign, log pi for log 2 pi).
_PER_POINT_OFFSETS = {
    "log_2pi": -0.5 * np.log(2 * np.pi),  # - log(2 pi) where - 0.5 log(2 pi) belongs
    "plus_half_log_2pi": np.log(2 * np.pi),  # + 0.5 log(2 pi): the constant's sign flipped
    "half_log_pi": 0.5 * np.log(2.0),  # - 0.5 log(pi): the 2 of 2 pi lost
}


def _loglik_constant_off(kind: str):
    """A slip whose log density is off by one fixed amount per point, whatever x and sigma are."""
    offset = _PER_POINT_OFFSETS[kind]

    def slipped(x, mu, sigma) -> float:
        return _loglik_reference(x, mu, sigma) + offset * np.size(x)

    return slipped


_SAME_PER_POINT_HINT = (
    "Your values are off by the same amount for every point, whatever x is (and whatever sigma "
    "is): check the terms that do not involve x, above all the constant that involves neither "
    "x nor sigma. Compare it term by term with the log density of section 2."
)


def _same_offset_per_point(run, cases) -> str | None:
    """Any slip that shifts every point's log density by one amount, whatever x and sigma are.

    The hidden cases have different sigmas and sizes: a total off by n times the same number
    on all of them is a wrong constant (the listed offsets are three of infinitely many).
    """
    offsets = []
    for case in cases:
        got = run(case)
        if got is None or np.size(got) != 1:
            return None
        offsets.append((float(np.asarray(got)) - _loglik_reference(**case)) / np.size(case["x"]))
    offsets = np.array(offsets)
    if not np.all(np.isfinite(offsets)) or abs(offsets[0]) < 1e-9:
        return None
    return _SAME_PER_POINT_HINT if np.allclose(offsets, offsets[0], rtol=1e-6) else None


def _loglik_likelihood(x, mu, sigma) -> float:
    from helpers.distributions import normal_pdf

    return float(np.prod(normal_pdf(x, mu, sigma)))


LOG_LIKELIHOOD = FunctionExercise(
    key="01.1",
    question="Write the Gaussian log-likelihood of a sample in log space: one number, in nats.",
    reference=_loglik_reference,
    cases=_loglik_cases,
    hint="write log p(x_i | mu, sigma) from the formula of section 2 for all points at once "
    "(an array), then add them up; never form the densities themselves.",
    starter="def log_likelihood(x, mu, sigma):",
    diagnose=_same_offset_per_point,
    slips=(
        (lambda x, mu, sigma: _loglik_reference(x, mu, np.sqrt(sigma)),
         "It looks like sigma was used as the variance; here sigma is the standard deviation, "
         "and the variance is its square."),
        (_loglik_no_sqrt,
         "Check the normalising constant: it is 1/sqrt(2 pi sigma^2), with the square root, "
         "so its log is half of log(2 pi sigma^2)."),
        (_loglik_log_sigma2, _CONSTANT_HINT),
        (_loglik_root_of_2pi_sigma, _CONSTANT_HINT),
        *((_loglik_constant_off(kind), _SAME_PER_POINT_HINT) for kind in _PER_POINT_OFFSETS),
        (_loglik_no_2pi,
         "The constant -0.5 log(2 pi) per point is part of the log density: keep it."),
        (_loglik_product,
         "You multiplied the densities and took the log at the end: right for a few points, but "
         "for many points the product underflows to 0.0 and its log is -inf (section 4). Add "
         "log densities instead."),
        (_loglik_likelihood,
         "That is the likelihood L, a product of densities; the question asks for log L, a sum "
         "of log densities."),
        (lambda x, mu, sigma: _loglik_reference(x, mu, sigma) / x.size,
         "That is the average log density (nats per point); the log-likelihood sums over the "
         "data."),
        (lambda x, mu, sigma: _loglik_reference(x, mu, sigma) / np.log(10),
         "Use natural logs (np.log): nats, not log10."),
    ),
)  # fmt: skip


def _interval_cases(rng) -> list:
    return [
        {"x": rng.normal(70.0, 13.0, size=12), "sigma": 13.0, "nats": 1.92},
        {"x": rng.normal(3.5, 1.1, size=40), "sigma": 1.1, "nats": 3.0},
        {"x": rng.normal(-2.0, 0.3, size=200), "sigma": 0.3, "nats": 1.0},
    ]


def _interval(centre, sigma, nats, n, *, factor=2.0):
    half = sigma * np.sqrt(factor * nats / n)
    return float(centre - half), float(centre + half)


def _interval_reference(x, sigma, nats):
    return _interval(np.mean(x), sigma, nats, x.size)


MU_INTERVAL = FunctionExercise(
    key="01.3",
    question="The interval of mu whose log-likelihood, with sigma fixed, is within `nats` of "
    "its maximum: (low, high).",
    reference=_interval_reference,
    cases=_interval_cases,
    hint="with sigma fixed, write l(mu) - l(x_bar) as a function of mu (section 5: a parabola "
    "with its peak at x_bar) and solve l(mu) - l(x_bar) = -nats for mu.",
    starter="def mu_interval(x, sigma, nats):",
    slips=(
        (lambda x, sigma, nats: _interval(np.mean(x), sigma, nats, x.size, factor=1.0),
         "Nearly: keep the 2 of the 2 sigma^2 in the parabola's denominator."),
        (lambda x, sigma, nats: _interval(np.mean(x), sigma, nats, 1),
         "Your interval does not shrink as the sample grows: l(mu) sums over all n points, so "
         "its parabola is n times as sharply curved as one point's."),
        (lambda x, sigma, nats: _interval(np.mean(x), sigma**2, nats, x.size),
         "You used the variance sigma^2 where the standard deviation sigma belongs."),
        (lambda x, sigma, nats: _interval(np.mean(x), np.sqrt(sigma), nats, x.size),
         "sigma is the standard deviation already: do not take its square root."),
        (lambda x, sigma, nats: _interval(np.mean(x), np.std(x), nats, x.size),
         "sigma is given and held fixed: use it, not the spread of this sample."),
        (lambda x, sigma, nats: _interval(np.median(x), sigma, nats, x.size),
         "Centre the interval where l(mu) peaks: for a Gaussian that is the mean, not the "
         "median."),
    ),
    rtol=1e-5,  # a root finder with a tight tolerance passes too
)  # fmt: skip


register(LOG_LIKELIHOOD)
register(MU_INTERVAL)
