"""Notebook 01's exercises: the likelihood, the score, underflow.

Introduced in ``01_likelihood.ipynb``; worked solutions in
``notebooks/solutions/01_likelihood_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, register


def _ex_01_1() -> float:
    from helpers.distributions import normal_loglik

    return float(normal_loglik([4.0, 5.0, 7.0], mu=5.0, sigma=2.0))


def _ex_01_2() -> float:
    from helpers.scores import normal_score

    return float(normal_score(1.0, mu=3.0, sigma=0.5))


def _faithful():
    from helpers.data import load_old_faithful

    return load_old_faithful()


def _ex_01_3() -> float:
    return float(_faithful()["eruptions"].mean())


def _ex_01_4() -> float:
    from helpers.distributions import normal_pdf

    x = _faithful()["eruptions"].to_numpy()
    tiled = np.tile(x, 20)  # the eruptions, repeated until the product underflows
    prod = np.cumprod(normal_pdf(tiled, x.mean(), x.std()))
    return float(np.argmax(prod == 0.0) + 1)


# Wrong answers students reach often, recognised so the hint can name the slip.
_SAMPLE_01_1 = np.array([4.0, 5.0, 7.0])


def _ex_01_1_variance_misread() -> float:
    """01.1 with the 2 of "standard deviation 2" used as the variance."""
    from helpers.distributions import normal_loglik

    return float(normal_loglik(_SAMPLE_01_1, mu=5.0, sigma=np.sqrt(2.0)))


def _ex_01_1_no_square_root() -> float:
    """01.1 with the normalising constant 1/(2 pi sigma^2) instead of its square root."""
    return float(np.sum(-((_SAMPLE_01_1 - 5.0) ** 2) / 8.0 - np.log(2 * np.pi * 4.0)))


def _ex_01_4_off_by_one() -> float:
    return _ex_01_4() - 1


register(Exercise(
    "01.1",
    "Log-likelihood of the sample [4, 5, 7] under the Gaussian with mean 5 and sd 2, in nats.",
    _ex_01_1,
    "add up the three log densities (the helpers can do it for you).",
    mistakes=(
        (_ex_01_1_variance_misread,
         "It looks like 2 was used as the variance; here 2 is the standard deviation."),
        (_ex_01_1_no_square_root,
         "Check the normalising constant: it is 1/sqrt(2 pi sigma^2), with the square root."),
        (lambda: _ex_01_1() / np.log(10), "Use natural logs (np.log): nats, not log10."),
        (lambda: np.exp(_ex_01_1()), "That is the likelihood L; the question asks for log L."),
    ),
))  # fmt: skip
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
    "01.3",
    "The mu that maximises the Gaussian log-likelihood of the eruption durations, in minutes.",
    _ex_01_3,
    "set the derivative of the log-likelihood with respect to mu to zero and solve.",
    mistakes=(
        (lambda: float(_faithful()["waiting"].mean()),
         "That is about the waiting times; the question is about faithful['eruptions']."),
    ),
))  # fmt: skip
register(Exercise(
    "01.4",
    "Repeat the 272 eruption durations 20 times. Multiplying their densities under the fitted "
    "Gaussian one by one, at which n does the running product first become exactly 0.0?",
    _ex_01_4,
    "np.cumprod gives every running product at once; np.argmax on a boolean array finds the "
    "first True; positions count from 0, n counts from 1.",
    integer=True,
    mistakes=((_ex_01_4_off_by_one, "Nearly: positions count from 0, but n counts from 1."),),
))  # fmt: skip
