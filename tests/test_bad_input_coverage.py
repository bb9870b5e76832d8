"""Every public helper is covered by the shared bad-input checks (tests/bad_input.py).

A public helper is a callable named in some ``helpers`` module's ``__all__``. Each must be
declared with :func:`bad_input.cases` by some test module, or listed in ``EXEMPT`` below
with the reason it takes no argument a student could get wrong.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

import bad_input

import helpers

TESTS = Path(__file__).resolve().parent

EXEMPT = {
    "helpers.data.load_old_faithful": "takes no arguments",
    "helpers.data.load_penguins": "takes no arguments",
    "helpers.plotting.use_style": "only a seaborn context name, passed through to seaborn",
    "helpers.plotting.figure_to_png": "takes a Figure made by the course's own code",
    "helpers.plotting.BlitRenderer": "takes a Figure made by the course's own code",
    "helpers.widgets.explorer.Explorer": "framework: its callback's errors are shown, not raised "
    "(tests/test_widgets.py)",
    "helpers.widgets.explorer.float_slider": "framework for explorer authors; ipywidgets validates",
    "helpers.widgets.explorer.log_slider": "framework for explorer authors; ipywidgets validates",
    "helpers.widgets.explorer.int_slider": "framework for explorer authors; ipywidgets validates",
    "helpers.widgets.explorer.seed_slider": "framework for explorer authors; ipywidgets validates",
    "helpers.widgets.explorer.choice": "framework for explorer authors; ipywidgets validates",
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
    for path in sorted(TESTS.glob("test_*.py")):
        importlib.import_module(path.stem)  # declaring cases registers them in COVERED
    missing = sorted(public_helpers() - bad_input.COVERED - set(EXEMPT))
    assert not missing, (
        f"no bad-input cases for {missing}: declare them with bad_input.cases(...) in the "
        "helper's test module (see tests/bad_input.py), or exempt them here with a reason"
    )


def test_exemptions_name_real_helpers():
    stale = sorted(set(EXEMPT) - public_helpers())
    assert not stale, f"EXEMPT names helpers that no longer exist: {stale}"
