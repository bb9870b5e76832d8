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
