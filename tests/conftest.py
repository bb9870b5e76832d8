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


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole session, shared by the browser tests.

    Playwright's sync API refuses to start a second driver while one is running in the same
    process, so the browser journey and the zero-install site test both take this one.
    Requested only after a test has checked that Playwright is installed.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
