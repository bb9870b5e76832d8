"""Tests for helpers.langevin: the samplers checked statistically against known targets (seeded,
loose tolerances, as in chi-feng/mcmc-demo), the diagnostics against their formulas, and the
argument checks the issue asks for."""

from __future__ import annotations

import numpy as np
import pytest
from bad_input import assert_rejects, cases
from scipy.signal import lfilter

from helpers.langevin import (
    annealed_langevin,
    effective_sample_size,
    geometric_sigmas,
    langevin,
    langevin_gaussian,
    mala,
    rhat,
    ula_gaussian_variance,
)
from helpers.scores import mixture_score


def gauss_score(mu=1.0, sigma=0.5):
    return lambda x: (mu - x) / sigma**2


# --- langevin ----------------------------------------------------------------------------------


def test_shapes_path_and_reproducibility():
    x0 = np.linspace(-1, 1, 7)
    x, path = langevin(gauss_score(), x0, step_size=0.01, n_steps=20, rng=3, return_path=True)
    assert x.shape == (7,) and path.shape == (21, 7)
    np.testing.assert_array_equal(path[0], x0)
    np.testing.assert_array_equal(path[-1], x)
    again = langevin(gauss_score(), x0, step_size=0.01, n_steps=20, rng=3)
    np.testing.assert_array_equal(again, x)
    np.testing.assert_array_equal(x0, np.linspace(-1, 1, 7))  # x0 is not modified


def test_accepts_a_generator_and_2d_chains():
    x = langevin(lambda x: -x, np.zeros((5, 3)), step_size=0.1, n_steps=3,
                 rng=np.random.default_rng(0))  # fmt: skip
    assert x.shape == (5, 3)


def test_one_step_is_the_formula():
    x0 = np.array([0.3, -2.0])
    x = langevin(gauss_score(), x0, step_size=0.02, n_steps=1, rng=5)
    z = np.random.default_rng(5).standard_normal(2)
    np.testing.assert_allclose(x, x0 + 0.02 * (1.0 - x0) / 0.25 + np.sqrt(0.04) * z, rtol=1e-14)


@pytest.mark.parametrize("eps", [0.01, 0.1, 0.3, 0.45])
def test_stationary_variance_is_the_ula_formula(eps):
    rng = np.random.default_rng(1)
    x0 = rng.normal(1.0, 0.5, 20_000)
    x = langevin(gauss_score(), x0, step_size=eps, n_steps=300, rng=rng)
    v = ula_gaussian_variance(0.5, eps)
    assert x.var() == pytest.approx(v, rel=4 * np.sqrt(2 / x.size))
    assert x.mean() == pytest.approx(1.0, abs=4 * np.sqrt(v / x.size))


def test_2d_gaussian_target():
    cov = np.array([[1.0, 0.6], [0.6, 0.5]])
    prec = np.linalg.inv(cov)
    rng = np.random.default_rng(2)
    x = langevin(lambda x: -(x - [1.0, -1.0]) @ prec, rng.normal(size=(20_000, 2)),
                 step_size=0.005, n_steps=1500, rng=rng)  # fmt: skip
    np.testing.assert_allclose(x.mean(axis=0), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.04)


def test_langevin_gaussian_is_langevin():
    for x0 in (np.full(30, -5.0), np.zeros((6, 2))):
        a = langevin(gauss_score(), x0, step_size=0.02, n_steps=200, rng=9, return_path=True)
        b = langevin_gaussian(1.0, 0.5, x0, step_size=0.02, n_steps=200, rng=9, return_path=True)
        np.testing.assert_allclose(a[1], b[1], rtol=1e-9, atol=1e-9)


def test_mean_forgets_the_start_like_a_to_the_k():
    _, path = langevin_gaussian(1.0, 0.5, np.full(20_000, -5.0), step_size=0.005, n_steps=300,
                                rng=4, return_path=True)  # fmt: skip
    k = np.arange(301)
    theory = 1.0 + 0.98**k * (-6.0)
    assert np.abs(path.mean(axis=1) - theory).max() < 4 * 0.5 / np.sqrt(20_000)


def test_divergence_beyond_two_sigma_squared():
    with np.errstate(over="ignore", invalid="ignore"):
        x = langevin(gauss_score(), np.full(100, 2.0), step_size=0.6, n_steps=200, rng=0)
    assert not np.isfinite(x).all() or np.abs(x).min() > 1e10


# --- annealed Langevin ---------------------------------------------------------------------------


def test_annealed_step_sizes_and_order():
    """With a zero score, each level adds 2 eps_i per step to the variance."""
    seen = []

    def score(x, sigma):
        seen.append(sigma)
        return np.zeros_like(x)

    sigmas = np.array([4.0, 2.0, 1.0])
    x, path = annealed_langevin(score, np.zeros(40_000), sigmas=sigmas, step_size=0.01,
                                n_steps_per_level=5, rng=0, return_path=True)  # fmt: skip
    assert seen == [4.0] * 5 + [2.0] * 5 + [1.0] * 5
    assert path.shape == (16, 40_000)
    steps = 0.01 * sigmas**2 / sigmas[-1] ** 2  # 0.16, 0.04, 0.01
    assert x.var() == pytest.approx(2 * 5 * steps.sum(), rel=0.03)
    assert path[5].var() == pytest.approx(2 * 5 * steps[0], rel=0.03)


def test_annealed_recovers_mode_weights_where_plain_does_not():
    w, mu, sd = [0.2, 0.8], [-4.0, 4.0], np.array([0.3, 0.3])
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-8, 8, 4000)
    plain = langevin(lambda x: mixture_score(x, w, mu, sd), x0, step_size=0.009, n_steps=500,
                     rng=1)  # fmt: skip
    annealed = annealed_langevin(
        lambda x, s: mixture_score(x, w, mu, np.sqrt(sd**2 + s**2)), x0,
        sigmas=geometric_sigmas(10.0, 0.1, 10), step_size=0.001, n_steps_per_level=100, rng=2,
    )  # fmt: skip
    assert abs((plain > 0).mean() - 0.5) < 0.05
    assert abs((annealed > 0).mean() - 0.8) < 0.04


def test_geometric_sigmas():
    s = geometric_sigmas(10.0, 0.01, 7)
    assert s[0] == pytest.approx(10.0) and s[-1] == pytest.approx(0.01)
    np.testing.assert_allclose(s[1:] / s[:-1], 10 ** (-0.5))
    with pytest.raises(ValueError, match=r"^sigma_max must be larger"):
        geometric_sigmas(1.0, 2.0, 3)


# --- MALA --------------------------------------------------------------------------------------


@pytest.mark.parametrize("eps", [0.05, 0.3, 0.45])
def test_mala_is_unbiased_where_ula_is_not(eps):
    rng = np.random.default_rng(3)
    x0 = rng.normal(1.0, 0.5, 20_000)
    x, acc = mala(lambda x: -((x - 1.0) ** 2) / 0.5, gauss_score(), x0, step_size=eps,
                  n_steps=200, rng=rng, return_acceptance=True)  # fmt: skip
    assert x.var() == pytest.approx(0.25, rel=4 * np.sqrt(2 / x.size))
    assert 0 < acc.mean() < 1
    assert x.shape == acc.shape == (20_000,)


def test_mala_2d_and_path():
    lp = lambda x: -0.5 * np.sum(x**2, axis=1)  # noqa: E731
    x, path = mala(lp, lambda x: -x, np.zeros((10, 2)), step_size=0.5, n_steps=15, rng=0,
                   return_path=True)  # fmt: skip
    assert path.shape == (16, 10, 2)
    np.testing.assert_array_equal(path[-1], x)


def test_mala_rejects_a_log_prob_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"^log_prob_fn must return an array of shape"):
        mala(lambda x: x, lambda x: -x, np.zeros((4, 2)), step_size=0.1, n_steps=2, rng=0)


# --- the stationary variance --------------------------------------------------------------------


@pytest.mark.parametrize("sigma", [0.3, 1.0, 4.0])
@pytest.mark.parametrize("frac", [0.01, 0.5, 0.99])
def test_ula_variance_solves_the_ar1_recursion(sigma, frac):
    eps = frac * 2 * sigma**2
    a = 1 - eps / sigma**2
    v = ula_gaussian_variance(sigma, eps)
    assert v == pytest.approx(a**2 * v + 2 * eps, rel=1e-12)
    assert v == pytest.approx(2 * eps / (1 - a**2), rel=1e-12)


def test_ula_variance_is_infinite_from_two_sigma_squared():
    assert ula_gaussian_variance(0.5, 0.5) == np.inf
    assert ula_gaussian_variance(0.5, 0.7) == np.inf
    np.testing.assert_array_equal(ula_gaussian_variance(0.5, np.array([0.3, 0.5])),
                                  [0.625, np.inf])  # fmt: skip


# --- diagnostics ------------------------------------------------------------------------------


def rhat_by_hand(draws):
    """BDA3 split-R-hat, written out with loops over chains."""
    half = draws.shape[0] // 2
    chains = [draws[:half, j] for j in range(draws.shape[1])]
    chains += [draws[-half:, j] for j in range(draws.shape[1])]
    n = half
    means = np.array([c.mean() for c in chains])
    w = np.mean([c.var(ddof=1) for c in chains])
    b = n * means.var(ddof=1)
    return np.sqrt(((n - 1) / n * w + b / n) / w)


@pytest.mark.parametrize("seed", range(3))
def test_rhat_formula_and_values(seed):
    rng = np.random.default_rng(seed)
    iid = rng.standard_normal((2000, 4))
    assert rhat(iid) == pytest.approx(rhat_by_hand(iid), rel=1e-12)
    assert rhat(iid) < 1.01
    shifted = iid + np.array([0.0, 0.0, 0.0, 2.0])
    assert rhat(shifted) > 1.2
    drifting = iid + np.linspace(0, 3, 2000)[:, None]  # every chain drifts the same way
    assert rhat(drifting) > 1.2  # the split halves catch it


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_ess_of_ar1_chains(rho):
    rng = np.random.default_rng(7)
    n, m = 20_000, 4
    y = lfilter([1.0], [1.0, -rho], rng.standard_normal((n, m)), axis=0)
    assert effective_sample_size(y) == pytest.approx(n * m * (1 - rho) / (1 + rho), rel=0.1)


def test_ess_is_at_most_a_few_times_the_draws_and_constant_chains_are_handled():
    assert effective_sample_size(np.ones((10, 3))) == 30.0
    assert rhat(np.ones((10, 3))) == 1.0


# --- bad input ---------------------------------------------------------------------------------


def _wrong_shape(x):
    return np.zeros(x.size + 1)


def _wrong_shape2(x, sigma):
    return np.zeros(x.size + 1)


_X0 = [0.0, 1.0]
_EXTRA_X0 = [[], [1.0, np.inf], np.zeros((2, 2, 2))]
_LANGEVIN = {"score_fn": lambda x: -x, "x0": _X0, "step_size": 0.1, "n_steps": 3, "rng": 0}
_KINDS = {"x0": "array", "step_size": "scale", "n_steps": "count"}
_ANNEALED = {"score_fn": lambda x, s: -x, "x0": _X0, "sigmas": [2.0, 1.0], "step_size": 0.1,
             "n_steps_per_level": 2, "rng": 0}  # fmt: skip
_MALA = {"log_prob_fn": lambda x: -0.5 * x**2, "score_fn": lambda x: -x, "x0": _X0,
         "step_size": 0.1, "n_steps": 3, "rng": 0}  # fmt: skip

BAD_INPUT = [
    *cases(langevin, _LANGEVIN, {**_KINDS, "score_fn": "array"},
           extra={"x0": _EXTRA_X0, "score_fn": [_wrong_shape]}),
    *cases(langevin_gaussian,
           {"mu": 1.0, "sigma": 0.5, **{k: v for k, v in _LANGEVIN.items() if k != "score_fn"}},
           {"mu": "location", "sigma": "scale", **_KINDS}, extra={"x0": _EXTRA_X0}),
    *cases(annealed_langevin, _ANNEALED,
           {"x0": "array", "sigmas": "scale", "step_size": "scale", "n_steps_per_level": "count",
            "score_fn": "array"},
           extra={"sigmas": [[1.0, 2.0], [1.0, 1.0], [[2.0, 1.0]]], "score_fn": [_wrong_shape2],
                  "x0": _EXTRA_X0}),
    *cases(mala, _MALA, {**_KINDS, "score_fn": "array", "log_prob_fn": "array"},
           extra={"x0": _EXTRA_X0, "score_fn": [_wrong_shape]}),
    *cases(geometric_sigmas, {"sigma_max": 10.0, "sigma_min": 0.1, "n_levels": 5},
           {"sigma_max": "scale", "sigma_min": "scale", "n_levels": "count"},
           extra={"n_levels": [1]}),
    *cases(ula_gaussian_variance, {"sigma": 1.0, "step_size": 0.1},
           {"sigma": "scale", "step_size": "scale"}),
    *cases(rhat, {"draws": np.zeros((10, 2)) + np.arange(10)[:, None]}, {"draws": "sample2d"},
           extra={"draws": [np.zeros((3, 2))]}),
    *cases(effective_sample_size, {"draws": np.arange(20.0).reshape(10, 2)},
           {"draws": "sample2d"}, extra={"draws": [np.zeros((3, 2))]}),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), BAD_INPUT)
def test_bad_input_is_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"step_size": -0.1}, r"^step_size must be > 0"),
        ({"step_size": 0.0}, r"^step_size must be > 0"),
        ({"sigmas": [1.0, 2.0]}, r"^sigmas must be strictly decreasing"),
        ({"score_fn": _wrong_shape2}, r"^score_fn must return an array of shape \(2,\)"),
        ({"x0": [0.0, np.nan]}, r"^x0 contains NaN"),
        ({"score_fn": 3.0}, r"^score_fn must be a function"),
    ],
)
def test_the_errors_the_issue_asks_for(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        annealed_langevin(**(_ANNEALED | kwargs))


# --- user functions get copies (as scipy's samplers and optimisers give) -------------------


def _scribbling(fn):
    """``fn`` that overwrites the array it was given after computing its result."""

    def wrapped(x, *rest):
        out = fn(x, *rest)
        x[...] = 123.0
        return out

    return wrapped


def test_a_score_that_edits_its_argument_does_not_change_the_chains():
    x0 = np.linspace(-1, 1, 6)
    kw = {"step_size": 0.01, "n_steps": 50, "rng": 4, "return_path": True}
    clean = langevin(gauss_score(), x0, **kw)
    meddled = langevin(_scribbling(gauss_score()), x0, **kw)
    np.testing.assert_array_equal(meddled[1], clean[1])
    sigmas = geometric_sigmas(1.0, 0.1, 3)
    score = lambda x, s: (1.0 - x) / (0.25 + s**2)  # noqa: E731
    kw = {"step_size": 0.01, "n_steps_per_level": 20, "rng": 4}
    clean = annealed_langevin(score, x0, sigmas=sigmas, **kw)
    np.testing.assert_array_equal(
        annealed_langevin(_scribbling(score), x0, sigmas=sigmas, **kw), clean
    )


def test_mala_functions_that_edit_their_argument_do_not_change_the_chains():
    x0 = np.linspace(-1, 1, 6)
    log_p = lambda x: -0.5 * (x - 1.0) ** 2 / 0.25  # noqa: E731
    kw = {"step_size": 0.05, "n_steps": 50, "rng": 4, "return_path": True}
    clean = mala(log_p, gauss_score(), x0, **kw)
    meddled = mala(_scribbling(log_p), _scribbling(gauss_score()), x0, **kw)
    np.testing.assert_array_equal(meddled[1], clean[1])
