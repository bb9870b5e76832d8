"""Loaders for the small real data sets shipped in ``data/``.

Introduced in ``01_likelihood.ipynb``.

Files are found from this package's location, never from the notebook's working
directory: inside an installed wheel they are the package data ``helpers/_data/``
(``importlib.resources``); in a clone (an editable install, ``pip install -e .``) they
are the repository's ``data/`` folder beside ``helpers/``. Every loader checks the
schema it promises: the column names, the row count, and plausible ranges.
``data/README.md`` gives each file's source and licence.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = ["DATA_DIR", "load_old_faithful", "load_penguins"]


def _data_dir() -> Path:
    """``helpers/_data`` in an installed wheel, else the clone's ``data/`` folder."""
    shipped = Path(str(resources.files("helpers").joinpath("_data")))
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parent.parent / "data"


DATA_DIR = _data_dir()


def _read(name: str) -> pd.DataFrame:
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing. The data ship inside the wheel (helpers/_data) and with "
            "the repository in data/; reinstall the helpers (`pip install .`, or "
            "`pip install -e .` from a clone)."
        )
    return pd.read_csv(path)


def _check_schema(df: pd.DataFrame, name: str, columns: dict, n_rows: int) -> None:
    if list(df.columns) != list(columns):
        raise ValueError(f"{name}: expected columns {list(columns)}, found {list(df.columns)}")
    if len(df) != n_rows:
        raise ValueError(f"{name}: expected {n_rows} rows, found {len(df)}")
    for col, (lo, hi) in columns.items():
        if lo is None:
            continue
        values = df[col].dropna()
        if not pd.api.types.is_numeric_dtype(values) or values.min() < lo or values.max() > hi:
            raise ValueError(f"{name}: column {col!r} should be numeric within [{lo}, {hi}]")


def load_old_faithful() -> pd.DataFrame:
    """Old Faithful geyser eruptions: 272 rows, durations and waiting times in minutes.

    Returns
    -------
    pandas.DataFrame of shape (272, 2)
        ``eruptions``: duration of the eruption in minutes (1.6 to 5.1).
        ``waiting``: waiting time to the next eruption in minutes (43 to 96).

    Notes
    -----
    Both columns are bimodal: short eruptions are followed by short waits. A single
    Gaussian fits them badly, which is where ``05_gmm_em.ipynb`` starts.

    Examples
    --------
    >>> df = load_old_faithful()
    >>> df.shape
    (272, 2)
    """
    df = _read("old_faithful.csv")
    _check_schema(df, "old_faithful.csv", {"eruptions": (1.5, 5.2), "waiting": (40, 100)}, 272)
    if df.isna().any().any():
        raise ValueError("old_faithful.csv: unexpected missing values")
    return df.astype(float)


def load_penguins(*, dropna: bool = True) -> pd.DataFrame:
    """Palmer penguins: body measurements of 344 penguins of three species.

    Parameters
    ----------
    dropna : bool, default True
        Drop the rows with a missing measurement or sex (11 rows), leaving 333.

    Returns
    -------
    pandas.DataFrame
        Columns ``species``, ``island``, ``bill_length_mm``, ``bill_depth_mm``,
        ``flipper_length_mm``, ``body_mass_g``, ``sex``, ``year``.
    """
    df = _read("penguins.csv")
    columns = {
        "species": (None, None),
        "island": (None, None),
        "bill_length_mm": (30, 60),
        "bill_depth_mm": (13, 22),
        "flipper_length_mm": (170, 235),
        "body_mass_g": (2700, 6300),
        "sex": (None, None),
        "year": (2007, 2009),
    }
    _check_schema(df, "penguins.csv", columns, 344)
    if dropna:
        df = df.dropna().reset_index(drop=True)
    return df
