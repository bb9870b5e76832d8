"""Notebook 02's exercises: closed-form MLEs, the normal equations and the multivariate Gaussian
written by the student (two write-the-algorithm exercises), regression, rank, a misfit.

Introduced in ``02_closed_form_mle.ipynb``; worked solutions in
``notebooks/solutions/02_closed_form_mle_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

#: 02.2's sample (waiting times between events, in hours).
EXPONENTIAL_SAMPLE = np.array([0.8, 2.1, 0.4, 1.5, 3.2])
#: 02.5: n points in d dimensions, the last coordinate the sum of the first two.
RANK_N, RANK_D = 100, 6
#: 02.7: the Gamma distribution's shape k and scale s (hours).
GAMMA_SHAPE, GAMMA_SCALE = 3.0, 2.0


def _penguins(species):
    from helpers.data import load_penguins

    df = load_penguins()
    return df[df["species"] == species]


def _gentoo_flippers():
    return _penguins("Gentoo")["flipper_length_mm"].to_numpy()


def _ex_02_1() -> float:
    from helpers.mle import gaussian_mean_var_mle

    return gaussian_mean_var_mle(_gentoo_flippers())[1]


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


def rank_points(rng=None):
    """02.5's data: ``RANK_N`` points in ``RANK_D`` dimensions, the last = first + second."""
    free = np.random.default_rng(rng).normal(size=(RANK_N, RANK_D - 1))
    return np.column_stack([free, free[:, 0] + free[:, 1]])


def _ex_02_7() -> float:
    # lambda_hat = 1 / x_bar (02.2), and x_bar -> the Gamma's mean k s
    return float(1 / (GAMMA_SHAPE * GAMMA_SCALE))


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
    "02.4",
    "From scratch (numpy only, no helpers, no np.polyfit): regress the Adelie penguins' body "
    "mass (g) on flipper length (mm) by maximum likelihood with Gaussian noise. "
    "What is the noise standard deviation sigma_hat, in grams?",
    _ex_02_4,
    "the line's maximum-likelihood fit is least squares (section 5), and 02.3's fit_linear "
    "does it; sigma_hat is the square root of the noise variance, in grams.",
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
    f"n = {RANK_N} points in d = {RANK_D} dimensions; the last coordinate is the sum of the first "
    "two, the others vary freely. What is the rank of their maximum-likelihood covariance matrix?",
    lambda: float(RANK_D - 1),
    "find a vector v with v . (x_i - x_bar) = 0 for every point: then Sigma_hat v = 0. How many "
    "independent such vectors are there?",
    integer=True,
    mistakes=(
        (lambda: float(RANK_D),
         "Enough points for full rank, but one coordinate is fixed by two others: some direction "
         "never varies."),
        (lambda: float(RANK_N - 1),
         "n - 1 bounds the rank only when there are few points; here the dimension d limits it "
         "first."),
        (lambda: float(RANK_D - 2),
         "The sum ties three coordinates together, but it is one equation: it removes one "
         "direction, not two."),
    ),
))  # fmt: skip
register(Exercise(
    "02.7",
    f"Fit an exponential density (02.2) by maximum likelihood to a very large sample from the "
    f"Gamma distribution with shape k = {GAMMA_SHAPE:g} and scale s = {GAMMA_SCALE:g} hours. "
    "Which rate lambda_hat (per hour) does it approach, and why?",
    _ex_02_7,
    "by 02.2, lambda_hat depends on the data only through one average; what does that average "
    "approach as the sample grows (law of large numbers)?",
    rtol=5e-3,  # a simulation with a million draws is accepted too
    mistakes=(
        (lambda: GAMMA_SHAPE * GAMMA_SCALE,
         "That is the limit of the mean waiting time (hours); the rate is per hour."),
        (lambda: 1 / GAMMA_SCALE, "s is the Gamma's scale, not its mean: the shape k matters too."),
        (lambda: 1 / (np.sqrt(GAMMA_SHAPE) * GAMMA_SCALE),
         "That is 1 / (standard deviation); which statistic of the data does lambda_hat use?"),
        (lambda: 1 / ((GAMMA_SHAPE - 1) * GAMMA_SCALE),
         "That is 1 / (the Gamma's mode): the most likely waiting time is not the average one."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises (check_function): the student's function against a
# reference on hidden random cases, with the slips students really make.


def _regression_cases(rng) -> list:
    """Inputs X of shape (n, d) and outputs y = b + X w + noise; n small enough that
    dividing by n, n - 1 or n - d - 1 gives clearly different noise variances."""
    cases = []
    for n, d in ((15, 1), (40, 3), (9, 2)):
        X = rng.normal(5.0, 2.0, size=(n, d))
        coef = rng.normal(0.0, 3.0, size=d + 1)
        y = coef[0] + X @ coef[1:] + rng.normal(0.0, 1.5, size=n)
        cases.append({"X": X, "y": y})
    return cases


def _least_squares(A, y):
    """Least-squares coefficients of y on the columns of A, and the residual sum of squares."""
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    residuals = y - A @ coef
    return coef, residuals @ residuals


def _design(X, *, ones_last=False):
    ones = np.ones((X.shape[0], 1))
    return np.hstack([X, ones] if ones_last else [ones, X])


def _regression_reference(X, y):
    coef, rss = _least_squares(_design(X), y)
    return coef, float(rss / y.size)


def _regression_divided_by(X, y, *, n_less):
    coef, rss = _least_squares(_design(X), y)
    return coef, float(rss / (y.size - n_less(X)))


def _regression_no_intercept(X, y):
    coef, rss = _least_squares(X, y)
    return coef, float(rss / y.size)


def _regression_ones_last(X, y):
    coef, rss = _least_squares(_design(X, ones_last=True), y)
    return coef, float(rss / y.size)


NORMAL_EQUATIONS = FunctionExercise(
    key="02.3",
    question="Linear regression by maximum likelihood with a design matrix: the normal "
    "equations. Return the coefficients (intercept first) and the noise variance.",
    reference=_regression_reference,
    cases=_regression_cases,
    hint="put a column of ones (for the intercept) before the columns of X; setting the "
    "gradient of the squared error to zero gives a square system, one equation per "
    "coefficient (the design matrix is n by d + 1, not square); then average the squared "
    "residuals.",
    starter="def fit_linear(X, y):",
    slips=(
        (_regression_no_intercept,
         "Your model has no intercept: the design matrix needs a column of ones, so there is one "
         "coefficient more than X has columns."),
        (_regression_ones_last,
         "Right fit, wrong order: return the intercept first, then one slope per column of X."),
        (lambda X, y: _regression_divided_by(X, y, n_less=lambda X: 1),
         "The coefficients are right; the noise variance divides the squared residuals by n - 1, "
         "where the MLE divides by n."),
        (lambda X, y: _regression_divided_by(X, y, n_less=lambda X: X.shape[1] + 1),
         "The coefficients are right; the noise variance divides by n - d - 1 (the unbiased "
         "choice regression software reports), where the MLE divides by n."),
        (lambda X, y: (_regression_reference(X, y)[0], np.sqrt(_regression_reference(X, y)[1])),
         "The coefficients are right; the second output is the noise variance, not its square "
         "root."),
        (lambda X, y: _regression_divided_by(X, y, n_less=lambda X: y.size - 1),
         "The coefficients are right; the second output is the sum of the squared residuals. "
         "The noise variance is their mean."),
        (lambda X, y: (_regression_reference(X, y)[0], float(np.var(y))),
         "The coefficients are right; the noise variance is the spread of y around the fitted "
         "values, not around the mean of y."),
    ),
)  # fmt: skip


def _mvn_cases(rng) -> list:
    """Full-rank samples with correlated features, shape (n, d), n > d."""
    cases = []
    for n, d in ((10, 2), (50, 3), (7, 4)):
        mixing = rng.normal(size=(d, d)) + 2 * np.eye(d)
        cases.append({"X": rng.normal(1.0, 1.0, size=(n, d)) @ mixing + rng.normal(0, 5, d)})
    return cases


def _mvn_reference(X):
    from helpers.mle import mvn_mle

    return mvn_mle(X)


MVN_MLE = FunctionExercise(
    key="02.6",
    question="The maximum-likelihood mean vector and covariance matrix of points X of shape "
    "(n, d), one point per row.",
    reference=_mvn_reference,
    cases=_mvn_cases,
    hint="the mean is the average point (a vector of d numbers); the covariance is the average, "
    "over the n points, of the outer product of each centred point with itself (a d by d "
    "matrix), as derived in section 6.",
    starter="def mvn_fit(X):",
    slips=(
        (lambda X: (X.mean(axis=0), np.cov(X, rowvar=False)),
         "That covariance divides by n - 1 (np.cov's default); the MLE divides by n."),
        (lambda X: (X.mean(axis=0), X.T @ X / len(X)),
         "Centre the points on their mean before averaging the outer products."),
        (lambda X: (X.mean(axis=0), np.cov(X, bias=True)),
         "Each row of X is one point: the covariance is d by d (one row and column per feature), "
         "not n by n."),
        (lambda X: (X.mean(axis=0), (X - X.mean(0)) @ (X - X.mean(0)).T / len(X)),
         "Each row of X is one point: the outer products that make the covariance are d by d, "
         "so the sum over points runs over the rows of X."),
        (lambda X: (X.mean(axis=0), np.var(X, axis=0)),
         "Those are only the variances, the diagonal; the covariance matrix also holds how "
         "pairs of features vary together."),
        (lambda X: (X.mean(axis=1), _mvn_reference(X)[1]),
         "The mean averages over the points (the rows), giving one number per feature."),
    ),
)  # fmt: skip


register(NORMAL_EQUATIONS)
register(MVN_MLE)
