"""Notebook 04's exercises: MAP, the Beta posterior, the predictive, a prior on a grid.

Introduced in ``04_map_coin.ipynb``; worked solutions in
``notebooks/solutions/04_map_coin_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

D = (0, 0, 1, 1, 0, 0, 1)  # the lesson's seven tosses, 1 = heads
EIGHT_OF_TEN = (1,) * 8 + (0,) * 2


def _ex_04_1() -> float:
    from helpers.bayes import predictive_heads

    return float(predictive_heads(EIGHT_OF_TEN, a=3.0, b=3.0))


def _ex_04_1_map() -> float:
    from helpers.bayes import beta_mode, beta_posterior

    return float(beta_mode(*beta_posterior(EIGHT_OF_TEN, a=3.0, b=3.0)))


def _tails_in_a_row(k: int) -> float:
    """E[(1 - theta)^k] after (1, 0, 0, 0), uniform prior: B(a', b' + k) / B(a', b')."""
    from scipy.special import betaln

    from helpers.bayes import beta_posterior

    a_post, b_post = beta_posterior((1, 0, 0, 0))  # uniform prior
    return float(np.exp(betaln(a_post, b_post + k) - betaln(a_post, b_post)))


def _ex_04_2() -> float:
    return _tails_in_a_row(3)


def _ex_04_2_plugin_mean() -> float:
    from helpers.bayes import predictive_heads

    return float((1 - predictive_heads((1, 0, 0, 0))) ** 3)


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
        (lambda: 11 / 13, "Check the denominator: what does it count once the prior has added its "
         "pseudo-tosses?"),
    ),
))  # fmt: skip
register(Exercise(
    "04.2",
    "Derive P(three tails in a row | D) = E[(1 - theta)^3] under a Beta(a', b') posterior. Then "
    "evaluate it after the tosses (1, 0, 0, 0) with a uniform prior.",
    _ex_04_2,
    "E[(1 - theta)^3] is a Beta integral: theta^(a'-1) (1 - theta)^(b'+2) integrates to a Beta "
    "function; Gamma(x + 1) = x Gamma(x) turns the ratio of Beta functions into a ratio of counts.",
    mistakes=(
        (lambda: (3 / 4) ** 3, "That cubes the MLE of P(tails): a plug-in estimate, not the "
                               "average of (1 - theta)^3 over the posterior."),
        (_ex_04_2_plugin_mean, "That cubes the predictive P(tails): E[1 - theta]^3 is not "
                               "E[(1 - theta)^3]; the posterior's spread adds to it."),
        (lambda: _tails_in_a_row(2), "That is two tails in a row; the question asks for three."),
    ),
))  # fmt: skip
register(Exercise(
    "04.3",
    "For the lesson's tosses D, what is theta_MAP under a Gaussian prior with mean 0.7 and "
    "VARIANCE 0.02 (restricted to (0, 1))?",
    _ex_04_3,
    "coin_map takes a standard deviation; or find the root in (0, 1) of the stationarity cubic.",
    mistakes=(
        (
            lambda: _ex_04_3(0.02),
            "Is 0.02 a standard deviation or a variance here? Which one does coin_map take?",
        ),
        (lambda: _ex_04_3(0.02**2), "prior_sd is the square root of the variance, not its square."),
        (lambda: 3 / 7, "That is the MLE: the prior has no pull in it."),
    ),
))  # fmt: skip
register(Exercise(
    "04.5",
    "A Gaussian prior on theta puts some mass outside [0, 1]. Truncating it to (0, 1) and "
    "renormalising changes which of these? (a) the MAP  (b) the normalised posterior on (0, 1)  "
    "(c) the evidence p(D)  (d) the likelihood",
    lambda: "c",
    "write the truncated prior as the Gaussian times an indicator, divided by a number Z, and "
    "follow Z through Bayes' rule.",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "Dividing the prior by a constant shifts the log-posterior by a constant: "
                      "does a shift move its peak?"),
        (lambda: "b", "The factor 1/Z multiplies the numerator and the evidence alike: does it "
                      "survive the normalisation?"),
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


# --------------------------------------------------------------------------------------
# Write the algorithm (check_function): the Beta-Bernoulli update toss by toss, and the
# beta-binomial predictive for the next m tosses. References from the helpers; each slip is a
# wrong version students write.


def _beta_updates(tosses, a, b):
    """Posterior Beta parameters after 0, 1, ..., n tosses, from :func:`beta_posterior`."""
    from helpers.bayes import beta_posterior

    pairs = [beta_posterior(tosses[:t], a=a, b=b) for t in range(len(tosses) + 1)]
    return tuple(np.array(p, dtype=float) for p in zip(*pairs, strict=True))


def _beta_updates_slip(tosses, a, b, *, slip):
    heads = np.concatenate([[0.0], np.cumsum(tosses)])
    seen = np.arange(heads.size, dtype=float)
    tails = seen - heads
    if slip == "swapped":
        return a + tails, b + heads
    if slip == "no prior":
        return heads, tails
    if slip == "uniform":
        return 1 + heads, 1 + tails
    if slip == "tosses":
        return a + heads, b + seen
    return a + heads[1:], b + tails[1:]  # "no start": the prior itself left out


def _toss_cases(rng, sizes) -> list:
    cases = []
    for n in sizes:
        p = rng.uniform(0.15, 0.45)  # lopsided, so heads and tails counts differ
        tosses = (rng.uniform(size=n) < p).astype(int)
        a, b = rng.uniform(1.5, 3.0), rng.uniform(3.5, 6.0)
        cases.append({"tosses": tosses, "a": float(a), "b": float(b)})
    return cases


BETA_UPDATES = FunctionExercise(
    key="04.4",
    question="Write the Beta-Bernoulli update toss by toss: under a Beta(a, b) prior, return the "
    "posterior's parameters after 0, 1, ..., n tosses, two arrays of shape (n + 1,) (the first "
    "entries are the prior's a and b).",
    reference=_beta_updates,
    cases=lambda rng: _toss_cases(rng, (9, 1, 40, 300)),
    hint="each toss adds one pseudo-count to one of the two parameters; which toss feeds which, "
    "and what do the arrays hold before any toss? numpy's cumulative sum saves the loop.",
    starter="def beta_updates(tosses, a, b):",
    slips=(
        (
            lambda **kw: _beta_updates_slip(**kw, slip="swapped"),
            "Heads and tails are swapped: a counts heads (theta is P(heads)), b counts tails.",
        ),
        (
            lambda **kw: _beta_updates_slip(**kw, slip="no prior"),
            "The prior's pseudo-counts are missing: the posterior starts from the prior's a and "
            "b, and the tosses add to them.",
        ),
        (
            lambda **kw: _beta_updates_slip(**kw, slip="uniform"),
            "You started from Beta(1, 1), the uniform prior: start from the a and b you are given.",
        ),
        (
            lambda **kw: _beta_updates_slip(**kw, slip="tosses"),
            "b counts the tails seen so far, not all the tosses.",
        ),
        (
            lambda **kw: _beta_updates_slip(**kw, slip="no start"),
            "Your arrays start after the first toss: the first entries are the prior's a and b "
            "(after 0 tosses), so each array has n + 1 entries.",
        ),
    ),
)


def _predictive_next(m, tosses, a, b):
    """P(j heads in the next m tosses | D), j = 0..m: the beta-binomial of the posterior."""
    from scipy import stats

    from helpers.bayes import beta_posterior

    a_post, b_post = beta_posterior(tosses, a=a, b=b)
    return stats.betabinom.pmf(np.arange(m + 1), m, a_post, b_post)


def _predictive_slip(m, tosses, a, b, *, slip):
    from scipy import stats
    from scipy.special import betaln

    h, n = int(np.sum(tosses)), len(tosses)
    a_post, b_post = a + h, b + n - h
    j = np.arange(m + 1)
    if slip == "mean":
        return stats.binom.pmf(j, m, a_post / (a_post + b_post))
    if slip == "map":
        return stats.binom.pmf(j, m, (a_post - 1) / (a_post + b_post - 2))
    if slip == "mle":
        return stats.binom.pmf(j, m, h / n)
    if slip == "prior":
        return stats.betabinom.pmf(j, m, a, b)
    if slip == "swapped":
        return stats.betabinom.pmf(j, m, b_post, a_post)
    # "one sequence": the probability of one particular order of j heads, no binomial coefficient
    return np.exp(betaln(a_post + j, b_post + m - j) - betaln(a_post, b_post))


def _predictive_cases(rng) -> list:
    cases = _toss_cases(rng, (7, 40, 12, 1_500))
    for case, m in zip(cases, (5, 12, 1, 30), strict=True):
        case["m"] = m
    return [{"m": c["m"], "tosses": c["tosses"], "a": c["a"], "b": c["b"]} for c in cases]


PREDICTIVE_NEXT = FunctionExercise(
    key="04.7",
    question="Write the posterior predictive of the number of heads in the next m tosses, "
    "under a Beta(a, b) prior after the tosses D: P(j heads in m | D) for j = 0, 1, ..., m, "
    "shape (m + 1,).",
    reference=_predictive_next,
    cases=_predictive_cases,
    hint="given theta the count of heads is binomial, but theta is uncertain: what do you do "
    "with the posterior? The integral has a closed form. Work in log space: after many tosses "
    "some of the numbers underflow.",
    starter="def predictive_next(m, tosses, a, b):",
    slips=(
        (
            lambda **kw: _predictive_slip(**kw, slip="mean"),
            "That is a binomial with theta fixed at the posterior mean: right for one toss, too "
            "narrow for m tosses, because it forgets that theta is uncertain. Integrate the "
            "binomial over the posterior instead.",
        ),
        (
            lambda **kw: _predictive_slip(**kw, slip="map"),
            "That plugs the MAP into a binomial: theta is uncertain, so average the binomial "
            "over the whole posterior instead of fixing theta at its mode.",
        ),
        (
            lambda **kw: _predictive_slip(**kw, slip="mle"),
            "That plugs the MLE h/n into a binomial: it ignores the prior and the uncertainty "
            "in theta. Average over the posterior.",
        ),
        (
            lambda **kw: _predictive_slip(**kw, slip="prior"),
            "That averages over the prior: the tosses D have not updated it. Use the posterior.",
        ),
        (
            lambda **kw: _predictive_slip(**kw, slip="swapped"),
            "Heads and tails are swapped in the posterior: a counts heads, b counts tails.",
        ),
        (
            lambda **kw: _predictive_slip(**kw, slip="one sequence"),
            "That is the probability of one particular order of j heads and m - j tails: "
            "several orders give j heads; count them.",
        ),
    ),
)

#: The write-the-algorithm exercises.
WRITE_THE_ALGORITHM = (BETA_UPDATES, PREDICTIVE_NEXT)
for _exercise in WRITE_THE_ALGORITHM:
    register(_exercise)
