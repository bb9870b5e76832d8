"""Shared fixtures: a seeded generator, a headless matplotlib, no figure left open."""

import os

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere in the tests

import matplotlib.pyplot as plt
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def rng():
    """A fresh, seeded ``np.random.Generator`` for each test (never the global RNG)."""
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")
