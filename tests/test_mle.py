"""Tests for helpers.mle: each closed form against numpy/scipy and a numerical optimum."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats
from bad_input import assert_rejects, cases
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import optimize

from helpers.data import load_old_faithful, load_penguins
from helpers.mle import (
    gaussian_mean_var_mle,
    laplace_loc_scale_mle,
    linear_regression_mle,
    mvn_mle,
    variance_estimates,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
samples = hnp.arrays(np.float64, st.integers(2, 40), elements=finite).filter(
    lambda x: not np.all(x == x[0])  # a spread to estimate (no spread is refused, below)
)


# --- gaussian_mean_var_mle ---------------------------------------------------------------


@given(x=samples)
def test_gaussian_mle_equals_numpy(x):
    mu_hat, var_hat = gaussian_mean_var_mle(x)
    assert isinstance(mu_hat, float) and isinstance(var_hat, float)
    assert mu_hat == pytest.approx(np.mean(x), rel=1e-12, abs=1e-9)
    assert var_hat == pytest.approx(np.var(x), rel=1e-9, abs=1e-9)


def test_gaussian_mle_equals_scipy_norm_fit():
    x = load_old_faithful()["waiting"].to_numpy()
    loc, scale = scipy.stats.norm.fit(x)
    mu_hat, var_hat = gaussian_mean_var_mle(x)
    assert mu_hat == pytest.approx(loc, rel=1e-12)
    assert np.sqrt(var_hat) == pytest.approx(scale, rel=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_gaussian_mle_is_the_numerical_maximiser(seed):
    x = np.random.default_rng(seed).normal(3.0, 2.0, 50)

    def nll(theta):
        return -scipy.stats.norm.logpdf(x, theta[0], np.exp(theta[1])).sum()

    res = optimize.minimize(nll, [0.0, 0.0], method="BFGS", options={"gtol": 1e-10})
    mu_hat, var_hat = gaussian_mean_var_mle(x)
    assert res.x[0] == pytest.approx(mu_hat, abs=1e-6)
    assert np.exp(2 * res.x[1]) == pytest.approx(var_hat, rel=1e-6)


@pytest.mark.parametrize("fn", [gaussian_mean_var_mle, laplace_loc_scale_mle])
@pytest.mark.parametrize(("x", "says"), [([4.2], "single point"), ([3.0, 3.0, 3.0], "no spread")])
def test_one_point_or_no_spread_is_refused_like_mvn_mle(fn, x, says):
    """A zero variance (or scale) is no maximum: the likelihood is unbounded (issue 16)."""
    with pytest.raises(ValueError, match=says):
        fn(x)
    with pytest.raises(ValueError, match="n_samples = 1 <= n_features = 1"):
        mvn_mle(np.array(x[:1])[:, None])


def test_the_names_say_variance_and_scale():
    x = np.array([1.0, 2.0, 6.0])
    _, var_hat = gaussian_mean_var_mle(x)
    _, scale_hat = laplace_loc_scale_mle(x)
    assert var_hat == pytest.approx(np.var(x))  # a variance (mm^2 for mm data)
    _, sp_scale = scipy.stats.laplace.fit(x, floc=np.median(x))
    assert scale_hat == pytest.approx(sp_scale)  # a scale, scipy's ``scale``


def test_gaussian_mle_accepts_a_pandas_column():
    col = load_old_faithful()["eruptions"]
    assert gaussian_mean_var_mle(col) == pytest.approx((col.mean(), col.var(ddof=0)), rel=1e-12)


# --- laplace_loc_scale_mle ---------------------------------------------------------------


@pytest.mark.parametrize("n", [7, 8, 101])
def test_laplace_mle_equals_scipy_fit(rng, n):
    x = rng.laplace(1.0, 2.0, n)
    loc, scale = scipy.stats.laplace.fit(x)
    loc_hat, scale_hat = laplace_loc_scale_mle(x)
    assert loc_hat == pytest.approx(np.median(x), rel=1e-12)
    if n % 2:  # for even n scipy may pick another point of the flat top; the scale follows it
        assert loc_hat == pytest.approx(loc, rel=1e-12)
        assert scale_hat == pytest.approx(scale, rel=1e-9)
    ll = scipy.stats.laplace.logpdf(x, loc_hat, scale_hat).sum()
    assert ll == pytest.approx(scipy.stats.laplace.logpdf(x, loc, scale).sum(), rel=1e-9)


def test_laplace_location_minimises_the_absolute_deviations(rng):
    x = rng.standard_t(3, 41)
    res = optimize.minimize_scalar(lambda m: np.abs(x - m).sum(), bounds=(-5, 5),
                                   method="bounded", options={"xatol": 1e-10})  # fmt: skip
    assert res.x == pytest.approx(laplace_loc_scale_mle(x)[0], abs=1e-6)


def test_one_outlier_moves_the_mean_but_barely_the_median(rng):
    x = rng.normal(40.0, 3.0, 151)
    far = np.concatenate([x, [400.0]])
    assert gaussian_mean_var_mle(far)[0] - gaussian_mean_var_mle(x)[0] == pytest.approx(
        (400 - x.mean()) / 152
    )
    sorted_x = np.sort(x)
    assert (
        laplace_loc_scale_mle(far)[0] - laplace_loc_scale_mle(x)[0]
        <= (sorted_x[76] - sorted_x[75]) / 2 + 1e-12
    )


# --- linear_regression_mle ----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_regression_equals_polyfit_and_linregress(seed):
    gen = np.random.default_rng(seed)
    x = gen.uniform(0, 10, 60)
    y = 1.5 * x - 2.0 + gen.normal(0, 0.7, 60)
    slope, intercept, var_hat = linear_regression_mle(x, y)
    np.testing.assert_allclose([slope, intercept], np.polyfit(x, y, 1), rtol=1e-10)
    lr = scipy.stats.linregress(x, y)
    np.testing.assert_allclose([slope, intercept], [lr.slope, lr.intercept], rtol=1e-10)
    assert var_hat == pytest.approx(np.mean((y - np.polyval([slope, intercept], x)) ** 2))


def test_regression_is_the_numerical_maximiser_on_real_data():
    df = load_penguins()
    gentoo = df[df["species"] == "Gentoo"]
    x, y = gentoo["bill_length_mm"].to_numpy(), gentoo["bill_depth_mm"].to_numpy()

    x_bar = x.mean()  # parametrise the line through its height c at x_bar: better conditioned

    def nll(theta):
        a, c, log_s = theta
        return -scipy.stats.norm.logpdf(y, a * (x - x_bar) + c, np.exp(log_s)).sum()

    res = optimize.minimize(nll, [0.0, 10.0, 0.0], method="BFGS", options={"gtol": 1e-9})
    slope, intercept, var_hat = linear_regression_mle(x, y)
    assert res.x[0] == pytest.approx(slope, rel=1e-5)
    assert res.x[1] - res.x[0] * x_bar == pytest.approx(intercept, rel=1e-5)
    assert np.exp(2 * res.x[2]) == pytest.approx(var_hat, rel=1e-5)


def test_regression_exact_line_has_zero_noise():
    assert linear_regression_mle([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]) == pytest.approx((2, 1, 0))


@pytest.mark.parametrize(
    ("x", "y", "pattern"),
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], r"x and y must have the same length.*3 x values and 2 y"),
        ([2.0, 2.0, 2.0], [1.0, 2.0, 3.0], r"^x has no spread"),
        ([5.0], [1.0], r"^x has no spread"),
    ],
)
def test_regression_explains_what_is_wrong(x, y, pattern):
    with pytest.raises(ValueError, match=pattern):
        linear_regression_mle(x, y)


# --- mvn_mle ------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "d"), [(3, 2), (50, 2), (40, 5)])
def test_mvn_mle_equals_numpy(rng, n, d):
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d))
    mean, cov = mvn_mle(X)
    assert mean.shape == (d,) and cov.shape == (d, d)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(cov, np.cov(X, rowvar=False, bias=True), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(cov, cov.T)


def test_mvn_mle_of_one_feature_is_gaussian_mle(rng):
    x = rng.normal(2.0, 3.0, 30)
    mean, cov = mvn_mle(x[:, None])
    assert (mean[0], cov[0, 0]) == pytest.approx(gaussian_mean_var_mle(x), rel=1e-12)


def test_mvn_mle_is_the_numerical_maximiser_on_penguins():
    df = load_penguins()
    X = df.loc[df["species"] == "Adelie", ["bill_length_mm", "bill_depth_mm"]].to_numpy()

    def unpack(theta):
        L = np.array([[np.exp(theta[2]), 0.0], [theta[3], np.exp(theta[4])]])
        return theta[:2], L @ L.T

    def nll(theta):
        m, c = unpack(theta)
        return -scipy.stats.multivariate_normal.logpdf(X, m, c).sum()

    res = optimize.minimize(nll, [38.0, 18.0, 0.5, 0.0, 0.0], method="BFGS",
                            options={"gtol": 1e-8})  # fmt: skip
    m, c = unpack(res.x)
    mean, cov = mvn_mle(X)
    np.testing.assert_allclose(m, mean, rtol=1e-6)
    np.testing.assert_allclose(c, cov, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(("n", "d"), [(1, 2), (2, 2), (3, 5), (5, 5)])
def test_mvn_mle_says_when_n_is_too_small(rng, n, d):
    with pytest.raises(ValueError, match=rf"n_samples = {n} <= n_features = {d}.*reg_covar"):
        mvn_mle(rng.normal(size=(n, d)))


def test_mvn_mle_says_when_a_column_is_redundant(rng):
    X = rng.normal(size=(20, 2))
    X = np.column_stack([X, X[:, 0] - 2 * X[:, 1]])
    with pytest.raises(ValueError, match=r"singular covariance.*reg_covar"):
        mvn_mle(X)
    with pytest.raises(ValueError, match=r"singular covariance"):
        mvn_mle(np.column_stack([X[:, 0], np.full(20, 3.0)]))


@pytest.mark.parametrize(("n", "d"), [(2, 2), (2, 6), (30, 3)])
def test_ridge_makes_the_covariance_positive_definite(rng, n, d):
    X = rng.normal(size=(n, d))
    _, cov = mvn_mle(X, reg_covar=1e-3)
    np.testing.assert_allclose(cov - 1e-3 * np.eye(d), np.cov(X.T, bias=True), atol=1e-12)
    assert np.linalg.eigvalsh(cov).min() >= 1e-3 * (1 - 1e-9)
    np.linalg.cholesky(cov)  # does not raise


def test_singular_covariance_gives_an_unbounded_likelihood(rng):
    X = rng.normal(size=(2, 2))
    lls = [
        scipy.stats.multivariate_normal.logpdf(X, *mvn_mle(X, reg_covar=r)).sum()
        for r in (1e-2, 1e-4, 1e-6, 1e-8)
    ]
    assert np.all(np.diff(lls) > 4)  # each factor 100 smaller ridge adds about log(100)


def test_negative_ridge_is_rejected():
    with pytest.raises(ValueError, match=r"^reg_covar must be >= 0"):
        mvn_mle([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], reg_covar=-1.0)


# --- variance_estimates -------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5, 20])
def test_variance_estimates_follow_the_theory(n):
    est = variance_estimates(n, n_repeats=200_000, sigma=2.0, rng=1)
    var = 4.0
    se = var * np.sqrt(2 / n) / np.sqrt(200_000)  # sd of one estimate about var*sqrt(2/n)
    assert est["mle"].mean() == pytest.approx((n - 1) / n * var, abs=5 * se)
    assert est["ddof1"].mean() == pytest.approx(var, abs=5 * se * n / (n - 1))
    assert est["true_mu"].mean() == pytest.approx(var, abs=5 * se * 1.5)
    np.testing.assert_allclose(est["ddof1"], est["mle"] * n / (n - 1), rtol=1e-12)


def test_variance_estimates_equal_numpy_on_the_same_draws():
    n, repeats = 7, 50
    est = variance_estimates(n, n_repeats=repeats, rng=3)
    x = np.random.default_rng(3).normal(0.0, 1.0, size=(n, repeats))
    np.testing.assert_allclose(est["mle"], np.var(x, axis=0), rtol=1e-9)
    np.testing.assert_allclose(est["ddof1"], np.var(x, axis=0, ddof=1), rtol=1e-9)
    np.testing.assert_allclose(est["true_mu"], np.mean(x**2, axis=0), rtol=1e-12)


def test_several_sizes_share_their_first_points():
    sizes = np.arange(1, 11)
    many = variance_estimates(sizes, n_repeats=300, rng=5)
    assert many["mle"].shape == (10, 300)
    for n in (1, 4, 10):
        one = variance_estimates(n, n_repeats=300, rng=5)
        for key in ("mle", "true_mu"):
            np.testing.assert_allclose(many[key][n - 1], one[key], rtol=1e-9, atol=1e-15)
    assert np.isnan(many["ddof1"][0]).all() and not np.isnan(many["ddof1"][1:]).any()


@pytest.mark.parametrize("n", [1, 5, [2, 3, 30], [1, 4]])
def test_variance_estimates_averages_equal_the_per_sample_means(n):
    full = variance_estimates(n, n_repeats=2_000, sigma=1.5, rng=9)
    avg = variance_estimates(n, n_repeats=2_000, sigma=1.5, rng=9, average=True)
    for key in ("mle", "ddof1", "true_mu"):
        assert np.shape(avg[key]) == np.shape(full[key])[:-1]
        np.testing.assert_allclose(avg[key], full[key].mean(axis=-1), rtol=1e-12)


def test_variance_estimates_are_reproducible_and_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = variance_estimates(1, n_repeats=10, rng=0)
        b = variance_estimates(1, n_repeats=10, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(a["mle"], b["mle"])
    assert (a["mle"] == 0).all()


@pytest.mark.parametrize("n", [[2, 0], [[2, 3]], 2.5, [1.5]])
def test_variance_estimates_reject_bad_sizes(n):
    with pytest.raises(ValueError, match=r"^n must be a whole number"):
        variance_estimates(n)


@settings(max_examples=30, deadline=None)
@given(x=samples.filter(lambda x: x.size <= 30))
def test_mle_variance_is_ddof1_times_n_minus_1_over_n(x):
    n = x.size
    assert gaussian_mean_var_mle(x)[1] == pytest.approx(
        np.var(x, ddof=1) * (n - 1) / n, rel=1e-9, abs=1e-9
    )


# --- bad input ----------------------------------------------------------------------------

BAD_INPUT = [
    *cases(gaussian_mean_var_mle, {"x": [1.0, 2.0]}, {"x": "sample"}),
    *cases(laplace_loc_scale_mle, {"x": [1.0, 2.0]}, {"x": "sample"}),
    *cases(linear_regression_mle, {"x": [1.0, 2.0, 3.0], "y": [2.0, 1.0, 4.0]},
           {"x": "sample", "y": "sample"},
           extra={"x": [[1.0, 2.0]], "y": [[1.0, 2.0, 3.0, 4.0]]}),
    *cases(mvn_mle, {"X": [[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]], "reg_covar": 0.0},
           {"X": "sample2d", "reg_covar": "location"},
           extra={"X": [[[1.0, 2.0]]], "reg_covar": [-1e-3]}),
    *cases(variance_estimates, {"n": 3, "n_repeats": 10, "sigma": 1.0, "rng": 0},
           {"n": "count", "n_repeats": "count", "sigma": "scale"}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_b5_features_in_different_units_are_not_singular():
    # Spreads 1e5 and 1e-3: the covariance is regular (condition number 1e16 only through
    # the units); the singularity test compared eigenvalues across units.
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=300) * 1e5, rng.normal(size=300) * 1e-3]
    mean, cov = mvn_mle(X)
    mean_sp, cov_sp = scipy.stats.multivariate_normal.fit(X)
    np.testing.assert_allclose(mean, mean_sp, rtol=1e-12)
    np.testing.assert_allclose(np.diag(cov), np.diag(cov_sp), rtol=1e-12)
    np.testing.assert_allclose(cov, np.cov(X.T, bias=True), rtol=1e-12)
    # A truly redundant column is still refused, whatever the units.
    bad = np.c_[X, 1e5 * X[:, 0] / 1e5 - 2e3 * X[:, 1]]
    with pytest.raises(ValueError, match=r"singular covariance"):
        mvn_mle(bad)
    with pytest.raises(ValueError, match=r"singular covariance"):
        mvn_mle(np.c_[X, np.full(300, 7.0)])
