"""helpers.bayes against independent references: scipy.stats (beta, bernoulli, truncnorm),
brute-force quadrature, dense grids, np.roots and scipy's optimisers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from helpers.bayes import (
    beta_interval,
    beta_mode,
    beta_posterior,
    coin_loglik,
    coin_map,
    grid_posterior,
    predictive_heads,
)

D = [0, 0, 1, 1, 0, 0, 1]  # the lesson's seven tosses, 1 = heads


def neg_log_post(theta, h, n, m, s):
    """Negative log-posterior with the prior truncated to (0, 1) by scipy (a reference)."""
    a, b = (0 - m) / s, (1 - m) / s
    log_prior = stats.truncnorm.logpdf(theta, a, b, loc=m, scale=s)
    return -(stats.binom.logpmf(h, n, theta) + log_prior)


def map_by_optimizer(h, n, m, s):
    res = optimize.minimize_scalar(
        neg_log_post, bounds=(1e-12, 1 - 1e-12), method="bounded",
        args=(h, n, m, s), options={"xatol": 1e-12},
    )  # fmt: skip
    return res.x


# --- coin_loglik -------------------------------------------------------------------------


def test_loglik_equals_scipy_bernoulli_sum():
    theta = np.linspace(0.01, 0.99, 99)
    ref = stats.bernoulli.logpmf(np.array(D)[:, None], theta).sum(axis=0)
    np.testing.assert_allclose(coin_loglik(theta, D), ref, rtol=1e-12)
    assert coin_loglik(3 / 7, D) == pytest.approx(3 * np.log(3 / 7) + 4 * np.log(4 / 7), rel=1e-14)


def test_loglik_edges_and_empty():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert coin_loglik(0.0, D) == -np.inf and coin_loglik(1.0, D) == -np.inf
        assert coin_loglik(0.0, [0, 0]) == 0.0 and coin_loglik(1.0, [1]) == 0.0
    np.testing.assert_array_equal(coin_loglik(np.linspace(0, 1, 5), []), np.zeros(5))


def test_mle_is_the_fraction_of_heads():
    res = optimize.minimize_scalar(lambda t: -coin_loglik(t, D), bounds=(0, 1), method="bounded",
                                   options={"xatol": 1e-10})  # fmt: skip
    assert res.x == pytest.approx(3 / 7, abs=1e-7)


# --- coin_map ----------------------------------------------------------------------------


@pytest.mark.parametrize("sd", [0.1, np.sqrt(0.1), 0.03, 1.0, 5.0])
def test_coin_map_equals_optimizer_with_scipy_truncnorm_prior(sd):
    assert coin_map(D, prior_mean=0.5, prior_sd=sd) == pytest.approx(
        map_by_optimizer(3, 7, 0.5, sd), abs=1e-8
    )


def test_coin_map_lesson_numbers_and_the_cubic():
    sd_reading = coin_map(D, prior_mean=0.5, prior_sd=0.1)
    var_reading = coin_map(D, prior_mean=0.5, prior_sd=np.sqrt(0.1))
    assert sd_reading == pytest.approx(0.484363051702645, abs=1e-14)
    assert var_reading == pytest.approx(1 / np.sqrt(5), abs=1e-14)  # (t - 1.5)(t^2 - 0.2) = 0
    for value, v in [(sd_reading, 0.01), (var_reading, 0.1)]:
        roots = np.roots([1, -1.5, 0.5 - 7 * v, 3 * v])
        real = roots[(abs(roots.imag) < 1e-12) & (roots.real > 0) & (roots.real < 1)].real
        assert real.size == 1 and real[0] == pytest.approx(value, abs=1e-12)


def test_coin_map_equals_dense_grid_argmax():
    grid = np.linspace(1e-6, 1 - 1e-6, 2_000_001)
    log_post = coin_loglik(grid, D) - (grid - 0.5) ** 2 / (2 * 0.1**2)
    assert coin_map(D, prior_mean=0.5, prior_sd=0.1) == pytest.approx(
        grid[np.argmax(log_post)], abs=1e-6
    )


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 40), extra=st.integers(1, 40),
    m=st.floats(0.02, 0.98), s=st.floats(0.01, 3.0),
)  # fmt: skip
def test_coin_map_is_a_stationary_point_for_any_data_and_prior(h, extra, m, s):
    n = h + extra
    tosses = [1] * h + [0] * extra
    t = coin_map(tosses, prior_mean=m, prior_sd=s)
    assert 0 < t < 1
    assert t == pytest.approx(map_by_optimizer(h, n, m, s), abs=1e-6)
    # between the MLE and the prior mean: the prior pulls, the data pull
    assert min(h / n, m) - 1e-12 <= t <= max(h / n, m) + 1e-12


def test_coin_map_empty_tosses_is_the_prior_mean():
    assert coin_map([], prior_mean=0.3, prior_sd=0.2) == pytest.approx(0.3, abs=1e-15)


def test_coin_map_all_tails_or_all_heads():
    # a weak prior cannot pull the mode off the boundary ...
    assert coin_map([0] * 5, prior_mean=0.5, prior_sd=1.0) == 0.0
    assert coin_map([1] * 5, prior_mean=0.5, prior_sd=1.0) == 1.0
    # ... a strong one can: slope at 0 is -n + m/s^2 > 0
    t = coin_map([0] * 5, prior_mean=0.5, prior_sd=0.1)
    assert 0 < t < 0.5 and t == pytest.approx(map_by_optimizer(0, 5, 0.5, 0.1), abs=1e-7)


def test_coin_map_vectorizes_over_priors():
    sds = np.array([0.05, 0.1, 0.3, 1.0])
    got = coin_map(D, prior_mean=0.5, prior_sd=sds)
    assert got.shape == (4,)
    np.testing.assert_allclose(
        got, [coin_map(D, prior_mean=0.5, prior_sd=s) for s in sds], rtol=0, atol=1e-15
    )
    assert np.all(np.diff(got) < 0)  # weaker prior -> closer to the MLE 3/7 from above


def test_coin_map_tends_to_the_mle_as_the_prior_flattens_or_data_grow():
    gaps = [abs(coin_map(D, prior_mean=0.5, prior_sd=s) - 3 / 7) for s in (0.1, 1, 10, 100)]
    assert np.all(np.diff(gaps) < 0) and gaps[-1] < 1e-5
    data_gaps = [abs(coin_map(D * k, prior_mean=0.5, prior_sd=0.1) - 3 / 7) for k in (1, 10, 100)]
    assert np.all(np.diff(data_gaps) < 0)
    # large n: the pull is theta(1 - theta)(m - theta) / (n s^2), posterior var / prior var
    mle = 3 / 7
    assert data_gaps[-1] == pytest.approx(mle * (1 - mle) * (0.5 - mle) / (700 * 0.1**2), rel=0.05)


# --- Beta posterior, predictive, mode -----------------------------------------------------


def test_beta_posterior_and_the_empty_case():
    assert beta_posterior(D) == (4.0, 5.0)
    assert beta_posterior(D, a=2.5, b=0.5) == (5.5, 4.5)
    assert beta_posterior([]) == (1.0, 1.0)
    assert predictive_heads([], a=2.0, b=6.0) == 0.25


@pytest.mark.parametrize(("a", "b"), [(1.0, 1.0), (2.0, 2.0), (0.5, 0.5), (10.0, 3.0)])
def test_posterior_closed_form_equals_quadrature_of_likelihood_times_prior(a, b):
    def unnormalised(t):
        return np.exp(coin_loglik(t, D)) * stats.beta.pdf(t, a, b)

    z, _ = integrate.quad(unnormalised, 0, 1, epsabs=1e-14, epsrel=1e-12)
    a_post, b_post = beta_posterior(D, a, b)
    for t in (0.1, 0.3, 3 / 7, 0.6, 0.9):
        assert unnormalised(t) / z == pytest.approx(stats.beta.pdf(t, a_post, b_post), rel=1e-8)
    mean, _ = integrate.quad(lambda t: t * unnormalised(t) / z, 0, 1, epsabs=1e-14)
    assert predictive_heads(D, a, b) == pytest.approx(mean, rel=1e-8)
    assert predictive_heads(D, a, b) == pytest.approx(stats.beta.mean(a_post, b_post), rel=1e-14)


def test_laplace_rule_and_two_tails_in_a_row():
    assert predictive_heads(D) == pytest.approx(4 / 9, rel=1e-15)
    a_post, b_post = beta_posterior(D)
    # E[(1 - theta)^2] under Beta(4, 5): quadrature, moments and the closed form 1/3
    two_tails, _ = integrate.quad(lambda t: (1 - t) ** 2 * stats.beta.pdf(t, a_post, b_post), 0, 1)
    moments = 1 - 2 * stats.beta.mean(a_post, b_post) + stats.beta.moment(2, a_post, b_post)
    assert two_tails == pytest.approx(1 / 3, rel=1e-10) and moments == pytest.approx(1 / 3)
    # = P(tails) * P(tails | one more tail): sequential predictive
    seq = (1 - predictive_heads(D)) * (1 - predictive_heads([*D, 0]))
    assert seq == pytest.approx(1 / 3, rel=1e-14)


@pytest.mark.parametrize(("a", "b"), [(4.0, 5.0), (1.5, 30.0), (200.0, 3.0), (2.0, 2.0)])
def test_beta_mode_equals_scipy_beta_grid_argmax(a, b):
    grid = np.linspace(0, 1, 1_000_001)
    assert beta_mode(a, b) == pytest.approx(grid[np.argmax(stats.beta.logpdf(grid, a, b))],
                                            abs=1e-6)  # fmt: skip


def test_beta_mode_boundaries_and_undefined_cases_never_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = beta_mode([0.5, 1.0, 0.5, 2.0, 1.0, 0.5, 1.0], [2.0, 3.0, 1.0, 0.5, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(got[:5], [0.0, 0.0, 0.0, 1.0, 1.0])
    assert np.isnan(got[5]) and np.isnan(got[6])  # U-shaped, flat


def test_beta_mode_with_uniform_prior_is_the_mle_and_differs_from_the_predictive():
    assert beta_mode(*beta_posterior(D)) == pytest.approx(3 / 7, rel=1e-15)
    assert predictive_heads(D) != pytest.approx(beta_mode(*beta_posterior(D)))


@pytest.mark.parametrize(("a", "b"), [(4.0, 5.0), (0.3, 0.2), (1.0, 1.0), (150.0, 350.0)])
@pytest.mark.parametrize("level", [0.5, 0.95, 0.99])
def test_beta_interval_equals_scipy(a, b, level):
    np.testing.assert_allclose(beta_interval(a, b, level), stats.beta.interval(level, a, b),
                               rtol=1e-10)  # fmt: skip


def test_beta_interval_width_shrinks_like_one_over_sqrt_n():
    ns = np.array([100, 400, 1600, 6400])
    low, high = beta_interval(1 + 0.3 * ns, 1 + 0.7 * ns)
    width = high - low
    error = np.abs(width * np.sqrt(ns) / (2 * 1.959964 * np.sqrt(0.21)) - 1)
    assert np.all(np.diff(error) < 0) and error[0] < 0.02 and error[-1] < 1e-3


# --- grid_posterior ----------------------------------------------------------------------


def test_grid_posterior_matches_the_beta_closed_form():
    cells = 20_000
    theta = (np.arange(cells) + 0.5) / cells
    dens = grid_posterior(theta, D, stats.beta.logpdf(theta, 2.0, 3.0))
    assert dens.sum() / cells == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(dens, stats.beta.pdf(theta, 5.0, 7.0), rtol=1e-7)


def test_grid_posterior_survives_where_the_likelihood_underflows(rng):
    tosses = (rng.random(5_000) < 0.3).astype(int)
    theta = (np.arange(4000) + 0.5) / 4000
    assert np.exp(coin_loglik(theta, tosses)).max() == 0.0  # the naive product is useless
    dens = grid_posterior(theta, tosses, np.zeros_like(theta))
    a_post, b_post = beta_posterior(tosses)
    assert np.all(np.isfinite(dens))
    np.testing.assert_allclose(dens, stats.beta.pdf(theta, a_post, b_post), rtol=1e-5, atol=1e-9)


def test_grid_posterior_truncated_gaussian_prior_mode_is_coin_map():
    theta = np.linspace(0, 1, 400_001)
    log_prior = stats.norm.logpdf(theta, 0.5, 0.1)
    dens = grid_posterior(theta, D, log_prior)
    assert theta[np.argmax(dens)] == pytest.approx(coin_map(D, prior_mean=0.5, prior_sd=0.1),
                                                   abs=3e-6)  # fmt: skip


# --- tosses and bad input ----------------------------------------------------------------


@pytest.mark.parametrize("tosses", [np.array(D, dtype=bool), np.array(D, dtype=float), tuple(D),
                                    np.array(D, dtype=np.int8)])  # fmt: skip
def test_tosses_accept_bools_ints_floats(tosses):
    assert beta_posterior(tosses) == (4.0, 5.0)


@pytest.mark.parametrize(
    ("tosses", "says"),
    [([0, 2, 1], "only 0 (tails) and 1 (heads), got 2"), ([0.5], "got 0.5"),
     ([True, "a"], "only the numbers 0"), ([1, np.nan], "contains NaN"),
     ("HTH", "sequence of 0s and 1s"), ([[0, 1], [1, 0]], "shape (n_tosses,)"),
     ([1, None], "only the numbers 0"), (1, "shape (n_tosses,)"), ([0, -1], "got -1")],
)  # fmt: skip
def test_bad_tosses_are_rejected_with_a_readable_message(tosses, says):
    for fn in (beta_posterior, predictive_heads, lambda t: coin_map(t, prior_mean=0.5, prior_sd=1)):
        with pytest.raises(ValueError, match=r"^tosses") as info:
            fn(tosses)
        assert says in str(info.value)


BAD_TOSSES = [[0, 2, 1], [0.5, 1.0], [True, "a"], [[0, 1], [1, 0]], [1.0, np.inf], "HT"]
BAD_INPUT = [
    *cases(coin_map, {"tosses": D, "prior_mean": 0.5, "prior_sd": 0.1},
           {"tosses": "array", "prior_mean": "location", "prior_sd": "scale"},
           extra={"tosses": BAD_TOSSES, "prior_mean": [0.0, 1.0, -0.2, 1.5]}),
    *cases(beta_posterior, {"tosses": D, "a": 1.0, "b": 1.0},
           {"tosses": "array", "a": "scale", "b": "scale"}, extra={"tosses": BAD_TOSSES}),
    *cases(predictive_heads, {"tosses": D, "a": 1.0, "b": 1.0},
           {"tosses": "array", "a": "scale", "b": "scale"}, extra={"tosses": BAD_TOSSES}),
    *cases(coin_loglik, {"theta": 0.3, "tosses": D},
           {"theta": "probability", "tosses": "array"}, extra={"tosses": BAD_TOSSES}),
    *cases(beta_interval, {"a": 2.0, "b": 3.0, "level": 0.9},
           {"a": "scale", "b": "scale", "level": "location"}, extra={"level": [0.0, 1.0, 1.5]}),
    *cases(beta_mode, {"a": 2.0, "b": 3.0}, {"a": "scale", "b": "scale"}),
    *cases(grid_posterior, {"theta": [0.25, 0.75], "tosses": D, "log_prior": [0.0, 0.0]},
           {"theta": "probability", "tosses": "array", "log_prior": "array"},
           extra={"theta": [[0.1, 0.2, 0.9], [0.5], [0.75, 0.25]],
                  "tosses": BAD_TOSSES, "log_prior": [[0.0, np.inf], [0.0], [-np.inf, -np.inf]]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def test_grid_posterior_docstring_underflow_counts():
    """The likelihood's peak exp(-n H(h/n)) is 0.0 after ~1,075 (h/n = 1/2), ~1,220 (0.3) tosses."""
    tiny = np.log(np.finfo(float).smallest_subnormal)  # about -744.4
    for frac, n_quoted in [(0.5, 1_075), (0.3, 1_220)]:
        entropy = -(frac * np.log(frac) + (1 - frac) * np.log1p(-frac))
        assert abs(-tiny / entropy - n_quoted) / n_quoted < 0.01
        n = int(np.ceil(-tiny / entropy / 10) * 10) + 10  # just past it: the peak is 0.0
        h = round(frac * n)
        peak = np.exp(coin_loglik(h / n, [1] * h + [0] * (n - h)))
        assert peak == 0.0
    assert np.log(2) >= -(0.3 * np.log(0.3) + 0.7 * np.log(0.7))


def test_lesson_04_central_95_percent_of_both_priors():
    """Notebook 04, section 3: N(0.5, s) puts 95% on 0.5 +- 1.96 s: [0.30, 0.70], [-0.12, 1.12]."""
    for s in (0.1, np.sqrt(0.1)):
        interval = stats.norm.interval(0.95, 0.5, s)
        assert np.allclose(interval, 0.5 + np.array([-1.96, 1.96]) * s, atol=1e-4)
    assert np.allclose(0.5 + np.array([-1.96, 1.96]) * 0.1, [0.30, 0.70], atol=0.005)
    assert np.allclose(0.5 + np.array([-1.96, 1.96]) * np.sqrt(0.1), [-0.12, 1.12], atol=0.005)
