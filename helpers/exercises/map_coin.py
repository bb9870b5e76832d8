"""Notebook 04's exercises: MAP, the Beta posterior, the predictive, a prior on a grid.

Introduced in ``04_map_coin.ipynb``; worked solutions in
``notebooks/solutions/04_map_coin_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

D = (0, 0, 1, 1, 0, 0, 1)  # the lesson's seven tosses, 1 = heads
EIGHT_OF_TEN = (1,) * 8 + (0,) * 2


def _ex_04_1() -> float:
    from helpers.bayes import predictive_heads

    return float(predictive_heads(EIGHT_OF_TEN, a=3.0, b=3.0))


def _ex_04_1_map() -> float:
    from helpers.bayes import beta_mode, beta_posterior

    return float(beta_mode(*beta_posterior(EIGHT_OF_TEN, a=3.0, b=3.0)))


def _ex_04_2() -> float:
    from helpers.bayes import beta_posterior

    a_post, b_post = beta_posterior((1, 0, 0, 0))  # uniform prior
    return float(b_post * (b_post + 1) / ((a_post + b_post) * (a_post + b_post + 1)))


def _ex_04_2_plugin_mean() -> float:
    from helpers.bayes import predictive_heads

    return float((1 - predictive_heads((1, 0, 0, 0))) ** 2)


def _ex_04_3(sd=None) -> float:
    from helpers.bayes import coin_map

    sd = np.sqrt(0.02) if sd is None else sd  # the exercise states the variance, 0.02
    return float(coin_map(D, prior_mean=0.7, prior_sd=sd))


def _ex_04_6(prior_sd=0.1, cells=200_000) -> float:
    from scipy import stats

    from helpers.bayes import grid_posterior

    theta = (np.arange(cells) + 0.5) / cells
    density = grid_posterior(theta, D, stats.norm.logpdf(theta, 0.5, prior_sd))
    return float(density[theta > 0.5].sum() / cells)


def _ex_04_6_uniform() -> float:
    from scipy import stats

    return float(stats.beta.sf(0.5, 4, 5))


register(Exercise(
    "04.1",
    "A coin lands heads 8 times in 10 tosses. With a Beta(3, 3) prior on its bias, what is "
    "the probability that the 11th toss is heads?",
    _ex_04_1,
    "average the chance of heads over the posterior: which summary of the posterior is that?",
    mistakes=(
        (_ex_04_1_map, "That is the posterior mode (the MAP); the predictive is the mean."),
        (lambda: 0.8, "That is the MLE h/n: it ignores the prior."),
        (lambda: 9 / 12, "That is Laplace's rule, for the uniform prior; here a = b = 3."),
        (lambda: 11 / 13, "Check the denominator: it counts the prior's a and b, n + a + b."),
    ),
))  # fmt: skip
register(Exercise(
    "04.2",
    "Derive P(two tails in a row | D) = E[(1 - theta)^2] under a Beta(a', b') posterior. Then "
    "evaluate it after the tosses (1, 0, 0, 0) with a uniform prior.",
    _ex_04_2,
    "E[(1 - theta)^2] is the second moment of 1 - theta, which is itself Beta distributed "
    "(with a' and b' swapped); the Beta integral gives each moment as a ratio of counts.",
    mistakes=(
        (lambda: (3 / 4) ** 2, "That squares the MLE of P(tails): a plug-in estimate, not the "
                               "average of (1 - theta)^2 over the posterior."),
        (_ex_04_2_plugin_mean, "That squares the predictive P(tails): E[(1 - theta)]^2 is not "
                               "E[(1 - theta)^2]; the difference is the posterior variance."),
    ),
))  # fmt: skip
register(Exercise(
    "04.3",
    "For the lesson's tosses D, what is theta_MAP under a Gaussian prior with mean 0.7 and "
    "VARIANCE 0.02 (restricted to (0, 1))?",
    _ex_04_3,
    "coin_map takes a standard deviation; or find the root in (0, 1) of the stationarity cubic.",
    mistakes=(
        (lambda: _ex_04_3(0.02), "Here 0.02 is the variance; prior_sd is its square root."),
        (lambda: _ex_04_3(0.02**2), "prior_sd is the square root of the variance, not its square."),
        (lambda: 3 / 7, "That is the MLE: the prior has no pull in it."),
    ),
))  # fmt: skip
register(Exercise(
    "04.4",
    "With a Beta(2, 2) prior, after h heads in n tosses, the number (h + 1)/(n + 2) is... "
    "(a) the posterior mode  (b) the posterior mean  (c) the MLE  (d) the prior mean",
    lambda: "a",
    "write down the posterior's Beta parameters first, then compare (h + 1)/(n + 2) with the "
    "formulas for a Beta's mode and mean.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "b", "What is the mean of Beta(h + 2, n - h + 2)? Does it equal (h + 1)/(n + 2)?"),
        (lambda: "c", "The MLE is h/n whatever the prior: is (h + 1)/(n + 2) equal to h/n?"),
        (lambda: "d", "The prior mean of Beta(2, 2) is a fixed number: does (h + 1)/(n + 2) "
                      "depend on the data?"),
    ),
))  # fmt: skip
register(Exercise(
    "04.5",
    "A Gaussian prior on theta puts some mass outside [0, 1]. Truncating it to (0, 1) and "
    "renormalising changes... (a) the MAP  (b) only the prior's density, by a constant factor  "
    "(c) nothing at all  (d) the likelihood",
    lambda: "b",
    "write the truncated prior as the Gaussian times an indicator, divided by a number.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "Dividing the prior by a constant shifts the log-posterior by a constant: "
                      "does a shift move its peak?"),
        (lambda: "c", "Inside (0, 1), is the renormalised density the same number as before?"),
        (lambda: "d", "Does the likelihood p(D | theta) contain the prior anywhere?"),
    ),
))  # fmt: skip
register(Exercise(
    "04.6",
    "From scratch (numpy and scipy.special.logsumexp only): the posterior probability that "
    "theta > 0.5 after D, under a Gaussian prior with mean 0.5 and standard deviation 0.1 "
    "restricted to (0, 1), computed on a grid in log space.",
    _ex_04_6,
    "log-likelihood plus log-prior on a fine grid of cell midpoints, subtract the logsumexp, "
    "exponentiate, and add up the cells above 0.5.",
    rtol=2e-3,
    mistakes=(
        (lambda: _ex_04_6(np.sqrt(0.1)), "Here 0.1 is the standard deviation, not the variance."),
        (_ex_04_6_uniform, "That is the answer under a uniform prior: add the log-prior."),
        (lambda: 1 - _ex_04_6(), "That is P(theta < 0.5): check the direction of the inequality."),
    ),
))  # fmt: skip
