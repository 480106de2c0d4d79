"""The tables rules work on: DataFrames, with arrays read as DataFrames."""

import numpy as np

from .._data import import_pandas as _import_pandas
from .._data import is_dataframe, is_missing_value


def import_pandas():
    """pandas, or an ImportError naming the rules and the install line."""
    return _import_pandas("Rules (sksynth.constraints)")


def as_frame(X):
    """``X`` as a DataFrame: a DataFrame as it is, an array with columns
    0, 1, ... (as objects when it mixes types)."""
    pd = import_pandas()
    if is_dataframe(X):
        return X
    values = np.asarray(X)
    if values.ndim != 2:
        raise ValueError(
            f"Rules check 2-dimensional tables; got an array of shape {values.shape}."
        )
    return pd.DataFrame(values)


def missing_mask(series):
    """Missing values of a Series (None, NaN, NaT, pandas.NA)."""
    return np.asarray(series.isna(), dtype=bool)


def same_values(series, value):
    """Where ``series`` equals ``value`` (a missing value, None, NaN, NaT or
    pandas.NA: where it is missing)."""
    missing = missing_mask(series)
    if is_missing_value(value):
        return missing
    equal = np.zeros(len(series), dtype=bool)
    present = ~missing
    kept = series[present]
    try:
        equal[present] = np.asarray(kept == value, dtype=bool)
    except (TypeError, ValueError):
        equal[present] = np.asarray(kept.astype(object) == value, dtype=bool)
    return equal


def is_number(series):
    """Whether a Series holds numbers (an object column of numbers too)."""
    pd = import_pandas()
    if pd.api.types.is_numeric_dtype(series.dtype):
        return not isinstance(series.dtype, pd.CategoricalDtype)
    if series.dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return inferred in ("integer", "floating", "mixed-integer-float")
    return False


def kind_of(series):
    """ "number", "date" or the Series' dtype (what rules that compare or sum
    columns tell apart)."""
    pd = import_pandas()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    return "number" if is_number(series) else str(series.dtype)
