"""Helpers for *From Likelihood to Langevin*: the tested library behind the notebooks.

One module per idea; each function's docstring says which notebook introduces it.

- :mod:`helpers.distributions`: densities in log space (``normal_pdf``, ``normal_logpdf``,
  ``normal_loglik``)
- :mod:`helpers.scores`: gradients of log densities with respect to x
- :mod:`helpers.score_net`: a noise-conditional score network in numpy, trained by DSM
- :mod:`helpers.data`: loaders for the real data in ``data/``
- :mod:`helpers.plotting`: the style call and ``plot_*`` functions (``ax=None``)
- :mod:`helpers.widgets`: the :class:`~helpers.widgets.Explorer` and the explorers
- :mod:`helpers.exercises`: instant checks for the exercises
"""

__version__ = "0.1.0"
