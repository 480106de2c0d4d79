"""Tests of sksynth.datasets: the bundled UCI Adult table (issue 13)."""

import hashlib
import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sksynth
from sksynth.datasets import load_adult

COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
]
INTEGER = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss"]
INTEGER += ["hours_per_week"]
MISSING = {"workclass": 2799, "occupation": 2809, "native_country": 857}
SHA256 = "f7a97ef60a6fc033d3c21293e263d1f74b2e402187e83291841d85de23348e5d"


@pytest.fixture(scope="module")
def adult():
    return load_adult()


def test_bunch_holds_the_table_and_its_description(adult):
    assert adult.data.shape == (48842, 14) and adult.frame.shape == (48842, 15)
    assert list(adult.data.columns) == adult.feature_names == COLUMNS
    assert list(adult.frame.columns) == [*COLUMNS, "income"]
    assert list(adult.target_names) == ["<=50K", ">50K"]
    assert adult.target.name == "income"
    assert "CC BY 4.0" in adult.DESCR and "Kohavi" in adult.DESCR
    pd.testing.assert_frame_equal(adult.frame[COLUMNS], adult.data)


def test_dtypes_missing_values_and_classes(adult):
    X, y = adult.data, adult.target
    assert all(X[name].dtype == np.int64 for name in INTEGER)
    text = [name for name in COLUMNS if name not in INTEGER]
    assert all(isinstance(X[name].dtype, pd.CategoricalDtype) for name in text)
    assert isinstance(y.dtype, pd.CategoricalDtype)
    counts = X.isna().sum()
    assert counts[counts > 0].to_dict() == MISSING
    assert int(adult.frame.isna().sum().sum()) == 6465
    assert y.value_counts().to_dict() == {"<=50K": 37155, ">50K": 11687}
    # No '?' and no test label with its trailing '.' left.
    assert "?" not in X["workclass"].cat.categories
    assert set(y.cat.categories) == {"<=50K", ">50K"}


def test_first_rows_of_the_training_and_test_files(adult):
    first = adult.frame.iloc[0]
    assert first["age"] == 39 and first["workclass"] == "State-gov"
    assert first["education"] == "Bachelors" and first["education_num"] == 13
    test_first = adult.frame.iloc[32561]
    assert test_first["age"] == 25 and test_first["income"] == "<=50K"


def test_return_X_y_and_arrays(adult):
    X, y = load_adult(return_X_y=True)
    pd.testing.assert_frame_equal(X, adult.data)
    pd.testing.assert_series_equal(y, adult.target)

    X, y = load_adult(return_X_y=True, as_frame=False)
    assert isinstance(X, np.ndarray) and X.dtype == object and X.shape == (48842, 14)
    assert isinstance(y, np.ndarray) and y.shape == (48842,)
    assert X[0, 1] == "State-gov" and X[0, 0] == 39
    assert int(pd.isna(X).sum()) == 6465
    bunch = load_adult(as_frame=False)
    assert bunch.frame is None and bunch.data.shape == (48842, 14)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="'as_frame' parameter"):
        load_adult(as_frame="yes")


def test_shipped_file_is_the_documented_one():
    data = resources.files("sksynth.datasets").joinpath("data", "adult.csv.gz")
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    assert digest == SHA256
    readme = Path(sksynth.__file__).parent / "datasets" / "data" / "README.md"
    assert SHA256 in readme.read_text(encoding="utf-8")


def test_import_sksynth_does_not_load_the_datasets():
    code = (
        "import json, sys, sksynth\n"
        "before = 'sksynth.datasets' in sys.modules\n"
        "loader = sksynth.datasets.load_adult\n"
        "print(json.dumps([before, 'sksynth.datasets' in sys.modules]))"
    )
    root = str(Path(sksynth.__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": root, "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [False, True]


def test_without_pandas_the_error_names_the_fix(monkeypatch):
    # None in sys.modules makes ``import pandas`` raise ImportError.
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        load_adult()
