"""How fast is helpers.langevin?  Chain-steps per second against two references, in one run.

Run from the repository root:  .venv/bin/python benchmarks/bench_langevin.py

The target is the 1-D two-component mixture 0.2 N(-4, 0.3^2) + 0.8 N(4, 0.3^2), its score
``helpers.scores.mixture_score``. Timed in the same run:

* ``langevin`` and ``annealed_langevin`` with 10^4 chains x 1000 steps (annealed: 10 levels
  x 100 steps), the path not recorded, and once with ``return_path=True``;
* the **floor**: the same number of score calls and noise draws for all chains, with no
  update at all. A vectorized sampler cannot beat it; the goal is within 1.5x of it;
* the **source's loop**: one chain, a scalar update and ``np.append`` at every step, as the
  material this course grew from writes it. It is slow, so it runs 2,000 steps and its rate
  is reported per chain-step (``np.append`` copies the whole array each time, so a longer
  run would be slower still per step).

Timings are the best of a few repeats (the least disturbed run). Not part of the test suite.
"""

from __future__ import annotations

import time

import numpy as np

from helpers.langevin import annealed_langevin, geometric_sigmas, langevin
from helpers.scores import mixture_score

W, MU, SD = np.array([0.2, 0.8]), np.array([-4.0, 4.0]), np.array([0.3, 0.3])
N_CHAINS, N_STEPS = 10_000, 1000
SIGMAS = geometric_sigmas(10.0, 0.1, 10)


def score(x):
    return mixture_score(x, W, MU, SD)


def score_noisy(x, sigma):
    return mixture_score(x, W, MU, np.sqrt(SD**2 + sigma**2))


def best_seconds(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def floor_plain():
    """Score and noise for all chains at every step, no update: the cost a sampler cannot avoid."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-8, 8, N_CHAINS)
    z = np.empty_like(x)
    for _ in range(N_STEPS):
        score(x)
        rng.standard_normal(out=z)


def floor_annealed():
    rng = np.random.default_rng(0)
    x = rng.uniform(-8, 8, N_CHAINS)
    z = np.empty_like(x)
    for sigma in SIGMAS:
        for _ in range(N_STEPS // SIGMAS.size):
            score_noisy(x, float(sigma))
            rng.standard_normal(out=z)


def source_loop(n_steps=2000, eps=0.009):
    """One chain, the way the source writes it: a scalar update, np.append at every step."""
    rng = np.random.default_rng(0)
    x = 0.5
    samples = np.array([x])
    for _ in range(n_steps):
        x = x + eps * float(score(x)) + np.sqrt(2 * eps) * rng.standard_normal()
        samples = np.append(samples, x)
    return samples


def main() -> None:
    x0 = np.random.default_rng(1).uniform(-8, 8, N_CHAINS)
    work = N_CHAINS * N_STEPS
    runs = {
        "floor (score + noise, no update)": (lambda: floor_plain(), work),
        "langevin": (lambda: langevin(score, x0, step_size=0.009, n_steps=N_STEPS, rng=0), work),
        "langevin, return_path=True": (
            lambda: langevin(score, x0, step_size=0.009, n_steps=N_STEPS, rng=0, return_path=True),
            work,
        ),
        "floor, annealed (10 levels)": (lambda: floor_annealed(), work),
        "annealed_langevin": (
            lambda: annealed_langevin(
                score_noisy,
                x0,
                sigmas=SIGMAS,
                step_size=0.001,
                n_steps_per_level=N_STEPS // SIGMAS.size,
                rng=0,
            ),
            work,
        ),
        "source loop (1 chain, np.append)": (lambda: source_loop(), 2000),
    }
    rates = {}
    for name, (fn, n) in runs.items():
        rates[name] = n / best_seconds(fn, repeat=1 if "source" in name else 3)
    floor, floor_ann = (
        rates["floor (score + noise, no update)"],
        rates["floor, annealed (10 levels)"],
    )
    loop = rates["source loop (1 chain, np.append)"]
    print(
        f"Langevin on 0.2 N(-4, 0.3^2) + 0.8 N(4, 0.3^2): {N_CHAINS:,} chains x {N_STEPS:,} steps"
    )
    print(f"{'':36s} {'chain-steps/s':>14s} {'floor / this':>13s} {'this / loop':>12s}")
    for name, rate in rates.items():
        ref = floor_ann if "annealed" in name else floor
        print(f"{name:36s} {rate:14.3e} {ref / rate:13.2f} {rate / loop:12.0f}")
    print("goal: floor / this <= 1.5 for langevin and annealed_langevin (path not recorded)")


if __name__ == "__main__":
    main()
