"""Tests for helpers.data: the loaders find their files and check their schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import helpers.data
from helpers.data import load_old_faithful, load_penguins

PENGUIN_COLUMNS = [
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
]


# --- Old Faithful -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def faithful():
    return load_old_faithful()


def test_old_faithful_shape_and_columns(faithful):
    assert isinstance(faithful, pd.DataFrame)
    assert faithful.shape == (272, 2)
    assert list(faithful.columns) == ["eruptions", "waiting"]


def test_old_faithful_is_float_without_nan(faithful):
    assert all(faithful.dtypes == np.float64)
    assert not faithful.isna().any().any()


@pytest.mark.parametrize(("col", "lo", "hi"), [("eruptions", 1.6, 5.1), ("waiting", 43, 96)])
def test_old_faithful_ranges_match_docstring(faithful, col, lo, hi):
    assert faithful[col].min() == pytest.approx(lo, abs=0.05)
    assert faithful[col].max() == pytest.approx(hi, abs=0.05)


def test_old_faithful_known_summary(faithful):
    assert faithful["waiting"].mean() == pytest.approx(70.897, abs=5e-4)
    assert faithful["eruptions"].mean() == pytest.approx(3.4878, abs=5e-5)
    # both variables are bimodal and strongly correlated (short eruption, short wait)
    assert faithful["eruptions"].corr(faithful["waiting"]) == pytest.approx(0.9008, abs=1e-3)


def test_old_faithful_first_rows(faithful):
    np.testing.assert_array_equal(faithful.iloc[0].to_numpy(), [3.6, 79.0])
    np.testing.assert_array_equal(faithful.iloc[1].to_numpy(), [1.8, 54.0])


def test_loaders_do_not_depend_on_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_old_faithful().shape == (272, 2)
    assert load_penguins().shape == (333, 8)


def test_loaders_return_fresh_frames():
    a = load_old_faithful()
    a.loc[0, "waiting"] = -1.0
    assert load_old_faithful().loc[0, "waiting"] == 79.0


# --- corrupted and missing files ----------------------------------------------------------


def _faithful_text(n=272, header='"eruptions","waiting"', row="3.600,79"):
    return "\n".join([header, *[row] * n]) + "\n"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (_faithful_text(header="duration,wait"), r"expected columns \['eruptions', 'waiting'\]"),
        (_faithful_text(header="waiting,eruptions", row="79,3.6"), r"expected columns"),
        (_faithful_text(header="eruptions,waiting,extra", row="3.6,79,1"), r"expected columns"),
        (_faithful_text(n=271), r"expected 272 rows, found 271"),
        (_faithful_text(n=300), r"expected 272 rows, found 300"),
        (_faithful_text(n=0), r"expected 272 rows, found 0"),
        (_faithful_text(row="3.6,500"), r"column 'waiting' should be numeric within \[40, 100\]"),
        (_faithful_text(row="3.6,-79"), r"column 'waiting' should be numeric within"),
        (_faithful_text(row="0.2,79"), r"column 'eruptions' should be numeric within \[1.5, 5.2\]"),
        (_faithful_text(row="3.6,"), r"unexpected missing values"),
    ],
    ids=[
        "wrong-names",
        "swapped",
        "extra-column",
        "too-few-rows",
        "too-many-rows",
        "header-only",
        "waiting-too-big",
        "waiting-negative",
        "eruptions-too-small",
        "missing-value",
    ],
)
def test_corrupted_old_faithful_raises_useful_value_error(tmp_path, monkeypatch, text, pattern):
    (tmp_path / "old_faithful.csv").write_text(text)
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=pattern) as info:
        load_old_faithful()
    assert "old_faithful.csv" in str(info.value)


def test_old_faithful_with_text_names_the_file(tmp_path, monkeypatch):
    (tmp_path / "old_faithful.csv").write_text("species,island\nAdelie,Dream\n")
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"old_faithful\.csv"):
        load_old_faithful()


def test_old_faithful_with_text_still_raises_value_error(tmp_path, monkeypatch):
    (tmp_path / "old_faithful.csv").write_text(_faithful_text(row="3.6,seventy"))
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError):
        load_old_faithful()


@pytest.mark.parametrize("loader", [load_old_faithful, load_penguins])
def test_missing_file_raises_file_not_found(tmp_path, monkeypatch, loader):
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match=r"is missing.*pip install -e \."):
        loader()


def test_missing_file_message_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"old_faithful\.csv"):
        load_old_faithful()


def test_data_dir_is_next_to_the_package():
    assert helpers.data.DATA_DIR.is_absolute()
    assert (helpers.data.DATA_DIR / "old_faithful.csv").is_file()
    assert (
        helpers.data.DATA_DIR.parent
        == helpers.data.Path(helpers.data.__file__).resolve().parent.parent
    )


# --- penguins -------------------------------------------------------------------------------


@pytest.mark.parametrize(("dropna", "n_rows"), [(False, 344), (True, 333)])
def test_penguins_row_count(dropna, n_rows):
    df = load_penguins(dropna=dropna)
    assert df.shape == (n_rows, 8)
    assert list(df.columns) == PENGUIN_COLUMNS


def test_penguins_default_drops_missing():
    df = load_penguins()
    assert len(df) == 333
    assert not df.isna().any().any()
    assert list(df.index) == list(range(333))  # index reset


def test_penguins_dropna_false_keeps_11_incomplete_rows():
    df = load_penguins(dropna=False)
    assert df.isna().any(axis=1).sum() == 11


@pytest.mark.parametrize("dropna", [False, True])
def test_penguins_three_species(dropna):
    df = load_penguins(dropna=dropna)
    assert set(df["species"]) == {"Adelie", "Chinstrap", "Gentoo"}
    assert set(df["island"]) == {"Biscoe", "Dream", "Torgersen"}


def test_penguins_numeric_columns_in_range():
    df = load_penguins()
    for col, lo, hi in [
        ("bill_length_mm", 30, 60),
        ("bill_depth_mm", 13, 22),
        ("flipper_length_mm", 170, 235),
        ("body_mass_g", 2700, 6300),
        ("year", 2007, 2009),
    ]:
        assert pd.api.types.is_numeric_dtype(df[col])
        assert lo <= df[col].min() <= df[col].max() <= hi
    assert set(df["sex"]) == {"female", "male"}


def _penguin_text(rows):
    header = ",".join(PENGUIN_COLUMNS)
    return "\n".join([header, *rows]) + "\n"


GOOD_PENGUIN = "Adelie,Torgersen,39.1,18.7,181,3750,male,2007"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("species,island\nAdelie,Dream\n", r"expected columns"),
        (_penguin_text([GOOD_PENGUIN] * 343), r"expected 344 rows, found 343"),
        (
            _penguin_text(
                [GOOD_PENGUIN] * 343 + ["Adelie,Torgersen,39.1,18.7,181,99999,male,2007"]
            ),
            r"column 'body_mass_g' should be numeric within \[2700, 6300\]",
        ),
        (
            _penguin_text([GOOD_PENGUIN] * 343 + ["Adelie,Torgersen,long,18.7,181,3750,male,2007"]),
            r"column 'bill_length_mm' should be numeric",
        ),
    ],
    ids=["wrong-columns", "wrong-rows", "out-of-range", "text-in-numeric"],
)
def test_corrupted_penguins_raise_useful_value_error(tmp_path, monkeypatch, text, pattern):
    (tmp_path / "penguins.csv").write_text(text)
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    with pytest.raises(ValueError, match=pattern) as info:
        load_penguins()
    assert "penguins.csv" in str(info.value)
