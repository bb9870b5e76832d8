"""Time per EM iteration: helpers.mixture against scikit-learn's GaussianMixture.

Run from the repository root:  python benchmarks/bench_mixture.py   (a few minutes at most)

Both fit K = 3 full-covariance components from the same fully specified start (weights,
means and covariances; scikit-learn receives the inverse covariances as
``precisions_init``) with ``tol = 0``, so both run exactly ``max_iter`` iterations. The
time per iteration is the difference between a run of ``max_iter`` iterations and a run of
one, divided by ``max_iter - 1``: set-up costs (validation, scikit-learn's parameter
checks, our feature blocks) cancel out. Each figure is the best of a few repeats (the least
disturbed run). It also prints how far apart the two fits end (they should agree to ~1e-12).

This is a measurement, not a test: the suite never runs it.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture as SkGaussianMixture

from helpers.mixture import em


def data(n, d, rng):
    """Three well-separated blobs in d dimensions, and a start near (not at) them."""
    z = rng.integers(0, 3, n)
    X = rng.standard_normal((n, d)) * 0.7 + np.array([-3.0, 0.0, 2.5])[z, None]
    weights = np.full(3, 1 / 3)
    means = np.array([-2.0, 0.5, 2.0])[:, None] + np.zeros((3, d))
    covariances = np.broadcast_to(np.eye(d), (3, d, d)).copy()
    return X, weights, means, covariances


def run_ours(X, start, n_iter):
    t = time.perf_counter()
    result = em(X, *start, tol=0.0, max_iter=n_iter)
    return time.perf_counter() - t, result


def run_sklearn(X, start, n_iter):
    weights, means, covariances = start
    gm = SkGaussianMixture(3, covariance_type="full", tol=0.0, max_iter=n_iter,
                           weights_init=weights, means_init=means,
                           precisions_init=np.linalg.inv(covariances))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tol = 0 never "converges": that is the point
        t = time.perf_counter()
        gm.fit(X)
    return time.perf_counter() - t, gm


def per_iteration(run, X, start, n_iter, repeat):
    long = min(run(X, start, n_iter)[0] for _ in range(repeat))
    short = min(run(X, start, 1)[0] for _ in range(repeat))
    return max(long - short, 1e-9) / (n_iter - 1)


def main() -> None:
    rng = np.random.default_rng(0)
    print("Time per EM iteration, K = 3, full covariances, same start (best of repeats)\n")
    header = f"{'n':>9} {'d':>2} {'helpers (ms)':>13} {'sklearn (ms)':>13} {'ratio':>7}"
    print(header + f" {'max rel. diff of means':>23}")
    for n in (10**4, 10**5, 10**6):
        n_iter, repeat = (6, 3) if n == 10**6 else (11, 5)
        for d in (1, 2):
            X, *start = data(n, d, rng)
            ours = per_iteration(run_ours, X, start, n_iter, repeat)
            ref = per_iteration(run_sklearn, X, start, n_iter, repeat)
            fit = run_ours(X, start, n_iter)[1]
            sk = run_sklearn(X, start, n_iter)[1]
            diff = np.max(np.abs(fit.means - sk.means_) / np.abs(sk.means_).max())
            print(f"{n:>9} {d:>2} {ours * 1e3:>13.2f} {ref * 1e3:>13.2f} {ours / ref:>6.3f}x"
                  f" {diff:>23.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
