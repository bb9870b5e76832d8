"""Explorers: the shared framework here, one module of explorers per lesson beside it.

- :mod:`helpers.widgets.explorer`: :class:`Explorer` and the slider factories, used by
  every lesson (re-exported here).
- ``helpers.widgets.<topic>``: one lesson's explorers, named after its notebook
  (``likelihood`` for ``01_likelihood.ipynb``). A notebook imports what it needs from
  its own module: ``from helpers.widgets.likelihood import likelihood_explorer``.

This package never imports a lesson module: lessons depend on the framework, not the
other way round (``tests/test_layout.py`` checks the import graph).
"""

from helpers.widgets.explorer import (
    Explorer,
    choice,
    fit_text,
    float_slider,
    int_slider,
    log_slider,
    nice_step,
    seed_slider,
)

__all__ = [
    "Explorer",
    "choice",
    "fit_text",
    "float_slider",
    "int_slider",
    "log_slider",
    "nice_step",
    "seed_slider",
]
