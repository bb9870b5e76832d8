"""Every public helper is covered by the shared bad-input checks (tests/bad_input.py).

A public helper is a callable named in some ``helpers`` module's ``__all__``. Each must be
declared with :func:`bad_input.cases` by some test module, or listed in ``EXEMPT`` below
with the reason it takes no argument a student could get wrong. Within a declared helper:

- an **explorer** (a public function of a lesson module ``helpers.widgets.<topic>``) must
  give a kind to *every* argument, except the text labels in ``LABELS``: a student types
  its keyword arguments, and a new one cannot go unchecked;
- **every helper** must give a kind to each of its counts (``n``, ``n_*``, ``max_*`` with a
  whole-number default, ``batch_size``), so text, inf and 1e9 are tried on all of them.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

import bad_input
import numpy as np
import pytest
from bad_input import assert_rejects, cases

import helpers
from helpers.dsm import dsm_loss, fit_dsm
from helpers.langevin import annealed_langevin, langevin_gaussian
from helpers.mixture import GaussianMixture, em
from helpers.mle import variance_estimates

TESTS = Path(__file__).resolve().parent

EXEMPT = {
    "helpers.data.load_old_faithful": "takes no arguments",
    "helpers.data.load_penguins": "takes no arguments",
    "helpers.plotting.use_style": "only a seaborn context name, passed through to seaborn",
    "helpers.plotting.figure_to_png": "takes a Figure made by the course's own code",
    "helpers.plotting.BlitRenderer": "takes a Figure made by the course's own code",
    "helpers.widgets.explorer.Explorer": "framework: its callback's errors are shown, not raised "
    "(tests/test_widgets.py)",
    "helpers.widgets.explorer.float_slider": "framework for explorer authors: a start value is "
    "checked by the explorer argument's name (start-value cases in tests/test_widgets.py)",
    "helpers.widgets.explorer.log_slider": "as float_slider",
    "helpers.widgets.explorer.int_slider": "as float_slider",
    "helpers.widgets.explorer.seed_slider": "as float_slider",
    "helpers.widgets.explorer.choice": "as float_slider",
    "helpers.widgets.explorer.fit_text": "framework for explorer authors: takes a Text artist "
    "of the explorer's own figure, and wraps any text (tests/test_widgets.py)",
    "helpers.exercises.registry.Exercise": "a record registered by lesson modules",
    "helpers.exercises.registry.register": "duplicate keys raise (tests/test_exercises.py)",
    "helpers.exercises.registry.all_exercises": "takes no arguments",
    "helpers.exercises.registry.check": "a wrong answer is a hint, never an error; unknown keys "
    "raise (tests/test_exercises.py)",
    "helpers.exercises.registry.is_correct": "as check",
    "helpers.exercises.registry.FunctionExercise": "a record registered by lesson modules",
    "helpers.exercises.registry.check_function": "a wrong or broken function is a hint, never an "
    "error; unknown keys raise (tests/test_exercises.py)",
}


#: Explorer arguments that take any text, shown as given: no kind needed.
LABELS = {
    "name": "a label for the data in titles and readouts; any text",
    "unit": "a unit written after numbers; any text",
}

#: Counts that no topic module's tests declare yet (tests/test_mixture.py is another owner's):
#: declared here so that every count is tried with text, inf and 1e9.
_W, _M, _C = [0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[2.0]]]
COUNT_CASES = [
    *cases(em, {"X": [0.0, 0.5, 1.0, 3.0], "weights": _W, "means": _M, "covariances": _C,
                "max_iter": 5}, {"max_iter": "count0"}),
    *cases(lambda max_iter: GaussianMixture(2, max_iter=max_iter), {"max_iter": 5},
           {"max_iter": "count0"}, covers="helpers.mixture.GaussianMixture"),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "kwargs", "arg"), COUNT_CASES)
def test_bad_counts_are_rejected_naming_the_argument(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


_X272 = np.random.default_rng(0).normal(size=(272, 2))  # Old Faithful's size


@pytest.mark.parametrize(
    ("fn", "kwargs", "arg"),
    [
        # each count under its cap, their product gigabytes (or, for the annealed sampler,
        # a billion steps)
        (variance_estimates, {"n": 10**6, "n_repeats": 10**6}, "n_repeats"),
        (dsm_loss, {"score_fn": lambda x: -x, "X": _X272, "sigma": 0.5, "n_noise": 10**6},
         "n_noise"),
        (fit_dsm, {"X": _X272, "sigmas": [0.5, 1.0], "centers": [[0.0, 0.0]], "bandwidth": 1.0,
                   "n_noise": 10**5}, "n_noise"),
        (langevin_gaussian, {"mu": 0.0, "sigma": 1.0, "x0": np.zeros(1000), "step_size": 0.1,
                             "n_steps": 10**6, "rng": 0}, "n_steps"),
        (annealed_langevin, {"score_fn": lambda x, s: -x, "x0": [0.0],
                             "sigmas": np.geomspace(10, 0.1, 1000),
                             "step_size": 0.1, "n_steps_per_level": 10**4, "rng": 0},
         "n_steps_per_level"),
    ],
    ids=["variance_estimates", "dsm_loss", "fit_dsm", "langevin_gaussian", "annealed_langevin"],
)  # fmt: skip
def test_counts_whose_product_is_many_gib_are_refused_naming_them(fn, kwargs, arg):
    assert_rejects(fn, kwargs, arg)


def _resolve(name: str):
    module, _, attr = name.rpartition(".")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _arguments(name: str) -> dict[str, inspect.Parameter]:
    params = inspect.signature(_resolve(name)).parameters
    return {k: p for k, p in params.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def is_count(arg: str, param: inspect.Parameter) -> bool:
    """A count by the naming convention of CONTRIBUTING.md (``n_`` for counts)."""
    whole = isinstance(param.default, int) and not isinstance(param.default, bool)
    return (
        arg == "n" or arg.startswith("n_") or arg == "batch_size"
        or (arg.startswith("max_") and (whole or param.default is param.empty))
    )  # fmt: skip


def _declare_everything():
    for path in sorted(TESTS.glob("test_*.py")):
        importlib.import_module(path.stem)  # declaring cases registers them in COVERED


def is_explorer(name: str) -> bool:
    return name.startswith("helpers.widgets.") and not name.startswith("helpers.widgets.explorer.")


def public_helpers() -> set[str]:
    names = set()
    modules = [helpers] + [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers.")
    ]
    for module in modules:
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if callable(obj) and (inspect.isfunction(obj) or inspect.isclass(obj)):
                names.add(f"{obj.__module__}.{obj.__qualname__}")
    return names


def test_every_public_helper_is_checked_for_bad_input():
    _declare_everything()
    missing = sorted(public_helpers() - bad_input.COVERED - set(EXEMPT))
    assert not missing, (
        f"no bad-input cases for {missing}: declare them with bad_input.cases(...) in the "
        "helper's test module (see tests/bad_input.py), or exempt them here with a reason"
    )


def test_exemptions_name_real_helpers():
    stale = sorted(set(EXEMPT) - public_helpers())
    assert not stale, f"EXEMPT names helpers that no longer exist: {stale}"


def test_every_argument_of_every_explorer_is_checked_for_bad_input():
    _declare_everything()
    missing = {
        name: sorted(set(_arguments(name)) - bad_input.DECLARED.get(name, set()) - set(LABELS))
        for name in sorted(public_helpers() - set(EXEMPT))
        if is_explorer(name)
    }
    missing = {name: args for name, args in missing.items() if args}
    assert not missing, (
        f"explorer arguments without a kind: {missing}. Declare each in the explorer's "
        "bad_input.cases(...) (tests/test_widgets_<topic>.py), with its slider's ends through "
        "explorer_checks.beyond_the_ends, and check it at the top of the explorer or by "
        "passing name= to its slider"
    )


def test_every_count_of_every_helper_is_checked_for_bad_input():
    _declare_everything()
    missing = {}
    for name in sorted(public_helpers() - set(EXEMPT)):
        counts = [a for a, p in _arguments(name).items() if is_count(a, p)]
        undeclared = sorted(set(counts) - bad_input.DECLARED.get(name, set()))
        if undeclared:
            missing[name] = undeclared
    assert not missing, (
        f"counts without a kind: {missing}; declare them as 'count' in the helper's "
        "bad_input.cases(...) so text, inf and 1e9 are tried on them"
    )


def test_count_convention_is_what_the_checks_assume():
    def param(default):
        return inspect.Parameter("a", inspect.Parameter.KEYWORD_ONLY, default=default)

    assert is_count("n_steps", param(10)) and is_count("max_iter", param(100))
    assert is_count("n", param(inspect.Parameter.empty))
    assert not is_count("max_norm", param(1e8)) and not is_count("max_position", param(None))
    assert not is_count("names", param(("x1", "x2")))
    assert np.isfinite(len(LABELS))
