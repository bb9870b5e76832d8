"""Notebook 06's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from test_exercises import EXERCISES, assert_specific_hint

from helpers.exercises import check
from helpers.exercises import score_langevin as ex06
from helpers.exercises.registry import _function_verdict


@pytest.mark.parametrize(
    ("key", "wrong", "says"),
    [
        ("06.1", 0.05, "first-order"),
        ("06.1", 2 * (1 - 1 / 1.1), "variance 1"),
        ("06.1", 2 * 0.5 * (1 - 1 / 1.1), "not the standard deviation"),
        ("06.1", 0.5 * (1 - 1 / 1.21), "standard deviation 10%"),
        ("06.2", 13, "alpha / 2"),
        ("06.2", 61, "variance"),
        ("06.2", 28, "round up"),
        ("06.4", 4**2 / (2 * 0.3), "standard deviation"),
        ("06.4", 8**2 / (2 * 0.3**2), "midpoint"),
        ("06.4", 4**2 / 0.3**2, "2 sigma^2"),
        ("06.4", 4 / (2 * 0.3**2), "quadratically"),
        ("06.5", ex06._ex_06_5() - 0.5, "correction"),
        ("06.5", 1.0 - ex06._ex_06_5(), "sign"),
        ("06.5", 1.0, "equally"),
        ("06.5", 0.0, "nearest point"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    assert_specific_hint(key, wrong, says, capsys)


def test_expected_values_agree_with_independent_computations():
    from helpers.langevin import langevin_gaussian, ula_gaussian_variance

    # 06.1: sigma^2 / (1 - eps / (2 sigma^2)) = 1.1 sigma^2  <=>  eps = 2 sigma^2 (1 - 1 / 1.1)
    eps = EXERCISES["06.1"].expected()
    assert eps == pytest.approx(2 * 0.25 * (1 - 1 / 1.1), rel=1e-10)
    assert ula_gaussian_variance(0.5, eps) == pytest.approx(1.1 * 0.25, rel=1e-10)
    # 06.2: the chains' mean follows a^k with a = 1 - (alpha / 2) / sigma^2 = 0.8 (eps = alpha / 2)
    k = int(EXERCISES["06.2"].expected())
    path = langevin_gaussian(1.0, 0.5, np.full(200_000, -5.0), step_size=0.05, n_steps=k, rng=3,
                             return_path=True)[1]  # fmt: skip
    bias = np.abs(path.mean(axis=1) - 1.0)
    assert bias[k - 1] > 0.01 > 6 * 0.8**k and 6 * 0.8 ** (k - 1) > 0.01
    assert abs(bias[k] - 6 * 0.8**k) < 4 * 0.5 / np.sqrt(200_000)
    # 06.3: the reference is the slope of log p (a central difference of the mixture's log density)
    for case in ex06.MIXTURE_SCORE.cases(np.random.default_rng(4))[:3]:
        w, m, sd, x = case["weights"], case["means"], case["sds"], case["x"]

        def logp(t, w=w, m=m, sd=sd):
            return np.log((w * stats.norm.pdf(t[:, None], m, sd)).sum(axis=1))

        fd = (logp(x + 1e-6) - logp(x - 1e-6)) / 2e-6
        np.testing.assert_allclose(ex06.MIXTURE_SCORE.reference(x, w, m, sd), fd, rtol=1e-5,
                                   atol=1e-5)  # fmt: skip
    # 06.5: the posterior mean of the clean point given x~, written out
    r = stats.norm.pdf(0.5, [0.0, 2.0], 1.0) / stats.norm.pdf(0.5, [0.0, 2.0], 1.0).sum()
    assert EXERCISES["06.5"].expected() == pytest.approx(r @ np.array([0.0, 2.0]), rel=1e-12)
    # 06.4: by hand, the right component alone at x = 4, and 0.2 + 0.8 = 1 at x = 0
    assert EXERCISES["06.4"].expected() == pytest.approx(4**2 / (2 * 0.09) + np.log(0.8), rel=1e-9)
    assert round(EXERCISES["06.4"].expected() / np.log(10), 1) == 38.5  # e^dU = 10^38.5


def test_the_valley_hint_before_an_answer_gives_no_number(capsys):
    check("06.4", None)
    out = capsys.readouterr().out.lower()
    assert "hint" in out and not any(w in out for w in ("88", "89", "0.09", "0.18", "log(0.8)"))


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises: each reference equals the helper fed the same noise, and
# correct functions written another way are accepted.

FUNCTIONS = {
    "06.3": ex06.MIXTURE_SCORE,
    "06.6": ex06.LANGEVIN_STEP,
    "06.7": ex06.ANNEALED,
    "06.8": ex06.DSM_LOSS,
}


def _cases(key):
    ex = FUNCTIONS[key]
    return ex.cases(np.random.default_rng(ex.seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_langevin_step_reference_is_one_step_of_the_helper(seed):
    from helpers.langevin import langevin

    for case in _cases("06.6"):
        z = np.random.default_rng(seed).standard_normal(case["x"].shape)
        want = langevin(case["score_fn"], case["x"], step_size=case["eps"], n_steps=1, rng=seed)
        got = FUNCTIONS["06.6"].reference(case["x"], case["score_fn"], case["eps"], z)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_annealed_reference_is_the_helper_with_the_same_draws(seed):
    from helpers.langevin import annealed_langevin

    for case in _cases("06.7"):
        z = np.random.default_rng(seed).standard_normal(case["z"].shape)
        want = annealed_langevin(case["score_fn"], case["x0"], sigmas=case["sigmas"],
                                 step_size=case["eps"], n_steps_per_level=z.shape[1],
                                 rng=seed)  # fmt: skip
        got = FUNCTIONS["06.7"].reference(case["score_fn"], case["x0"], case["sigmas"],
                                          case["eps"], z)  # fmt: skip
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_dsm_reference_at_one_level_is_sigma_squared_times_the_helpers_loss(seed):
    from helpers.dsm import dsm_loss

    for case in _cases("06.8"):
        x, sigma = case["x"], 0.7
        sigmas = np.full(len(x), sigma)
        z = np.random.default_rng(seed).standard_normal(x.shape)

        def score_fn(xt, fn=case["score_fn"], sigmas=sigmas):
            return fn(xt, sigmas)

        helper = dsm_loss(score_fn, x, sigma, n_noise=1, rng=seed)
        got = FUNCTIONS["06.8"].reference(case["score_fn"], x, sigmas, z)
        assert got == pytest.approx(sigma**2 * helper, rel=1e-12)


def test_the_dsm_reference_is_smallest_for_the_exact_blurred_score():
    """For Gaussian data the exact score of p_sigma minimises the expected loss: a check that
    the sign and scale of the target are right, made with many draws."""
    rng = np.random.default_rng(5)
    mean, var, n = np.array([0.5, -1.0]), 0.8, 200_000
    x = mean + np.sqrt(var) * rng.standard_normal((n, 2))
    sigmas = rng.choice([0.3, 1.0, 2.0], size=n)
    z = rng.standard_normal((n, 2))

    def exact(xt, s):
        return (mean - xt) / (var + np.reshape(s, (-1, 1)) ** 2)

    loss = FUNCTIONS["06.8"].reference(exact, x, sigmas, z)
    for wrong in (lambda xt, s: 1.1 * exact(xt, s), lambda xt, s: exact(xt + 0.2, s)):
        assert loss < FUNCTIONS["06.8"].reference(wrong, x, sigmas, z)
    # expected loss at the optimum: E[sigma^2 (d / sigma^2 - |s|^2)] = d - E[sigma^2 |s|^2]
    optimum = 2 - np.mean(sigmas**2 * 2 / (var + sigmas**2))
    assert loss == pytest.approx(optimum, rel=0.01)


def _langevin_step(x, score_fn, eps, z):
    drift = score_fn(x)
    return x + eps * drift + np.sqrt(2.0 * eps) * z


def _annealed(score_fn, x0, sigmas, eps, z):
    x = x0.copy()
    for sigma, z_level in zip(sigmas, z, strict=True):
        eps_i = eps * (sigma / sigmas[-1]) ** 2
        for z_k in z_level:
            x = _langevin_step(x, lambda y, s=sigma: score_fn(y, s), eps_i, z_k)
    return x


def _dsm_loss(score_fn, x, sigmas, z):
    s = sigmas.reshape(-1, 1)
    x_tilde = x + s * z
    errors = ((s * score_fn(x_tilde, sigmas) + z) ** 2).sum(axis=1)  # sigma^2 |s + z/sigma|^2
    return errors.mean()


@pytest.mark.parametrize(
    ("key", "fn"), [("06.6", _langevin_step), ("06.7", _annealed), ("06.8", _dsm_loss)]
)
def test_correct_functions_written_another_way_are_accepted(key, fn):
    ok, msg = _function_verdict(FUNCTIONS[key], fn)
    assert ok and msg.startswith(f"[{key}] Correct"), msg
