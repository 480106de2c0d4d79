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
