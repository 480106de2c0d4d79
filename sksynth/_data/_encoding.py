"""Reading one column: its spec at ``fit``, its encoding, and its decoding.

Arrays and pandas Series take separate paths to the same :class:`ColumnSpec`;
pandas is imported only for Series.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

from ._columns import (
    BOOLEAN,
    CATEGORICAL,
    CONTINUOUS,
    DATETIME,
    IDENTIFIER,
    INTEGER,
    MAX_EXACT_INTEGER,
    TIMEDELTA,
    ColumnSpec,
    Support,
    check_finite,
    column_label,
    encode_categories,
    is_number_type,
    is_whole,
    levels_of,
    levels_of_objects,
    missing_mask_object,
    missing_share,
    numeric_support,
    unsupported_dtype_error,
)
from ._datetimes import (
    coarser,
    granularity,
    make_codec,
    object_time_kind,
    objects_to_times,
    times_to_objects,
)
from ._identifiers import IdentifierFormat, is_auto_identifier

# Rows per block when profiling the columns of a numeric array.
SPEC_BLOCK_ROWS = 32_768
# Rows folded into one wide row by :func:`_column_extremes`.
_EXTREMES_FOLD = 64


@dataclass
class Declared:
    """What the user declared about one column.

    ``categorical``: named in ``categorical_features``; ``identifier``: True
    (named in ``id_columns``), False (``id_columns`` given without it) or
    "auto"; ``discrete``: True, False or "auto" (``discrete_features``).
    """

    categorical: bool = False
    identifier: object = "auto"
    discrete: object = "auto"


# -- specs --------------------------------------------------------------------


def numeric_spec(name, dtype, values, kind=None, discrete="auto"):
    """Spec of a numeric column from its float values (NaN = missing)."""
    # min / max give NaN when a value is missing: the mask is built only then.
    low, high = (values.min(), values.max()) if values.size else (np.nan,) * 2
    missing_rate = 0.0
    observed = values
    if np.isnan(low) or np.isnan(high):
        missing = np.isnan(values)
        observed = values[~missing]
        missing_rate = missing_share(missing)
        low, high = (observed.min(), observed.max()) if observed.size else (low, high)
    if np.isinf(low) or np.isinf(high):
        check_finite(values, column_label(name))
    if kind is None:
        kind = INTEGER if getattr(dtype, "kind", "f") in "iu" else CONTINUOUS
        if kind == CONTINUOUS and observed.size and is_whole(observed):
            kind = INTEGER
    return ColumnSpec(
        name=name,
        kind=kind,
        dtype=dtype,
        low=float(low),
        high=float(high),
        missing_rate=missing_rate,
        support=numeric_support(observed, dtype, kind != CONTINUOUS, discrete),
    )


def _column_extremes(block):
    """Minimum and maximum of each column of a 2-d float block (NaN where a
    column holds one).

    Reduced over rows of many columns at once: the rows are regrouped into
    wide rows of ``_EXTREMES_FOLD`` rows each, so the reduction's inner loop
    runs over a thousand values rather than a row's few (twice as fast for
    20 columns), then the ``_EXTREMES_FOLD`` partial results are reduced.
    """
    n_rows, n_columns = block.shape
    folded = n_rows - n_rows % _EXTREMES_FOLD
    extremes = []
    for reduce in (np.minimum.reduce, np.maximum.reduce):
        part = block[folded:]
        if folded:
            wide = reduce(block[:folded].reshape(-1, _EXTREMES_FOLD * n_columns))
            part = np.concatenate([wide.reshape(_EXTREMES_FOLD, n_columns), part])
        extremes.append(reduce(part, axis=0))
    return extremes


def numeric_array_specs(X, discrete):
    """Specs of every column of a numeric array, profiled from row blocks read
    once (ranges, missing values, whole numbers), then each column's support."""
    n_rows, n_columns = X.shape
    n_missing = np.zeros(n_columns, dtype=np.int64)
    low = np.full(n_columns, np.nan)
    high = np.full(n_columns, np.nan)
    whole = np.full(n_columns, X.dtype.kind in "fc")
    for start in range(0, n_rows, SPEC_BLOCK_ROWS):
        block = np.asarray(X[start : start + SPEC_BLOCK_ROWS], dtype=float)
        # minimum / maximum give NaN for a column holding one: only those
        # columns are read again, for their missing values (fmin / fmax skip
        # NaN).
        block_low, block_high = _column_extremes(block)
        holes = np.flatnonzero(np.isnan(block_low))
        if holes.size:
            part = block[:, holes]
            n_missing[holes] += np.isnan(part).sum(axis=0)
            block_low[holes] = np.fmin.reduce(part, axis=0)
            block_high[holes] = np.fmax.reduce(part, axis=0)
        low = np.fmin(low, block_low)
        high = np.fmax(high, block_high)
        if whole.any():
            whole &= ((block == np.round(block)) | np.isnan(block)).all(axis=0)
    infinite = np.isinf(low) | np.isinf(high)
    if infinite.any():
        j = int(np.argmax(infinite))
        check_finite(np.asarray(X[:, j], dtype=float), column_label(j))
    observed = n_missing < n_rows
    exact = np.fmax(np.abs(low), np.abs(high)) < MAX_EXACT_INTEGER
    integer = (X.dtype.kind in "iu") | (whole & observed & exact)
    specs = []
    for j in range(n_columns):
        column = np.asarray(X[:, j], dtype=float)
        present = column[~np.isnan(column)] if n_missing[j] else column
        specs.append(
            ColumnSpec(
                name=j,
                kind=INTEGER if integer[j] else CONTINUOUS,
                dtype=X.dtype,
                low=float(low[j]),
                high=float(high[j]),
                missing_rate=float(n_missing[j] / n_rows) if n_rows else 0.0,
                support=numeric_support(present, X.dtype, integer[j], discrete[j]),
            )
        )
    return specs


def categorical_spec(name, dtype, categories, missing):
    return ColumnSpec(
        name,
        CATEGORICAL,
        dtype,
        categories=categories,
        missing_rate=missing_share(missing),
    )


def boolean_spec(name, dtype, missing):
    return ColumnSpec(
        name,
        BOOLEAN,
        dtype,
        categories=np.array([False, True]),
        missing_rate=missing_share(missing),
    )


def identifier_spec(name, dtype, values, missing, kind):
    return ColumnSpec(
        name,
        IDENTIFIER,
        dtype,
        missing_rate=missing_share(missing),
        codec=IdentifierFormat.learn(name, values, missing, kind),
    )


def time_spec(name, dtype, times, declared, tz=None, objects=None):
    """Spec of a datetime or duration column from datetime64 / timedelta64."""
    kind = DATETIME if times.dtype.kind == "M" else TIMEDELTA
    codec = make_codec(times, kind, tz, objects)
    encoded = codec.to_numbers(times)
    spec = numeric_spec(name, dtype, encoded, kind, declared.discrete)
    spec.codec = codec
    return spec


def _aware_time_spec(series, declared, tz):
    """Spec of a timezone-aware column: encoded in its local wall time when
    that has the coarser granularity (local midnights are whole days), else in
    UTC (hourly times stay exact across a clock change)."""
    wall = series.dt.tz_localize(None).to_numpy()
    utc = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    local_unit = granularity(wall, DATETIME)
    if coarser(local_unit, granularity(utc, DATETIME)):
        return time_spec(series.name, series.dtype, wall, declared, tz=tz)
    spec = time_spec(series.name, series.dtype, utc, declared, tz=tz)
    spec.codec.utc = True
    return spec


def _object_column_kind(observed, types):
    """Kind of an object column from its present values ``observed`` and
    their set of ``types`` (decided once per type, not per value)."""
    if types and all(issubclass(t, bool | np.bool_) for t in types):
        return BOOLEAN
    if types and all(is_number_type(t) for t in types):
        return "numeric"
    time_kind = object_time_kind(observed)
    if time_kind is not None:
        return time_kind
    return CATEGORICAL


def object_spec(name, dtype, values, missing, declared):
    """Spec of an object column: booleans, numbers, dates or categories."""
    observed = values[~missing]
    types = set(map(type, observed.tolist()))
    kind = _object_column_kind(observed, types)
    if declared.identifier is True:
        id_kind = "integer" if kind == "numeric" else "text"
        spec = identifier_spec(name, dtype, values, missing, id_kind)
    elif kind == BOOLEAN and not declared.categorical:
        spec = boolean_spec(name, dtype, missing)
    elif kind == "numeric" and not declared.categorical:
        floats = np.where(missing, np.nan, values).astype(float)
        spec = numeric_spec(name, dtype, floats, discrete=declared.discrete)
        spec.integer_objects = spec.kind == INTEGER and all(
            issubclass(t, int | np.integer) for t in types
        )
        if (
            spec.integer_objects
            and declared.identifier == "auto"
            and is_auto_identifier(name, values, missing, "integer")
        ):
            spec = identifier_spec(name, dtype, values, missing, "integer")
    elif kind in ("date", "datetime", "timedelta") and not declared.categorical:
        times, tz = objects_to_times(values, missing, kind, column_label(name))
        spec = time_spec(name, dtype, times, declared, tz, kind)
    elif (
        kind == CATEGORICAL
        and not declared.categorical
        and declared.identifier == "auto"
        and is_auto_identifier(name, values, missing, "text")
    ):
        spec = identifier_spec(name, dtype, values, missing, "text")
    else:
        levels = levels_of_objects(name, values, missing)
        spec = categorical_spec(name, dtype, levels, missing)
    if missing.any():
        spec.missing_value = values[missing][0]
    return spec


def array_column_spec(name, values, dtype, declared):
    """Spec of one column of a numpy array."""
    label = column_label(name)
    if declared.identifier is True and values.dtype.kind in "biuf":
        missing = (
            np.isnan(values.astype(float))
            if values.dtype.kind == "f"
            else (np.zeros(values.shape[0], dtype=bool))
        )
        return identifier_spec(name, dtype, values, missing, "integer")
    if values.dtype.kind == "b":
        return boolean_spec(name, dtype, np.zeros(values.shape[0], dtype=bool))
    if values.dtype.kind in "Mm":
        return time_spec(name, dtype, values, declared)
    if values.dtype.kind in "OUS":
        values = values.astype(object, copy=False)
        return object_spec(name, dtype, values, missing_mask_object(values), declared)
    floats = np.asarray(values, dtype=float)
    if declared.categorical:
        check_finite(floats, label)
        missing = np.isnan(floats)
        return categorical_spec(name, dtype, levels_of(values, missing), missing)
    return numeric_spec(name, dtype, floats, discrete=declared.discrete)


def series_spec(series, declared):
    """Spec of one pandas column."""
    import pandas as pd

    name, dtype = series.name, series.dtype
    label = column_label(name)
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.CategoricalDtype):
        present = np.unique(series.cat.codes.to_numpy())
        present = present[present >= 0]
        categories = np.asarray(dtype.categories)[present]
        return categorical_spec(name, dtype, categories, missing)
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        tz = getattr(dtype, "tz", None)
        if tz is None:
            return time_spec(name, dtype, series.to_numpy(), declared)
        return _aware_time_spec(series, declared, tz)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return time_spec(name, dtype, series.to_numpy(), declared)
    if pd.api.types.is_bool_dtype(dtype) and not declared.categorical:
        return boolean_spec(name, dtype, missing)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(
        dtype
    ):
        floats = series.to_numpy(dtype=float, na_value=np.nan)
        integer = pd.api.types.is_integer_dtype(dtype)
        # Keys compared exactly: float64 merges distinct keys beyond 2**53.
        keys = floats if missing.any() or not integer else series.to_numpy()
        if declared.identifier is True or (
            declared.identifier == "auto"
            and integer
            and not declared.categorical
            and is_auto_identifier(name, keys, missing, "integer")
        ):
            values = series.to_numpy(dtype=object)
            return identifier_spec(name, dtype, values, missing, "integer")
        if declared.categorical:
            check_finite(floats, label)
            return categorical_spec(name, dtype, levels_of(floats, missing), missing)
        kind = INTEGER if integer else None
        return numeric_spec(name, dtype, floats, kind, declared.discrete)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values = series.to_numpy(dtype=object)
        return object_spec(name, dtype, values, missing, declared)
    raise unsupported_dtype_error(label, dtype)


# -- encoding -----------------------------------------------------------------


def check_array_input(X):
    """``X`` as a 2D numpy array, with sksynth's messages for bad input."""
    if sparse.issparse(X):
        raise TypeError(
            "sksynth estimators do not accept sparse input; got a sparse matrix. "
            "Convert it with X.toarray()."
        )
    dtype = getattr(X, "dtype", None)
    # scikit-learn's message (its estimator checks match it), with a column
    # and a way out.
    if isinstance(dtype, np.dtype) and dtype.kind == "c":
        raise ValueError(
            f"Complex data not supported: column 0 has dtype {dtype}. Split each "
            "column into its real and imaginary parts (X.real, X.imag)."
        )
    X = check_array(
        X, dtype=None, ensure_all_finite=False, ensure_min_samples=1, copy=False
    )
    if X.dtype.kind not in "biufOUSMm":
        raise unsupported_dtype_error(column_label(0), X.dtype)
    return X


def array_values(column):
    """Values of an array column and its missing mask, ready to encode."""
    if column.dtype.kind in "OUS":
        column = column.astype(object, copy=False)
        missing = missing_mask_object(column)
    elif column.dtype.kind == "b":
        missing = np.zeros(column.shape[0], dtype=bool)
    elif column.dtype.kind in "Mm":
        missing = np.isnat(column)
    else:
        missing = np.isnan(column.astype(float))
    return column, missing


def series_values(series, spec):
    """Values of a pandas column as ``encode_column`` takes them."""
    missing = series.isna().to_numpy()
    if spec.kind in (CONTINUOUS, INTEGER):
        try:
            return series.to_numpy(dtype=float, na_value=np.nan), missing
        except (TypeError, ValueError) as exc:
            raise _not_numbers_error(spec) from exc
    if spec.is_time:
        return _series_times(series, spec), missing
    if spec.kind == BOOLEAN and series.dtype.kind == "b":
        return series.to_numpy(dtype=bool, na_value=False), missing
    return series.to_numpy(dtype=object), missing


def _series_times(series, spec):
    import pandas as pd

    if spec.codec.objects is not None and series.dtype == object:
        return series.to_numpy(dtype=object)
    try:
        if spec.kind == DATETIME:
            series = pd.to_datetime(series)
            if series.dt.tz is not None:
                tz = spec.codec.tz if spec.codec.tz is not None else "UTC"
                tz = "UTC" if spec.codec.utc else tz
                series = series.dt.tz_convert(tz).dt.tz_localize(None)
        else:
            series = pd.to_timedelta(series)
    except (TypeError, ValueError) as exc:
        raise _not_times_error(spec) from exc
    return series.to_numpy()


def encode_series(series, spec):
    """Encoded values of a pandas column (categories looked up by hashing,
    once per distinct value)."""
    if spec.kind != CATEGORICAL:
        return encode_column(spec, *series_values(series, spec))
    import pandas as pd

    positions, missing = _positions_in(pd, spec.categories, series)
    encoded = positions.astype(float)
    encoded[missing] = np.nan
    return encoded


def _positions_in(pd, categories, values):
    """Position of each value in ``categories`` (-1 when absent, and for
    missing values) and the missing mask, hashing each distinct value once."""
    codes, distinct = pd.factorize(values)
    positions = pd.Index(categories).get_indexer(np.asarray(distinct, dtype=object))
    # factorize codes missing values -1: they take the -1 appended last.
    return np.append(positions, -1)[codes], codes < 0


def encode_column(spec, values, missing):
    """Encoded values of one column (an array and its missing mask)."""
    if spec.kind == CATEGORICAL:
        if values.dtype.kind not in "O":
            values = values.astype(np.asarray(spec.categories).dtype, copy=False)
        return encode_categories(values, missing, np.asarray(spec.categories))
    if spec.kind == BOOLEAN:
        return _encode_booleans(spec, values, missing)
    if spec.is_time:
        return _encode_times(spec, values, missing)
    encoded = np.full(values.shape[0], np.nan)
    try:
        encoded[~missing] = values[~missing].astype(float)
    except (TypeError, ValueError) as exc:
        raise _not_numbers_error(spec) from exc
    check_finite(encoded, spec.label)
    return encoded


def _encode_booleans(spec, values, missing):
    encoded = np.full(values.shape[0], np.nan)
    present = values[~missing]
    if present.dtype.kind == "O":
        flags = bool | np.bool_ | int | np.integer
        if not all(issubclass(type_, flags) for type_ in set(map(type, present))):
            example = next(v for v in present if not isinstance(v, flags))
            raise ValueError(
                f"Column {spec.label} was boolean in fit but holds {example!r} "
                f"({type(example).__name__}) now; pass True and False values, as "
                "in fit."
            )
    elif present.dtype.kind not in "biuf":
        raise ValueError(
            f"Column {spec.label} was boolean in fit but holds {present.dtype} values "
            "now; pass True and False values, as in fit."
        )
    encoded[~missing] = present.astype(bool)
    return encoded


def _encode_times(spec, values, missing):
    codec = spec.codec
    if values.dtype.kind == "O":
        kind = object_time_kind(values[~missing])
        if kind is None and (~missing).any():
            raise _not_times_error(spec)
        values, _ = objects_to_times(values, missing, kind or "datetime", spec.label)
    expected = "M" if spec.kind == DATETIME else "m"
    if values.dtype.kind != expected:
        raise _not_times_error(spec)
    return codec.to_numbers(values)


def _not_numbers_error(spec):
    return ValueError(
        f"Column {spec.label} was numeric in fit but holds values that are not "
        "numbers now; pass the same kind of data as in fit."
    )


def _not_times_error(spec):
    what = "dates" if spec.kind == DATETIME else "durations"
    return ValueError(
        f"Column {spec.label} held {what} in fit but holds values that are not "
        f"{what} now; pass the same kind of data as in fit."
    )


# -- decoding -----------------------------------------------------------------


def decode_column(spec, values, enforce_range):
    """Decoded values of one modelled column as a numpy array (object when it
    holds missing values and its dtype cannot)."""
    if spec.is_levels:
        missing = np.isnan(values)
        categories = np.asarray(spec.categories)
        if categories.size == 0:
            return np.full(values.shape[0], spec.missing_value, dtype=object)
        codes = np.clip(np.where(missing, 0, values), 0, categories.size - 1)
        decoded = categories[codes.astype(int)]
        if missing.any():
            decoded = decoded.astype(object)
            decoded[missing] = spec.missing_value
        return decoded
    decoded = decode_numbers(spec, values, enforce_range)
    if spec.is_time:
        times = spec.codec.from_numbers(decoded)
        if spec.codec.objects is not None:
            return times_to_objects(times, spec.codec, spec.missing_value)
        return times
    return decoded


def decode_numbers(spec, values, enforce_range):
    """Numbers of a numeric column on its support: discrete columns snap to
    their values, lattices round, and the range is kept when asked."""
    support = spec.support if spec.support is not None else Support()
    decoded = support.snap(values)
    if spec.kind == INTEGER and not support.is_finite:
        decoded = np.round(decoded)
    if enforce_range and not np.isnan(spec.low):
        decoded = np.clip(decoded, spec.low, spec.high)
    elif spec.kind == INTEGER:
        # Values beyond what the integer dtype holds would wrap around.
        limits = integer_limits(spec.dtype)
        if limits is not None:
            decoded = np.clip(decoded, *limits)
    # A small negative number rounded to zero is -0.0, written out as "-0.0";
    # adding zero makes it 0.0 (in place when ``decoded`` is a new array).
    if decoded is values or getattr(decoded, "dtype", None) != np.float64:
        return decoded + 0.0
    decoded += 0.0
    return decoded


def integer_limits(dtype):
    """Smallest and largest value of a (numpy or pandas nullable) integer dtype."""
    try:
        info = np.iinfo(np.dtype(str(dtype).lower()))
    except (TypeError, ValueError):
        return None
    return float(info.min), float(info.max)


def as_objects(spec, decoded):
    """Decoded values of an object column, missing numbers as its missing value."""
    if spec.is_time and decoded.dtype.kind in "Mm":
        out = decoded.astype(object)
        out[np.isnat(decoded)] = spec.missing_value
        return out
    if spec.is_time or not spec.is_numeric:
        return decoded
    missing = np.isnan(decoded)
    if spec.integer_objects:
        objects = np.empty(decoded.shape, dtype=object)
        objects[~missing] = decoded[~missing].astype(np.int64).tolist()
    else:
        objects = decoded.astype(object)
    objects[missing] = spec.missing_value
    return objects


def to_series(pd, spec, values):
    """A pandas column of decoded values, in the dtype seen in ``fit``."""
    dtype = spec.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes, _ = _positions_in(pd, dtype.categories, values)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=dtype), name=spec.name)
    if spec.kind == IDENTIFIER:
        return _identifier_series(pd, spec, values)
    if spec.is_time and values.dtype.kind in "Mm":
        series = pd.Series(values, name=spec.name)
        tz = getattr(dtype, "tz", None)
        if tz is not None and spec.codec.utc:
            return series.dt.tz_localize("UTC").dt.tz_convert(tz).astype(dtype)
        if tz is not None:
            # Wall times of a clock change: the later offset, or shifted on.
            standard = np.zeros(len(series), dtype=bool)
            series = series.dt.tz_localize(
                tz, ambiguous=standard, nonexistent="shift_forward"
            )
        return series.astype(dtype)
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        missing = pd.isna(values)
        if missing.any():
            # numpy integers and booleans hold no missing value: the pandas
            # nullable dtype of the same kind does.
            nullable = {"i": "Int64", "u": "UInt64", "b": "boolean"}[dtype.kind]
            return pd.Series(values, name=spec.name, dtype=object).astype(nullable)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        # Built as object from the start: pandas would infer the str dtype
        # from strings and turn None into NaN.
        return pd.Series(as_objects(spec, values), name=spec.name, dtype=object)
    return pd.Series(values, name=spec.name).astype(dtype)


def _identifier_series(pd, spec, keys):
    dtype = spec.dtype
    missing = np.equal(keys, None)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        keys = keys.copy()
        keys[missing] = spec.missing_value
        return pd.Series(keys, name=spec.name, dtype=object)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu" and missing.any():
        return pd.Series(keys, name=spec.name, dtype=object).astype("Int64")
    return pd.Series(keys, name=spec.name, dtype=object).astype(dtype)


def to_array(columns, decoded, dtype, n_samples):
    """A numpy array of decoded columns, in the training array's dtype."""
    if dtype.kind == "O":
        out = np.empty((n_samples, len(columns)), dtype=object)
        for j, (spec, column) in enumerate(zip(columns, decoded, strict=True)):
            out[:, j] = as_objects(spec, column) if spec.kind != IDENTIFIER else column
        return out
    out = np.empty((n_samples, len(columns)), dtype=dtype)
    for j, column in enumerate(decoded):
        out[:, j] = column
    return out


def to_array_column(spec, values, dtype):
    """A 1D array of one column's decoded values, in the array's dtype."""
    return to_array([spec], [values], dtype, values.shape[0])[:, 0]
