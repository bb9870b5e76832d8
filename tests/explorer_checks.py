"""What every explorer test does: move controls as a student would, warnings recorded.

Shared by the ``tests/test_widgets_<topic>.py`` modules (imported like ``bad_input``:
``from explorer_checks import set_controls, assert_clean, slider_ends``).
"""

from __future__ import annotations

import warnings

import ipywidgets as widgets


def slider_ends(control) -> list:
    """The two ends of a slider (a log slider's ``min`` and ``max`` are exponents), or every
    value of a choice."""
    if isinstance(control, widgets.FloatLogSlider):
        return [control.base**control.min, control.base**control.max]
    if hasattr(control, "min"):
        return [control.min, control.max]
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def slider_end(control, which: str):
    """``slider_ends(control)`` for ``which = "min"`` or ``"max"``."""
    return slider_ends(control)[{"min": 0, "max": -1}[which]]


def set_controls(explorer, **values) -> list[str]:
    """Set the named controls in order and render the display bundle, recording every
    warning. Returns the warnings' texts (an explorer move should give none)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name, value in values.items():
            explorer.controls[name].value = value
        explorer._repr_mimebundle_()
    return [str(w.message) for w in caught]


def assert_clean(explorer) -> None:
    """The last move computed a result and shows no 'Cannot show' message."""
    assert explorer.error is None, explorer.error
    assert explorer.result is not None
    assert not explorer.readout_text.startswith("Cannot show")


def beyond_the_ends(fn, valid: dict, *, name: str | None = None) -> list:
    """``bad_input``-style cases for every slider an explorer's keyword argument starts:
    the argument just beyond each end of its slider (or not among a choice's options).

    An explorer's keyword argument that sets a control's starting value (``lr=...`` for the
    ``"lr"`` control) must be refused by name when it lies off the slider, not moved to the
    nearest end (what ipywidgets does) or turned into a ``TraitError``. Use with
    ``bad_input.assert_rejects``::

        BAD = [*cases(fn, valid, kinds), *beyond_the_ends(fn, valid)]
    """
    import inspect

    import pytest

    explorer = fn(**valid)
    label = name or fn.__name__
    params = inspect.signature(fn).parameters
    cases = []
    for key, control in explorer.controls.items():
        if key not in params:
            continue  # a control the explorer starts itself (a seed, "copies of the data")
        if isinstance(control, widgets.Dropdown):
            bad = [("unknown", "no such option")]
        elif isinstance(control, widgets.FloatLogSlider):
            lo, hi = slider_ends(control)
            bad = [("below", lo / 2), ("above", hi * 2)]
        else:
            lo, hi = slider_ends(control)
            eps = 1 if isinstance(control, widgets.IntSlider) else max(control.step, 1e-9)
            bad = [("below", lo - eps), ("above", hi + eps)]
        for which, value in bad:
            cases.append(
                pytest.param(fn, {**valid, key: value}, key, id=f"{label}-{key}-{which}-slider")
            )
    explorer.close()
    return cases
