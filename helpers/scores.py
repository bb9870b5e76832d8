"""Score functions: the gradient of a log density with respect to the data ``x``.

Introduced in ``01_likelihood.ipynb`` (the Gaussian score as the slope of the log
density); ``06_score_langevin.ipynb`` builds samplers on top of these.

Two meanings of "score" meet in this course. In statistics the score is the gradient
of the log-likelihood with respect to the *parameters*; in score-based generative
modelling it is the gradient of the log density with respect to *x*. Functions here
use the second meaning, as in Song and Ermon (2019): ``s(x) = d/dx log p(x)``.
"""

from __future__ import annotations

from helpers._validation import as_float_array, as_location, as_scale

__all__ = ["normal_score"]


def normal_score(x, mu=0.0, sigma=1.0):
    r"""Score of the Gaussian: :math:`\partial_x \log p(x) = -(x-\mu)/\sigma^2`.

    Parameters
    ----------
    x : array-like
        Points (any shape).
    mu : float or array-like, default 0.0
        Mean.
    sigma : float or array-like, default 1.0
        Standard deviation, > 0.

    Returns
    -------
    ndarray
        The slope of the log density at each ``x``: positive left of ``mu``, negative
        right of it, so it always points towards the mode; zero at the mode.

    Examples
    --------
    >>> float(normal_score(3.0, mu=2.0, sigma=0.5))
    -4.0
    """
    x = as_float_array(x, "x")
    mu = as_location(mu, "mu")
    sigma = as_scale(sigma, "sigma")
    return (mu - x) / sigma**2  # not -(x - mu): that gives -0.0 at the mode
