"""Notebook 02's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from test_exercises import EXERCISES, assert_specific_hint

from helpers.data import load_penguins
from helpers.exercises import closed_form_mle as ex02
from helpers.exercises import is_correct


@pytest.fixture(scope="module")
def penguins():
    return load_penguins()


def test_expected_values_agree_with_independent_computations(penguins):
    gentoo = penguins.loc[penguins["species"] == "Gentoo", "flipper_length_mm"]
    assert EXERCISES["02.1"].expected() == pytest.approx(gentoo.var(ddof=0), rel=1e-12)
    assert EXERCISES["02.1"].expected() == pytest.approx(stats.norm.fit(gentoo)[1] ** 2)
    # scipy's exponential fit with the location pinned at 0 returns the scale 1 / lambda
    _, scale = stats.expon.fit(ex02.EXPONENTIAL_SAMPLE, floc=0)
    assert EXERCISES["02.2"].expected() == pytest.approx(1 / scale, rel=1e-12)
    adelie = penguins[penguins["species"] == "Adelie"]
    x, y = adelie["flipper_length_mm"].to_numpy(), adelie["body_mass_g"].to_numpy()
    residuals = y - np.polyval(np.polyfit(x, y, 1), x)
    assert EXERCISES["02.4"].expected() == pytest.approx(np.sqrt(np.mean(residuals**2)))
    for seed in range(5):
        pts = ex02.rank_points(seed)
        assert pts.shape == (ex02.RANK_N, ex02.RANK_D)
        np.testing.assert_allclose(pts[:, -1], pts[:, 0] + pts[:, 1])
        rank = np.linalg.matrix_rank(np.cov(pts, rowvar=False, bias=True))
        assert EXERCISES["02.5"].expected() == rank
    # the null direction: (1, 1, 0, ..., 0, -1) is annihilated by the covariance
    v = np.zeros(ex02.RANK_D)
    v[[0, 1, -1]] = 1, 1, -1
    cov = np.cov(ex02.rank_points(0), rowvar=False, bias=True)
    np.testing.assert_allclose(cov @ v, 0, atol=1e-12)
    # 02.7: the exponential closest in KL to the Gamma, by scipy's fit with the location at 0
    gamma = stats.gamma(ex02.GAMMA_SHAPE, scale=ex02.GAMMA_SCALE)
    assert EXERCISES["02.7"].expected() == pytest.approx(1 / gamma.mean(), rel=1e-12)


def test_exercise_02_7_is_what_a_large_sample_gives():
    x = np.random.default_rng(1).gamma(ex02.GAMMA_SHAPE, ex02.GAMMA_SCALE, 1_000_000)
    _, scale = stats.expon.fit(x, floc=0)  # scipy's exponential MLE, scale = 1 / lambda
    assert is_correct("02.7", 1 / scale)  # within the check's 0.5 % tolerance


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("02.1", lambda p: p.loc[p.species == "Gentoo", "flipper_length_mm"].var(), "n - 1"),
        ("02.1", lambda p: p.loc[p.species == "Gentoo", "flipper_length_mm"].std(ddof=0),
         "standard deviation"),
        ("02.2", lambda p: ex02.EXPONENTIAL_SAMPLE.mean(), "1/lambda"),
        ("02.2", lambda p: 4 / ex02.EXPONENTIAL_SAMPLE.sum(), "n - 1"),
        ("02.4", lambda p: ex02._ex_02_4_n_minus_2(), "n - 2"),
        ("02.4", lambda p: EXERCISES["02.4"].expected() ** 2, "variance"),
        ("02.5", lambda p: ex02.RANK_D, "never varies"),
        ("02.5", lambda p: ex02.RANK_N - 1, "n - 1"),
        ("02.5", lambda p: ex02.RANK_D - 2, "one equation"),
        ("02.7", lambda p: 6.0, "mean waiting time"),
        ("02.7", lambda p: 0.5, "scale"),
        ("02.7", lambda p: 1 / np.sqrt(12.0), "standard deviation"),
        ("02.7", lambda p: 0.25, "mode"),
    ],
)  # fmt: skip
def test_known_mistakes_get_a_specific_hint(penguins, key, wrong, says, capsys):
    assert_specific_hint(key, wrong(penguins), says, capsys)


def test_kinds_of_exercise_are_all_present():
    """02.3 and 02.6, once recall questions (issue 16), are now write-the-algorithm exercises."""
    from test_exercises import FUNCTIONS

    mine = {k: e for k, e in EXERCISES.items() if k.startswith("02.")}
    assert [k for k in FUNCTIONS if k.startswith("02.")] == ["02.3", "02.6"]
    assert "Derive" in mine["02.2"].question  # derivation
    assert "From scratch" in mine["02.4"].question
    assert "why" in mine["02.7"].question  # a derivation, not a plug-in


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises: references against independent computations, right
# functions written differently pass, each slip gets its own hint.


def _verdict(exercise, fn):
    from helpers.exercises.registry import _function_verdict

    return _function_verdict(exercise, fn)


def _hidden_cases(exercise):
    return exercise.cases(np.random.default_rng(exercise.seed))


def test_normal_equations_reference_agrees_with_the_line_fit_and_with_scipy():
    from helpers.mle import linear_regression_mle

    ex = ex02.NORMAL_EQUATIONS
    for case in _hidden_cases(ex):
        X, y = case["X"], case["y"]
        coef, var_hat = ex.reference(X, y)
        n, d = X.shape
        assert coef.shape == (d + 1,) and n > d + 1
        if d == 1:  # one input: the line of section 5, and scipy's
            result = stats.linregress(X[:, 0], y)
            slope, intercept, var_line = linear_regression_mle(X[:, 0], y)
            assert coef == pytest.approx([intercept, slope], rel=1e-10)
            assert var_hat == pytest.approx(var_line, rel=1e-10)
            assert coef[1] == pytest.approx(result.slope, rel=1e-10)
        # the gradient of the squared error vanishes at the fit: A^T (y - A coef) = 0
        A = np.column_stack([np.ones(n), X])
        np.testing.assert_allclose(A.T @ (y - A @ coef), 0, atol=1e-8 * np.abs(A.T @ y).max())
        assert var_hat == pytest.approx(np.mean((y - A @ coef) ** 2), rel=1e-12)


def test_normal_equations_accept_a_student_solve_and_explain_a_solve_with_x():
    ex = ex02.NORMAL_EQUATIONS

    def student(X, y):
        A = np.column_stack([np.ones(len(y)), X])
        coef = np.linalg.solve(A.T @ A, A.T @ y)
        return coef, np.mean((y - A @ coef) ** 2)

    ok, msg = _verdict(ex, student)
    assert ok, msg

    def solve_with_x(X, y):  # the design matrix is not square: solve refuses
        A = np.column_stack([np.ones(len(y)), X])
        coef = np.linalg.solve(A, y)
        return coef, np.mean((y - A @ coef) ** 2)

    ok, msg = _verdict(ex, solve_with_x)
    assert not ok and "raised LinAlgError" in msg and "not square" in msg, msg


def test_mvn_reference_agrees_with_numpy_and_scipy():
    ex = ex02.MVN_MLE
    for case in _hidden_cases(ex):
        X = case["X"]
        mean, cov = ex.reference(X)
        np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(cov, np.cov(X, rowvar=False, bias=True), rtol=1e-10)
        # the maximiser: scipy's log-likelihood falls when the covariance is scaled either way
        best = stats.multivariate_normal(mean, cov).logpdf(X).sum()
        for scale in (0.97, 1.03):
            assert stats.multivariate_normal(mean, scale * cov).logpdf(X).sum() < best


def test_mvn_accepts_a_student_loop_over_points():
    def student(X):
        mean = X.sum(axis=0) / len(X)
        cov = sum(np.outer(x - mean, x - mean) for x in X) / len(X)
        return mean, cov

    ok, msg = _verdict(ex02.MVN_MLE, student)
    assert ok, msg


def test_02_3_residual_sum_for_the_mean_gets_its_own_hint():
    """Issue 15's 'a sum for a mean': the residual sum of squares as the noise variance."""

    def rss_instead(X, y):
        A = np.column_stack([np.ones(len(y)), X])
        coef = np.linalg.solve(A.T @ A, A.T @ y)
        residuals = y - A @ coef
        return coef, float(residuals @ residuals)

    ok, msg = _verdict(ex02.NORMAL_EQUATIONS, rss_instead)
    assert not ok and "sum of the squared residuals" in msg, msg
