"""Notebook 07's exercises: the size of the network, the loss floor of Gaussian data, the step
at the largest noise level, why a tiny sigma_min memorises, and two algorithms the student
writes: the backward pass of one dense layer and the weighted DSM loss of a batch.

Introduced in ``07_score_model.ipynb``; worked solutions in
``notebooks/solutions/07_score_model_solutions.ipynb``.
"""

from __future__ import annotations

import numpy as np

from helpers.exercises.registry import Exercise, FunctionExercise, register

# 07.1: a bigger network than the lesson's, (x1, x2, log sigma) -> 128 -> 128 -> 128 -> 2
_SIZES = (3, 128, 128, 128, 2)

# 07.2: data N(0, v I) in d dimensions, noise sigma (not the lesson's 2-D, v = 1 case, so the
# floor the lesson's figure shows at sigma = 1 does not give this one away)
_D, _V, _SIGMA = 3, 2.0, 0.5

# 07.3: annealed Langevin's step at the smallest level and the ladder's ends
_EPS, _SIGMA_MAX, _SIGMA_MIN = 0.1, 20.0, 1.0


def _ex_07_1(*, sizes=_SIZES, biases=True) -> float:
    """Weights and biases of the MLP: the sizes of the arrays init_params makes."""
    from helpers.score_net import init_params

    params = init_params(sizes, rng=0)
    return float(sum(v.size for k, v in params.items() if biases or k.startswith("W")))


def _ex_07_2(*, d=_D, v=_V, sigma=_SIGMA, half=0.5, top=None) -> float:
    """The floor of the weighted DSM loss for Gaussian data: (d/2) v / (v + sigma^2).

    ``top`` replaces the numerator v (a slip: the part the score explains, or no v at all).
    """
    return half * d * (v if top is None else top) / (v + sigma**2)


def _ex_07_3(power=2) -> float:
    """Annealed Langevin's step at sigma_max: eps * (sigma_max / sigma_min)^2."""
    return _EPS * (_SIGMA_MAX / _SIGMA_MIN) ** power


register(Exercise(
    "07.1",
    "A bigger network than section 2's (inputs x1, x2 and log sigma; three hidden layers of "
    "128; two outputs): how many numbers does training adjust?",
    _ex_07_1,
    "count each layer's weight matrix (inputs x outputs) and its bias vector (one per "
    "output), then add the layers.",
    integer=True,
    mistakes=(
        (lambda: _ex_07_1(biases=False), "That counts the weight matrices only; each layer also "
         "has a bias per output."),
        (lambda: _ex_07_1(sizes=(2, 128, 128, 128, 2)), "The first layer also takes log sigma: "
         "three inputs, not two."),
        (lambda: _ex_07_1(sizes=(3, 128, 128, 2)), "There are three hidden layers, so four "
         "weight matrices."),
    ),
))  # fmt: skip
register(Exercise(
    "07.2",
    "Data N(0, 2 I) in 3-D (variance v = 2 per coordinate), noise sigma = 0.5: the smallest "
    "possible value of the weighted DSM loss (sigma^2 / 2) E|s(x~) + z / sigma|^2 (the floor). "
    "Derive it for any d, v and sigma first.",
    _ex_07_2,
    "the best s is the score of the blurred density N(0, (v + sigma^2) I); put it in the loss, "
    "write x~ = x + sigma z, and take the expectation of the squared residual (x and z are "
    "independent).",
    rtol=1e-6,
    mistakes=(
        (lambda: _ex_07_2(half=1.0), "The loss has a factor 1/2 in front."),
        (lambda: _ex_07_2(top=_SIGMA**2),
         "That is the part of the noise the score explains, not the part it cannot."),
        (lambda: _ex_07_2(sigma=np.sqrt(_SIGMA)),
         "Check the two variances: the data's is v = 2 per coordinate, the noise's is "
         "sigma^2 = 0.25 (not sigma)."),
        (lambda: _ex_07_2(d=1), "The data are 3-D: the residual has three coordinates."),
        (lambda: _ex_07_2(top=1.0),
         "Check the units: the floor has none (scale the data and the noise together and it "
         "stays put), so the data's variance belongs above the line as well as below."),
    ),
))  # fmt: skip
register(Exercise(
    "07.3",
    "Annealed Langevin with step_size = 0.1 (the step at the smallest level, sigma = 1) on the "
    "ladder from sigma = 20 down to 1: the step used at sigma = 20.",
    _ex_07_3,
    "the step of a level keeps eps_i / sigma_i^2 the same at every level (lesson 06, "
    "section 10).",
    rtol=1e-6,
    mistakes=(
        (lambda: _ex_07_3(power=1), "The step grows like sigma_i^2, not sigma_i."),
        (lambda: _ex_07_3(power=0), "The step is scaled with the level: a step of 0.1 at "
         "sigma = 20 would barely move the chains where they must travel furthest."),
        (lambda: _ex_07_3(power=-2), "Upside down: the largest level takes the largest step."),
    ),
))  # fmt: skip
register(Exercise(
    "07.4",
    "A network flexible enough to reach the minimiser of the training loss, trained with "
    "sigma_min = 0.01 on 200 points, produces samples that land almost on the training points. "
    "Why? (a) the smallest levels are weighted sigma^2, so they add almost nothing to the loss "
    "and are learned last; (b) the loss on 200 points is minimised by their KDE's score, "
    "spikes of width sigma at the points when sigma is small; (c) at sigma = 0.01 Langevin's "
    "step is too small for the chains to leave the points they reach; (d) the output's "
    "1/sigma makes the score at sigma = 0.01 so large that the chains jump onto the data.",
    lambda: "b",
    "ask what the loss rewards on a finite sample: which score minimises the average over "
    "these 200 points exactly, and what Langevin does with its density (section 11).",
    options=("a", "b", "c", "d"),
    mistakes=(
        (lambda: "a", "The weight sigma^2 cancels the squared score's size of 1/sigma^2: every "
         "level's loss is 'predict the noise', of the same size (section 4), so no level is "
         "neglected."),
        (lambda: "c", "A small step slows the chains but does not choose where they end; the "
         "density they sample is the issue."),
        (lambda: "d", "The large score is the right size for data blurred by sigma = 0.01, and "
         "the step shrinks as sigma^2 to match; the output's 1/sigma is what lets the network "
         "itself output numbers of order one."),
    ),
))  # fmt: skip


# --------------------------------------------------------------------------------------
# Write the algorithm: the backward pass of one dense SiLU layer (07.5) and the weighted DSM
# loss of a batch (07.6). The tests show each reference equals the helper
# (``score_net.backward``, ``score_net.dsm_loss_and_grad``) fed the same numbers.


def _dense_reference(h, W, slope, g_out):
    g = g_out * slope  # through the activation: dL/da
    return h.T @ g, g.sum(axis=0), g @ W.T


def _dense_cases(rng):
    cases = []
    for n, n_in, m in ((4, 4, 4), (16, 3, 8), (7, 5, 2)):  # the first is square: see the slips
        a = rng.normal(size=(n, m))
        sig = 1 / (1 + np.exp(-a))
        cases.append({"h": rng.normal(size=(n, n_in)), "W": rng.normal(size=(n_in, m)),
                      "slope": sig * (1 + a * (1 - sig)),
                      "g_out": rng.normal(size=(n, m))})  # fmt: skip
    return cases


def _dense_with(*, transposed=False, bias_axis=0, slope=True, dh_through_w=True,
                bias_mean=False, dh_transposed=True):  # fmt: skip
    def wrong(h, W, slope_, g_out):
        g = g_out * slope_ if slope else g_out
        dW = (g.T @ h) if transposed else h.T @ g
        back = W.T if dh_transposed else W  # the square hidden case lets g @ W run
        dh = g @ back if dh_through_w else g_out @ back
        db = g.mean(axis=bias_axis) if bias_mean else g.sum(axis=bias_axis)
        return dW, db, dh

    return lambda h, W, slope, g_out: wrong(h, W, slope, g_out)


DENSE_BACKWARD = FunctionExercise(
    "07.5",
    "Write the backward pass of one dense layer out = SiLU(h @ W + b): given the layer's input "
    "h (n, n_in), its weights W (n_in, m), slope = SiLU'(h @ W + b) (n, m) and g_out = "
    "dL/d(out) (n, m), return (dL/dW, dL/db, dL/dh).",
    _dense_reference,
    _dense_cases,
    "go through the layer backwards: the activation first, then the affine map. Each "
    "gradient has the shape of what it is the gradient of, but a square case cannot tell a "
    "matrix from its transpose: check which index of W meets which index of h, and which "
    "axis is the batch.",
    starter="def dense_backward(h, W, slope, g_out):",
    outputs=("dW", "db", "dh"),
    slips=(
        (_dense_with(slope=False),
         "The activation's derivative is missing: g_out is the gradient after SiLU; multiply "
         "it by slope before going through the weights."),
        (_dense_with(transposed=True),
         "dL/dW is transposed: it must have W's shape (n_in, m), inputs by outputs."),
        (_dense_with(bias_axis=1),
         "The bias gradient is summed over the wrong axis: b is shared by the n rows of the "
         "batch, so sum over the rows, one number per output."),
        (_dense_with(dh_through_w=False),
         "dL/dh skips the activation: pass the gradient through SiLU' before W^T, as for W."),
        (_dense_with(bias_mean=True),
         "The bias gradient is an average: b is shared by the rows of the batch, and each row "
         "adds its own contribution to dL/db, so sum over the rows, do not average."),
        (_dense_with(dh_transposed=False),
         "dL/dh goes back through the weights the other way round: from m outputs to n_in "
         "inputs, so W enters transposed (shape (m, n_in))."),
    ),
)  # fmt: skip


def _dsm_reference(score_fn, x, sigmas, z):
    s = sigmas[:, None]
    residual = s * score_fn(x + s * z, sigmas) + z
    return float(0.5 * np.mean(np.sum(residual**2, axis=1)))


def _gaussian_data_score(mean, var):
    """The exact score of N(mean, var I) blurred by sigma (one sigma per row): a 'network'."""
    return lambda x, sigmas: (mean - x) / (var + np.reshape(sigmas, (-1, 1)) ** 2)


def _net_score(sizes, seed):
    """A small random network of the lesson, as a function (x, sigmas) -> scores."""
    from helpers.score_net import forward, init_params

    params = init_params(sizes, rng=seed)
    params[f"W{len(sizes) - 1}"] = np.random.default_rng(seed).normal(
        0, 0.5, params[f"W{len(sizes) - 1}"].shape
    )  # init_params starts the last layer at zero; a nonzero one tests more
    return lambda x, sigmas: forward(params, x, sigmas)[0]


def _dsm_cases(rng):
    cases = []
    for n, d, score_fn in ((8, 1, _gaussian_data_score(0.3, 1.5)),
                           (50, 2, _net_score((3, 16, 2), 1)),
                           (30, 2, _gaussian_data_score(np.array([0.5, -1.0]), 2.0))):  # fmt: skip
        x = rng.normal(0, 1.5, size=(n, d))
        sigmas = rng.choice(np.geomspace(5.0, 0.2, 6), size=n)
        cases.append({"score_fn": score_fn, "x": x, "sigmas": sigmas,
                      "z": rng.standard_normal((n, d))})  # fmt: skip
    return cases


def _dsm_with(*, sign=1.0, weight_power=2, reduce="mean", half=0.5, noisy=True,
              coords="sum"):  # fmt: skip
    def wrong(score_fn, x, sigmas, z):
        s = sigmas[:, None]
        at = x + s * z if noisy else x
        residual = score_fn(at, sigmas) + sign * z / s
        norm2 = np.sum(residual**2, axis=1) if coords == "sum" else np.mean(residual**2, axis=1)
        per_point = half * s[:, 0] ** weight_power * norm2
        return float(per_point.sum() if reduce == "sum" else per_point.mean())

    return wrong


DSM_BATCH = FunctionExercise(
    "07.6",
    "Write the sigma^2-weighted DSM loss of a batch for a network given as a function "
    "score_fn(x, sigmas): point x[i] is noised with scale sigmas[i] and draw z[i]; the loss "
    "is the batch mean of (sigma_i^2 / 2) |s(x~_i, sigma_i) + z_i / sigma_i|^2.",
    _dsm_reference,
    _dsm_cases,
    "re-read section 4's loss: where the network is evaluated, its target, the weight of each "
    "point, and what is averaged.",
    starter="def dsm_loss(score_fn, x, sigmas, z):",
    slips=(
        (_dsm_with(sign=-1.0),
         "The target's sign: x~ - x = sigma z points away from the clean point, and the score "
         "must point back, so the target is -z / sigma."),
        (_dsm_with(weight_power=0),
         "No weighting: without lambda(sigma) = sigma^2 the smallest levels, where the score "
         "is of size 1/sigma, swamp the loss."),
        (_dsm_with(reduce="sum"),
         "A sum over the batch: the loss is a mean, so its size does not depend on the batch "
         "size (lesson 03)."),
        (_dsm_with(half=1.0), "The factor 1/2 is missing."),
        (_dsm_with(noisy=False),
         "The network is evaluated at the clean point: it must see the noisy point "
         "x~ = x + sigma z, the only thing it is given when it samples."),
        (_dsm_with(coords="mean"),
         "The squared norm is a sum over the coordinates: average over the batch only, not "
         "over the coordinates as well (in 2-D that halves the loss)."),
        (_dsm_with(weight_power=1),
         "The weight is lambda(sigma) = sigma^2, not sigma: it must cancel the squared score's "
         "size of 1/sigma^2, so that every level's loss is of the same size."),
    ),
)  # fmt: skip

register(DENSE_BACKWARD)
register(DSM_BATCH)
