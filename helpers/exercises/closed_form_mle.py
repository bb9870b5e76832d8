"""Notebook 02's exercises: closed-form MLEs, their bias, regression, covariance rank, KL, GANs.

Introduced in ``02_closed_form_mle.ipynb``; worked solutions in
``notebooks/solutions/02_closed_form_mle_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register

#: 02.2's sample (waiting times between events, in hours).
EXPONENTIAL_SAMPLE = np.array([0.8, 2.1, 0.4, 1.5, 3.2])
#: 02.5: n points in d dimensions.
RANK_N, RANK_D = 4, 10
#: 02.7: the Gamma distribution's shape k and scale theta.
GAMMA_SHAPE, GAMMA_SCALE = 3.0, 2.0


def _penguins(species):
    from helpers.data import load_penguins

    df = load_penguins()
    return df[df["species"] == species]


def _gentoo_flippers():
    return _penguins("Gentoo")["flipper_length_mm"].to_numpy()


def _ex_02_1() -> float:
    from helpers.mle import gaussian_mle

    return gaussian_mle(_gentoo_flippers())[1]


def _ex_02_2() -> float:
    return float(EXPONENTIAL_SAMPLE.size / EXPONENTIAL_SAMPLE.sum())


def _adelie_xy():
    adelie = _penguins("Adelie")
    return adelie["flipper_length_mm"].to_numpy(), adelie["body_mass_g"].to_numpy()


def _ex_02_4() -> float:
    from helpers.mle import linear_regression_mle

    return float(np.sqrt(linear_regression_mle(*_adelie_xy())[2]))


def _ex_02_4_n_minus_2() -> float:
    n = _adelie_xy()[0].size
    return _ex_02_4() * np.sqrt(n / (n - 2))


def _ex_02_7() -> float:
    return float(np.sqrt(GAMMA_SHAPE) * GAMMA_SCALE)


register(Exercise(
    "02.1",
    "The maximum-likelihood variance of the Gentoo penguins' flipper lengths, in mm^2.",
    _ex_02_1,
    "the MLE divides the sum of squared deviations from the mean by n; keep only the Gentoo rows.",
    mistakes=(
        (lambda: float(np.var(_gentoo_flippers(), ddof=1)),
         "That divides by n - 1 (pandas' .var() default): unbiased, but not the maximiser."),
        (lambda: float(np.std(_gentoo_flippers())),
         "That is a standard deviation (mm); the question asks for the variance (mm^2)."),
        (lambda: float(np.var(_penguins("Adelie")["flipper_length_mm"])),
         "Check the species: that is the Adelie penguins."),
    ),
))  # fmt: skip
register(Exercise(
    "02.2",
    "Derive the MLE of the rate lambda of the exponential density lambda exp(-lambda x), then "
    "give its value for the sample EXPONENTIAL_SAMPLE (in 1/hour).",
    _ex_02_2,
    "the log density of one point is log(lambda) - lambda x; sum over the points, differentiate "
    "with respect to lambda, set to zero.",
    mistakes=(
        (lambda: float(EXPONENTIAL_SAMPLE.mean()),
         "That is the mean waiting time, 1/lambda (hours); the rate is per hour."),
        (lambda: float((EXPONENTIAL_SAMPLE.size - 1) / EXPONENTIAL_SAMPLE.sum()),
         "That uses n - 1 (an unbiased correction); the MLE is where d ell / d lambda = 0."),
        (lambda: float(1 / np.median(EXPONENTIAL_SAMPLE)),
         "The median appears for the Laplace location, not here: redo the derivative."),
    ),
))  # fmt: skip
register(Exercise(
    "02.3",
    "Which variance estimate is unbiased AND computable from the data alone? "
    "(a) 1/n sum (x_i - x_bar)^2, (b) 1/(n-1) sum (x_i - x_bar)^2, "
    "(c) 1/n sum (x_i - mu)^2 with the true mu, (d) 1/(n-1) sum (x_i - mu)^2 with the true mu.",
    lambda: "b",
    "two questions for each: does its average over many samples equal sigma^2, and could you "
    "evaluate it on a real data set?",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "That is the MLE: computable, but low by the factor (n - 1)/n on average."),
        (lambda: "c", "Unbiased, but it needs the true mean, which real data never give you."),
        (lambda: "d", "It needs the true mean, and with mu known, n - 1 makes it biased high."),
    ),
))  # fmt: skip
register(Exercise(
    "02.4",
    "From scratch (numpy only, no helpers, no np.polyfit): regress the Adelie penguins' body "
    "mass (g) on flipper length (mm) by maximum likelihood with Gaussian noise. "
    "What is the noise standard deviation sigma_hat, in grams?",
    _ex_02_4,
    "slope = sum((x - x_bar)(y - y_bar)) / sum((x - x_bar)^2), intercept from the means, then "
    "the root of the mean squared residual (divide by n).",
    mistakes=(
        (_ex_02_4_n_minus_2,
         "That divides the squared residuals by n - 2 (as regression software reports); the MLE "
         "divides by n."),
        (lambda: _ex_02_4() ** 2, "That is the variance (g^2); the question asks for sigma in g."),
        (lambda: float(np.std(_adelie_xy()[1])),
         "That is the spread of the body masses around their mean, not around the fitted line."),
    ),
))  # fmt: skip
register(Exercise(
    "02.5",
    f"n = {RANK_N} points in d = {RANK_D} dimensions, in general position. What is the rank of "
    "their maximum-likelihood covariance matrix?",
    lambda: float(RANK_N - 1),
    "the covariance is a sum of outer products of the centred points x_i - x_bar; how many of "
    "those are linearly independent, given that they add up to zero?",
    integer=True,
    mistakes=(
        (lambda: float(RANK_N), "Nearly: centring on the sample mean costs one dimension."),
        (lambda: float(RANK_D),
         "Full rank would need more points than dimensions; here n <= d."),
    ),
))  # fmt: skip
register(Exercise(
    "02.6",
    "A GAN's generator is trained by: (a) maximising the log-likelihood of the data, "
    "(b) maximising a lower bound on the log-likelihood (the ELBO), "
    "(c) an adversarial objective (fooling a discriminator), with no likelihood evaluated.",
    lambda: "c",
    "ask whether a GAN's generator gives a density p_theta(x) you could evaluate at a data point.",
    options=("a", "b", "c"),
    mistakes=(
        (lambda: "a", "A GAN's generator has no density to evaluate, so it cannot maximise one."),
        (lambda: "b", "That describes a variational autoencoder (VAE), not a GAN."),
    ),
))  # fmt: skip
register(Exercise(
    "02.7",
    f"Fit a Gaussian by maximum likelihood to a very large sample from the Gamma distribution "
    f"with shape k = {GAMMA_SHAPE:g} and scale theta = {GAMMA_SCALE:g}. Which sigma_hat does "
    "it approach? (Use MLE = minimum KL.)",
    _ex_02_7,
    "minimising KL(p || Gaussian) over the Gaussian's parameters matches moments; look up the "
    "Gamma's variance in terms of k and theta.",
    rtol=5e-3,  # a simulation with a million draws is accepted too
    mistakes=(
        (lambda: _ex_02_7() ** 2, "That is the variance; the question asks for sigma."),
        (lambda: GAMMA_SCALE, "theta is the Gamma's scale parameter, not its standard deviation."),
        (lambda: GAMMA_SHAPE * GAMMA_SCALE, "That is the mean k theta: mu_hat, not sigma_hat."),
    ),
))  # fmt: skip
