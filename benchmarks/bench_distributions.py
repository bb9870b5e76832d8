"""How fast are the helpers compared with scipy.stats.norm?  Prints a table of ratios.

Run from the repository root:  .venv/bin/python benchmarks/bench_distributions.py

Timings are the best of several repeats (the least disturbed run), in milliseconds.
"""

from __future__ import annotations

import timeit

import numpy as np
from scipy import stats

from helpers import distributions as dist


def best_ms(fn, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e3


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for n in (10**3, 10**4, 10**6):
        x = rng.normal(70.0, 13.0, n)
        number = max(1, 10**6 // n // 10)
        for name, ours, ref in [
            ("pdf", dist.normal_pdf, stats.norm.pdf),
            ("logpdf", dist.normal_logpdf, stats.norm.logpdf),
        ]:
            t_ours = best_ms(lambda f=ours, x=x: f(x, 70, 13), number)
            t_ref = best_ms(lambda f=ref, x=x: f(x, 70, 13), number)
            rows.append((name, n, t_ours, t_ref))
    # A log-likelihood surface: 200 x 200 parameter pairs on the 272 Old Faithful-sized sample.
    x = rng.normal(70.0, 13.0, 272)
    mu, sigma = np.meshgrid(np.linspace(40, 100, 200), np.linspace(4, 30, 200))
    rows.append((
        "loglik grid 200x200",
        272,
        best_ms(lambda: dist.normal_loglik(x, mu, sigma), 5),
        best_ms(lambda: stats.norm.logpdf(x[:, None, None], mu, sigma).sum(axis=0), 1, repeat=3),
    ))  # fmt: skip

    print(f"{'function':<22}{'n':>9}{'helpers (ms)':>15}{'scipy (ms)':>13}{'speed-up':>10}")
    for name, n, ours, ref in rows:
        print(f"{name:<22}{n:>9}{ours:>15.3f}{ref:>13.3f}{ref / ours:>9.1f}x")


if __name__ == "__main__":
    main()
