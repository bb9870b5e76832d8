"""Notebook 05's exercises: independent references for the expected values, and the slips
the checks recognise."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from test_exercises import EXERCISES, leaks

from helpers.data import load_old_faithful
from helpers.exercises import check
from helpers.exercises import gmm_em as ex05
from helpers.exercises.registry import _function_verdict

W, MU, SD = np.array([0.3, 0.7]), np.array([-2.0, 1.5]), np.array([0.6, 1.0])
ERUPTIONS = load_old_faithful()["eruptions"].to_numpy()


@pytest.mark.parametrize(
    "key, wrong, says",
    [
        ("05.1", stats.norm.pdf(0, MU, SD).sum(), "weights are missing"),
        ("05.1", stats.norm.pdf(0, MU, SD).mean(), "Equal weights"),
        ("05.1", W @ stats.norm.pdf(0, MU, np.sqrt(SD)), "standard deviations"),
        ("05.1", np.log(W @ stats.norm.pdf(0, MU, SD)), "log density"),
        ("05.2", -0.25, "midpoint"),
        ("05.2", -0.25 + np.log(7 / 3) / 3.5, "sign"),
        ("05.3", "a", "local maximum"),
        ("05.3", "c", "Permuting"),
        ("05.3", "d", "without limit"),
        ("05.4", 30, "K - 1"),
        ("05.4", 38, "d(d + 1)/2 free entries"),
        ("05.4", 39, "Two slips"),
        ("05.4", 17, "d = 2"),
        ("05.5", ex05._ex_05_5_variance_slip(), "standard deviation"),
        ("05.5", ex05._ex_05_5_hard(), "hard assignment"),
        ("05.5", 5.46, "Not quite"),
        ("05.5", ex05._ex_05_5_fit(centre=50.0), "new mean"),
        ("05.5", ex05._ex_05_5_fit(power=1.0), "variance"),
        ("05.6", np.std(ERUPTIONS, ddof=0) * ERUPTIONS.size**-0.2, "ddof=1"),
        ("05.6", np.var(ERUPTIONS, ddof=1) * ERUPTIONS.size**-0.2, "not the variance"),
        ("05.6", 1.06 * np.std(ERUPTIONS, ddof=1) * ERUPTIONS.size**-0.2, "Silverman"),
        ("05.7", "a", "rounding"),
        ("05.7", "c", "came from the rounding, not from LOO itself"),
    ],
)
def test_known_mistakes_get_a_specific_hint(key, wrong, says, capsys):
    check(key, wrong)
    out = capsys.readouterr().out
    assert says in out
    if key not in ("05.3", "05.7"):
        assert not leaks(out, EXERCISES[key].expected())


def test_expected_values_agree_with_independent_computations():
    assert EXERCISES["05.1"].expected() == pytest.approx(W @ stats.norm.pdf(0, MU, SD), rel=1e-12)
    closed_form = MU.mean() - np.log(W[1] / W[0]) / (MU[1] - MU[0])  # sigma = 1
    assert EXERCISES["05.2"].expected() == pytest.approx(closed_form, abs=1e-10)
    assert EXERCISES["05.4"].expected() == 2 + 3 * 3 + 3 * 6  # weights, means, covariances
    x = load_old_faithful()["waiting"].to_numpy()
    log_w = np.log(0.5) + stats.norm.logpdf(x[:, None], [50.0, 80.0], 5.0)
    r = np.exp(log_w - logsumexp(log_w, axis=1, keepdims=True))[:, 0]
    mean = r @ x / r.sum()
    sd = np.sqrt(r @ (x - mean) ** 2 / r.sum())
    assert EXERCISES["05.5"].expected() == pytest.approx(sd, rel=1e-12)


def test_scotts_rule_for_the_eruptions_is_scipys():
    h = stats.gaussian_kde(ERUPTIONS, bw_method="scott").factor * ERUPTIONS.std(ddof=1)
    assert EXERCISES["05.6"].expected() == pytest.approx(h, rel=1e-12)


@pytest.mark.parametrize(("key", "rounded"), [("05.2", -0.492), ("05.5", 5.463), ("05.6", 0.3720)])
def test_answers_at_the_stated_precision_are_accepted(key, rounded):
    """The lesson asks for 05.2 to 3 decimals, 05.5 to 3 decimals, 05.6 to 4 decimals."""
    from helpers.exercises import is_correct

    assert is_correct(key, rounded)


@pytest.mark.parametrize(
    ("key", "giveaways"),
    [
        ("05.3", ("global", "relabel", "mislead", "degenerate")),
        ("05.7", ("twin", "tied", "same value")),
    ],
)
def test_multiple_choice_hints_before_an_answer_are_neutral(key, giveaways, capsys):
    """The hint printed for an unanswered multiple-choice exercise points to no option."""
    check(key, None)
    out = capsys.readouterr().out.lower()
    assert "hint" in out
    assert not any(word in out for word in giveaways)


# --------------------------------------------------------------------------------------
# Write-the-algorithm exercises: the references against scipy and scikit-learn's formulas,
# and correct functions written another way are accepted.

#: Ready to register with the lesson (the notebook's starter cells and worked solutions come
#: with the student's view); until then these tests check them as test_exercises.py would.
FUNCTIONS = {"05.8": ex05.E_STEP, "05.9": ex05.EM_STEP}


def _cases(key):
    ex = FUNCTIONS[key]
    return ex.cases(np.random.default_rng(ex.seed))


def test_the_e_step_reference_is_bayes_rule_and_stays_finite_far_out():
    for case in _cases("05.8"):
        r = FUNCTIONS["05.8"].reference(**case)
        assert np.all(np.isfinite(r)) and np.allclose(r.sum(axis=1), 1.0, atol=1e-12)
        log_joint = np.log(case["weights"]) + stats.norm.logpdf(
            case["x"][:, None], case["means"], case["sds"]
        )
        log_r = log_joint - logsumexp(log_joint, axis=1, keepdims=True)
        np.testing.assert_allclose(r, np.exp(log_r), atol=1e-12)
    far = _cases("05.8")[-1]
    with np.errstate(invalid="ignore"):
        dens = far["weights"] * stats.norm.pdf(far["x"][:, None], far["means"], far["sds"])
        assert np.isnan(dens / dens.sum(axis=1, keepdims=True)).any()  # the case that needs lse


def test_the_em_step_reference_is_one_iteration_of_em_with_no_regularisation():
    for case in _cases("05.9"):
        weights, means, sds = FUNCTIONS["05.9"].reference(**case)
        r = FUNCTIONS["05.8"].reference(**case)
        nk = r.sum(axis=0)
        np.testing.assert_allclose(weights, nk / len(case["x"]), rtol=1e-12)
        np.testing.assert_allclose(means, r.T @ case["x"] / nk, rtol=1e-12)
        var = (r * (case["x"][:, None] - means) ** 2).sum(axis=0) / nk
        np.testing.assert_allclose(sds, np.sqrt(var), rtol=1e-10)

        # EM never lowers the log-likelihood
        def loglik(w, m, s, x=case["x"]):
            return logsumexp(np.log(w) + stats.norm.logpdf(x[:, None], m, s), axis=1).sum()

        assert loglik(weights, means, sds) >= loglik(case["weights"], case["means"], case["sds"])


def _e_step(x, weights, means, sds):
    z = (x[:, None] - means) / sds
    log_joint = np.log(weights) - 0.5 * z**2 - np.log(sds * np.sqrt(2 * np.pi))
    log_joint -= log_joint.max(axis=1, keepdims=True)  # a max-shift instead of logsumexp
    r = np.exp(log_joint)
    return r / r.sum(axis=1, keepdims=True)


def _em_step(x, weights, means, sds):
    r = _e_step(x, weights, means, sds)
    n_k = r.sum(axis=0)
    mu = (r * x[:, None]).sum(axis=0) / n_k
    sd = np.sqrt((r * (x[:, None] - mu) ** 2).sum(axis=0) / n_k)
    return n_k / n_k.sum(), mu, sd


@pytest.mark.parametrize(("key", "fn"), [("05.8", _e_step), ("05.9", _em_step)])
def test_correct_functions_written_another_way_are_accepted(key, fn):
    ok, msg = _function_verdict(FUNCTIONS[key], fn)
    assert ok and msg.startswith(f"[{key}] Correct"), msg


def test_the_naive_e_step_is_told_about_log_sum_exp_not_given_a_generic_hint():
    def naive(x, weights, means, sds):
        p = weights * stats.norm.pdf(x[:, None], means, sds)
        return p / p.sum(axis=1, keepdims=True)

    ok, out = _function_verdict(FUNCTIONS["05.8"], naive)
    assert not ok and "hidden case 4" in out and "logsumexp" in out and "underflows" in out


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_each_new_exercise_accepts_its_reference_and_recognises_each_slip(key):
    ex = FUNCTIONS[key]
    assert ex.key == key and ex.starter.startswith("def ")
    assert _function_verdict(ex, ex.reference)[0]
    for wrong_fn, hint in ex.slips:
        ok, msg = _function_verdict(ex, wrong_fn)
        assert not ok and hint in msg, f"{key}: the slip was not recognised: {msg}"
        assert "Hint: " not in msg  # the slip's own hint, not the generic one


@pytest.mark.parametrize("key", list(FUNCTIONS))
def test_each_new_exercise_survives_broken_functions(key):
    ex = FUNCTIONS[key]
    for fn in (None, lambda **kw: 1 / 0, lambda **kw: "text", lambda **kw: None):
        ok, msg = _function_verdict(ex, fn)
        assert not ok and msg.startswith(f"[{key}]"), msg
