"""How fast is helpers.score_net?  Training time of the defaults, and the cost of one step.

Run from the repository root:  .venv/bin/python benchmarks/bench_score_net.py

Timed in the same run:

* **training**: ``fit_score_net`` with its defaults on 2,000 draws of
  0.8 N((5, 5), I) + 0.2 N((-5, -5), I), sigmas geometric from 20 to 1 (10 levels): wall
  and CPU seconds (issue 19 asks for under 30 s on two cores);
* **one forward + backward pass** of the default network (2 inputs + log sigma, hidden
  (64, 64), SiLU, 2 outputs) on a batch of 64, against a **plain numpy reference** of the same
  pass: straight-line code with no argument checks, no loop over layers and no cache dict;
* **one training step** (draw the batch, levels and noise, ``dsm_loss_and_grad``,
  ``adam_step``) against the same reference with an Adam update written inline.

Timings are the best of a few repeats (the least disturbed run). Not part of the test suite.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.special import expit

from helpers.langevin import geometric_sigmas
from helpers.mixture import mixture_sample
from helpers.score_net import adam_step, backward, dsm_loss_and_grad, fit_score_net, forward

W, M, C = np.array([0.8, 0.2]), np.array([[5.0, 5.0], [-5.0, -5.0]]), np.stack([np.eye(2)] * 2)
SIGMAS = geometric_sigmas(20.0, 1.0, 10)
BATCH = 64


def best_seconds(fn, number, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def reference_forward_backward(p, x, sigma, z, center, scale):
    """The same pass written out: no checks, no layer loop, no cache dict."""
    h0 = np.column_stack([(x - center) / np.sqrt(scale**2 + sigma**2), np.log(sigma)])
    a1 = h0 @ p["W1"] + p["b1"]
    s1 = expit(a1)
    h1 = a1 * s1
    a2 = h1 @ p["W2"] + p["b2"]
    s2 = expit(a2)
    h2 = a2 * s2
    f = h2 @ p["W3"] + p["b3"]
    g3 = (f + z) / x.shape[0]  # the weighted DSM loss: d/df of mean |f + z|^2 / 2
    g2 = (g3 @ p["W3"].T) * (s2 * (1 + a2 * (1 - s2)))
    g1 = (g2 @ p["W2"].T) * (s1 * (1 + a1 * (1 - s1)))
    return {"W1": h0.T @ g1, "b1": g1.sum(0), "W2": h1.T @ g2, "b2": g2.sum(0),
            "W3": h2.T @ g3, "b3": g3.sum(0)}  # fmt: skip


def main():
    X, _ = mixture_sample(2000, W, M, C, rng=0)
    center, scale = X.mean(axis=0), X.std(axis=0)

    print("training fit_score_net with its defaults (2,000 points, 10 levels):")
    for seed in range(2):
        t0, c0 = time.perf_counter(), time.process_time()
        model = fit_score_net(X, SIGMAS, rng=seed)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        n_steps = model.loss_history_.size
        print(f"  seed {seed}: {wall:5.1f} s wall, {cpu:5.1f} s CPU, {n_steps} steps: "
              f"{1e3 * wall / n_steps:.3f} ms a step")  # fmt: skip

    params = model.params_
    rng = np.random.default_rng(1)
    x = X[rng.integers(0, X.shape[0], BATCH)]
    sigma = SIGMAS[rng.integers(0, SIGMAS.size, BATCH)][:, None]
    z = rng.standard_normal(x.shape)
    x_tilde = x + sigma * z

    def ours():
        s, cache = forward(params, x_tilde, sigma[:, 0], center=center, scale=scale)
        return backward(params, cache, sigma * (sigma * s + z) / BATCH)

    def reference():
        return reference_forward_backward(params, x_tilde, sigma, z, center, scale)

    a, b = ours(), reference()
    assert all(np.allclose(a[k], b[k], rtol=1e-10, atol=1e-14) for k in a)
    t_ours, t_ref = best_seconds(ours, 2000), best_seconds(reference, 2000)
    print(f"\none forward + backward pass, batch {BATCH}, hidden (64, 64):")
    print(f"  helpers.score_net  {1e6 * t_ours:7.1f} us")
    print(f"  plain reference    {1e6 * t_ref:7.1f} us   ours / reference = {t_ours / t_ref:.2f}")

    step_rng = np.random.default_rng(2)
    state = {"p": params, "adam": None}

    def our_step():
        xb = X[step_rng.integers(0, X.shape[0], BATCH)]
        lv = SIGMAS[step_rng.integers(0, SIGMAS.size, BATCH)]
        _, grads = dsm_loss_and_grad(state["p"], xb, lv, rng=step_rng, center=center, scale=scale)
        state["p"], state["adam"] = adam_step(state["p"], grads, state["adam"], lr=1e-5)

    ref_state = {"p": {k: v.copy() for k, v in params.items()}, "t": 0,
                 "m": {k: 0.0 for k in params}, "v": {k: 0.0 for k in params}}  # fmt: skip

    def reference_step():
        xb = X[step_rng.integers(0, X.shape[0], BATCH)]
        lv = SIGMAS[step_rng.integers(0, SIGMAS.size, BATCH)][:, None]
        zb = step_rng.standard_normal(xb.shape)
        grads = reference_forward_backward(ref_state["p"], xb + lv * zb, lv, zb, center, scale)
        ref_state["t"] += 1
        t = ref_state["t"]
        for k, g in grads.items():
            m = ref_state["m"][k] = 0.9 * ref_state["m"][k] + 0.1 * g
            v = ref_state["v"][k] = 0.999 * ref_state["v"][k] + 0.001 * g * g
            ref_state["p"][k] -= 1e-5 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)

    t_step, t_ref_step = best_seconds(our_step, 1000), best_seconds(reference_step, 1000)
    print("\none training step (batch, levels, noise, loss and gradient, Adam):")
    print(f"  helpers.score_net  {1e6 * t_step:7.1f} us")
    print(f"  plain reference    {1e6 * t_ref_step:7.1f} us   "
          f"ours / reference = {t_step / t_ref_step:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
