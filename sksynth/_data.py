"""The tabular data layer shared by every sksynth estimator.

Estimators never look at user containers. :class:`TableSchema` records, at
``fit``, what each column is (its *kind*), its dtype, its categories, its
observed range and its share of missing values; it turns a table into a float
array (``encode``) and a float array back into a table of the same container,
column names, dtypes and categories (``decode``). :class:`TargetSchema` does the
same for ``y`` and decides whether it is a classification or a continuous
target.

Encoded values are ``float64``: numbers as they are, booleans as 0/1,
categorical columns as the index of the level in ``ColumnSpec.categories``,
missing values as NaN and unseen categories as -1.

pandas is imported lazily: it is needed only when the input is a DataFrame.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array

CONTINUOUS = "continuous"
INTEGER = "integer"
BOOLEAN = "boolean"
CATEGORICAL = "categorical"

#: Largest number of distinct whole-number values for which a target is taken
#: for class labels; above it the target is continuous (a price, a count).
MAX_CLASSES = 20

_UNSEEN = -1.0
# Rows per block when profiling the columns of a numeric array.
_SPEC_BLOCK_ROWS = 32_768
# Float64 holds every whole number exactly up to 2**53.
_MAX_EXACT_INTEGER = 2.0**53


@dataclass(eq=False)
class ColumnSpec:
    """What the data layer learnt about one column at ``fit``.

    Parameters
    ----------
    name : str or int
        Column label of a DataFrame, or position in an array.
    kind : {"continuous", "integer", "boolean", "categorical"}
        How the column is modelled and decoded.
    dtype : dtype
        dtype the decoded column gets back.
    categories : ndarray or None
        Levels seen in ``fit`` (categorical columns), ``[False, True]`` for
        boolean columns, None otherwise.
    low, high : float
        Observed range of a numeric column (NaN when it is all missing).
    missing_rate : float
        Share of missing values.
    missing_value : object
        What ``decode`` puts in the missing entries of an object column: the
        first missing value seen in ``fit`` (None, NaN or pandas.NA).
    integer_objects : bool
        Whether a numeric object column held Python or numpy integers, which
        ``decode`` gives back as Python integers.
    """

    name: object
    kind: str
    dtype: object
    categories: object = None
    low: float = np.nan
    high: float = np.nan
    missing_rate: float = 0.0
    missing_value: object = None
    integer_objects: bool = False

    @property
    def is_numeric(self):
        """Whether values are numbers (continuous or integer)."""
        return self.kind in (CONTINUOUS, INTEGER)

    @property
    def label(self):
        """How error messages name the column."""
        return repr(self.name) if isinstance(self.name, str) else f"{self.name}"


def _column_label(name):
    return repr(name) if isinstance(name, str) else f"{name}"


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame, without importing pandas."""
    return type(X).__name__ == "DataFrame" and type(X).__module__.startswith("pandas")


def _is_series(y):
    return type(y).__name__ == "Series" and type(y).__module__.startswith("pandas")


def _missing_mask_object(values):
    """Missing mask of an object array: None, NaN, pandas.NA and NaT."""

    # ``v != v`` is True for float NaN and NaT; pandas.NA answers NA to it, and
    # its ``bool`` raises, hence the explicit type check.
    def missing(v):
        if v is None:
            return True
        if type(v).__name__ in ("NAType", "NaTType"):
            return True
        return isinstance(v, float) and v != v

    return np.frompyfunc(missing, 1, 1)(values).astype(bool)


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)


def _unsupported_dtype_error(label, dtype):
    return TypeError(
        f"Column {label} has dtype {dtype}, which sksynth cannot model. Convert it to "
        "numbers (for dates, e.g. seconds since an epoch) or to strings for a "
        "categorical column, or drop it."
    )


def _check_finite(values, label):
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise ValueError(
            f"Column {label} contains {n_inf} infinite value(s) (inf or -inf). "
            "Replace them with finite numbers or NaN (missing) before fitting."
        )


def _resolve_categorical(categorical_features, names, n_features):
    """Boolean mask of the columns the user declares categorical (or None)."""
    if isinstance(categorical_features, str) or categorical_features is None:
        return None
    selection = np.asarray(categorical_features)
    if selection.size == 0:
        return np.zeros(n_features, dtype=bool)
    if selection.ndim != 1:
        raise ValueError(
            "`categorical_features` must be 'from_dtype' or a 1D list of column "
            "names, indices or a boolean mask; got an array of shape "
            f"{selection.shape}."
        )
    if selection.dtype.kind == "b":
        if selection.size != n_features:
            raise ValueError(
                f"`categorical_features` as a boolean mask needs {n_features} "
                f"entries, one per column; got {selection.size}."
            )
        return selection.astype(bool)
    mask = np.zeros(n_features, dtype=bool)
    if selection.dtype.kind in "iu":
        bad = selection[(selection < -n_features) | (selection >= n_features)]
        if bad.size:
            raise ValueError(
                f"`categorical_features` holds index {bad[0]}, out of range for "
                f"{n_features} columns."
            )
        mask[selection] = True
        return mask
    if selection.dtype.kind in "OUS":
        position = {name: i for i, name in enumerate(names)}
        for name in selection.tolist():
            if name not in position:
                raise ValueError(
                    f"`categorical_features` names column {name!r}, which is not a "
                    f"column of X. Columns are: {list(names)}."
                )
            mask[position[name]] = True
        return mask
    raise ValueError(
        "`categorical_features` must be 'from_dtype', column names, integer indices "
        f"or a boolean mask; got values of dtype {selection.dtype}."
    )


def _levels(values, missing):
    """Distinct non-missing values, sorted when their types allow it."""
    observed = values[~missing]
    if observed.dtype.kind != "O":
        return np.unique(observed)
    distinct = dict.fromkeys(observed.tolist())
    try:
        ordered = sorted(distinct)
    except TypeError:
        # Mixed types cannot be sorted: keep the order of first appearance.
        ordered = list(distinct)
    levels = np.empty(len(ordered), dtype=object)
    levels[:] = ordered
    return levels


def _encode_categories(values, missing, categories):
    """Codes of values in ``categories``: NaN for missing, -1 for unseen."""
    codes = np.full(values.shape[0], np.nan)
    observed = values[~missing]
    if categories.size == 0:
        codes[~missing] = _UNSEEN
        return codes
    try:
        position = np.searchsorted(categories, observed)
        position = np.clip(position, 0, categories.size - 1)
        found = categories[position] == observed
        encoded = np.where(found, position, _UNSEEN)
    except TypeError:
        lookup = {v: i for i, v in enumerate(categories)}
        encoded = np.fromiter(
            (lookup.get(v, _UNSEEN) for v in observed), float, observed.size
        )
    codes[~missing] = encoded
    return codes


def _numeric_spec(name, dtype, values, kind=None):
    """Spec of a numeric column from its float values (NaN = missing)."""
    label = _column_label(name)
    _check_finite(values, label)
    missing = np.isnan(values)
    observed = values[~missing]
    if kind is None:
        kind = INTEGER if dtype.kind in "iu" else CONTINUOUS
        if kind == CONTINUOUS and observed.size and _is_whole(observed):
            kind = INTEGER
    low, high = (observed.min(), observed.max()) if observed.size else (np.nan,) * 2
    return ColumnSpec(
        name=name,
        kind=kind,
        dtype=dtype,
        low=float(low),
        high=float(high),
        missing_rate=float(missing.mean()) if values.size else 0.0,
    )


def _numeric_array_specs(X):
    """Specs of every column of a numeric array, from row blocks read once
    (what :func:`_numeric_spec` finds column by column, without strided reads
    or array-sized temporaries)."""
    n_rows, n_columns = X.shape
    n_inf = np.zeros(n_columns, dtype=np.int64)
    n_missing = np.zeros(n_columns, dtype=np.int64)
    low = np.full(n_columns, np.nan)
    high = np.full(n_columns, np.nan)
    whole = np.full(n_columns, X.dtype.kind in "fc")
    for start in range(0, n_rows, _SPEC_BLOCK_ROWS):
        block = np.asarray(X[start : start + _SPEC_BLOCK_ROWS], dtype=float)
        missing = np.isnan(block)
        n_missing += missing.sum(axis=0)
        n_inf += np.isinf(block).sum(axis=0)
        # fmin / fmax skip NaN.
        low = np.fmin(low, np.fmin.reduce(block, axis=0))
        high = np.fmax(high, np.fmax.reduce(block, axis=0))
        if whole.any():
            whole &= ((block == np.round(block)) | missing).all(axis=0)
    if n_inf.any():
        j = int(np.argmax(n_inf > 0))
        _check_finite(np.asarray(X[:, j], dtype=float), _column_label(j))
    observed = n_missing < n_rows
    exact = np.fmax(np.abs(low), np.abs(high)) < _MAX_EXACT_INTEGER
    integer = (X.dtype.kind in "iu") | (whole & observed & exact)
    return [
        ColumnSpec(
            name=j,
            kind=INTEGER if integer[j] else CONTINUOUS,
            dtype=X.dtype,
            low=float(low[j]),
            high=float(high[j]),
            missing_rate=float(n_missing[j] / n_rows) if n_rows else 0.0,
        )
        for j in range(n_columns)
    ]


def _is_whole(observed):
    return bool(
        np.all(np.abs(observed) < _MAX_EXACT_INTEGER)
        and np.all(observed == np.round(observed))
    )


def _object_column_kind(values, missing):
    observed = values[~missing]
    if observed.size and all(isinstance(v, bool | np.bool_) for v in observed):
        return BOOLEAN
    if observed.size and all(_is_number(v) for v in observed):
        return "numeric"
    return CATEGORICAL


def _object_spec(name, dtype, values, missing, declared):
    """Spec of an object column: booleans, numbers or categories."""
    kind = _object_column_kind(values, missing)
    if kind == BOOLEAN and not declared:
        spec = ColumnSpec(
            name,
            BOOLEAN,
            dtype,
            categories=np.array([False, True]),
            missing_rate=float(missing.mean()),
        )
    elif kind == "numeric" and not declared:
        floats = np.where(missing, np.nan, values).astype(float)
        spec = _numeric_spec(name, dtype, floats)
        spec.integer_objects = spec.kind == INTEGER and all(
            isinstance(v, int | np.integer) for v in values[~missing]
        )
    else:
        spec = _categorical_spec(
            name, dtype, _levels_of_objects(name, values, missing), missing
        )
    if missing.any():
        spec.missing_value = values[missing][0]
    return spec


class TableSchema:
    """Column kinds, dtypes and categories of a table, and its round trip.

    Build it with :meth:`from_data` at ``fit``; then :meth:`encode` turns a
    table of the same layout into a float array and :meth:`decode` turns a
    float array into the training container.

    Parameters
    ----------
    columns : list of ColumnSpec
        One spec per column, in order.
    container : {"numpy", "pandas"}
        What :meth:`decode` returns.
    array_dtype : dtype or None
        dtype of the decoded numpy array.
    """

    def __init__(self, columns, container, array_dtype=None):
        self.columns = columns
        self.container = container
        self.array_dtype = array_dtype

    @property
    def names(self):
        """Column labels, in order."""
        return [column.name for column in self.columns]

    @property
    def n_columns(self):
        """Number of columns."""
        return len(self.columns)

    @classmethod
    def from_data(cls, X, categorical_features="from_dtype"):
        """Validate ``X`` and learn its layout.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The training table.
        categorical_features : "from_dtype" or array-like, default="from_dtype"
            Columns to model as categorical: detected from dtypes (pandas
            category, object and string columns), or given as names, indices
            or a boolean mask. String columns are categorical in any case.

        Returns
        -------
        schema : TableSchema
            The learnt layout.
        """
        if is_dataframe(X):
            return cls._from_dataframe(X, categorical_features)
        return cls._from_array(X, categorical_features)

    @classmethod
    def _from_array(cls, X, categorical_features):
        X = _check_array(X)
        n_features = X.shape[1]
        declared = _resolve_categorical(
            categorical_features, list(range(n_features)), n_features
        )
        if X.dtype.kind in "fiu" and (declared is None or not declared.any()):
            return cls(_numeric_array_specs(X), "numpy", X.dtype)
        columns = []
        for j in range(n_features):
            values = X[:, j]
            is_declared = declared is not None and declared[j]
            columns.append(_array_column_spec(j, values, X.dtype, is_declared))
        return cls(columns, "numpy", X.dtype)

    @classmethod
    def _from_dataframe(cls, X, categorical_features):
        _check_frame_shape(X)
        names = list(X.columns)
        declared = _resolve_categorical(categorical_features, names, len(names))
        columns = [
            _series_spec(X.iloc[:, j], declared is not None and declared[j])
            for j in range(len(names))
        ]
        return cls(columns, "pandas")

    def encode(self, X):
        """Encode a table of the training layout as a float array.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        values : ndarray of shape (n_samples, n_features)
            Numbers as they are, booleans as 0/1, categories as codes; NaN
            for missing values, -1 for categories not seen in ``fit``.
        """
        if is_dataframe(X):
            _check_frame_shape(X)
            columns = [X.iloc[:, j] for j in range(X.shape[1])]
            encode = _encode_series
        else:
            X = _check_array(X)
            if self._numeric_array(X):
                # Numbers in, numbers out: one conversion of the whole array.
                encoded = X.astype(float)
                if np.isinf(encoded).any():
                    for spec, column in zip(self.columns, encoded.T, strict=True):
                        _check_finite(column, spec.label)
                return encoded
            columns = [X[:, j] for j in range(X.shape[1])]

            def encode(column, spec):
                return _encode_column(spec, *_array_values(column, spec))

        if len(columns) != self.n_columns:
            raise ValueError(
                f"X has {len(columns)} columns, but the estimator was fitted with "
                f"{self.n_columns}."
            )
        encoded = np.empty((len(columns[0]), self.n_columns))
        for j, (spec, column) in enumerate(zip(self.columns, columns, strict=True)):
            encoded[:, j] = encode(column, spec)
        return encoded

    def _numeric_array(self, X):
        """Whether ``X`` is a numeric array whose columns are all numeric."""
        return (
            X.dtype.kind in "fiu"
            and X.ndim == 2
            and X.shape[1] == self.n_columns
            and all(c.kind in (CONTINUOUS, INTEGER) for c in self.columns)
        )

    def decode(self, values, enforce_range=True):
        """Turn encoded values back into the training container.

        Integer columns are rounded, boolean and categorical codes mapped back
        to their values, and numbers clipped to the observed range when
        ``enforce_range`` is True.

        Parameters
        ----------
        values : ndarray of shape (n_samples, n_features)
            Encoded values, NaN for missing.
        enforce_range : bool, default=True
            Whether to clip numeric columns to the range seen in ``fit``.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Same container, column names, dtypes and categories as in ``fit``.
        """
        decoded = [
            _decode_column(spec, values[:, j], enforce_range)
            for j, spec in enumerate(self.columns)
        ]
        if self.container == "pandas":
            return _to_frame(self.columns, decoded)
        return _to_array(self.columns, decoded, self.array_dtype, values.shape[0])


class TargetSchema:
    """Layout of a target ``y`` and whether it names classes.

    Parameters
    ----------
    spec : ColumnSpec
        The target seen as one more column.
    is_classification : bool
        Whether the target holds class labels.
    classes : ndarray or None
        Sorted class labels (classification only).
    series_name : object
        Name of the pandas Series ``y`` was, or None for arrays.
    container : {"numpy", "pandas"}
        What :meth:`decode` returns.
    """

    def __init__(self, spec, is_classification, classes, series_name, container):
        self.spec = spec
        self.is_classification = is_classification
        self.classes = classes
        self.series_name = series_name
        self.container = container

    @classmethod
    def from_data(cls, y, n_samples, target_type="auto"):
        """Validate ``y`` and decide whether it is a classification target.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            The target.
        n_samples : int
            Number of rows of ``X``.
        target_type : {"auto", "classification", "regression"}, default="auto"
            "auto" takes strings, booleans, categories and whole numbers with
            at most ``MAX_CLASSES`` distinct values for class labels, and any
            other numbers for a continuous target.

        Returns
        -------
        schema : TargetSchema
            The learnt layout.
        """
        y = _column_of_frame(y)
        series_name = y.name if _is_series(y) else None
        if _is_series(y):
            spec = _series_spec(y, target_type == "classification")
            values = _encode_series(y, spec)
        else:
            y = _check_target_array(y)
            spec = _array_column_spec("y", y, y.dtype, target_type == "classification")
            values = _encode_column(spec, *_array_values(y, spec))
        if values.shape[0] != n_samples:
            raise ValueError(
                f"y has {values.shape[0]} values but X has {n_samples} rows; "
                "pass one target value per row."
            )
        n_missing = int(np.isnan(values).sum())
        if n_missing:
            raise ValueError(
                f"y has {n_missing} missing value(s); drop those rows or fill them "
                "in before fitting."
            )
        if target_type == "regression" and not spec.is_numeric:
            raise ValueError(
                f"target_type='regression' needs a numeric y; got {spec.kind} "
                "values. Use target_type='classification' or 'auto'."
            )
        is_classification = _is_classification(spec, values, target_type)
        classes = None
        if is_classification:
            classes = _class_labels(spec, values)
            spec = ColumnSpec(
                name=spec.name, kind=CATEGORICAL, dtype=spec.dtype, categories=classes
            )
        container = "pandas" if _is_series(y) else "numpy"
        return cls(spec, is_classification, classes, series_name, container)

    def encode(self, y):
        """Encode ``y``: class indices for classes, floats otherwise."""
        y = _column_of_frame(y)
        if _is_series(y):
            return _encode_series(y, self.spec)
        y = _check_target_array(y)
        return _encode_column(self.spec, *_array_values(y, self.spec))

    def decode(self, values, enforce_range=True):
        """Decode encoded targets into an array, or a Series named as in ``fit``."""
        decoded = _decode_column(self.spec, values, enforce_range)
        if self.container == "pandas":
            import pandas as pd

            return _to_series(pd, self.spec, decoded).rename(self.series_name)
        dtype = np.dtype(self.spec.dtype)
        return _to_array([self.spec], [decoded], dtype, values.shape[0])[:, 0]


def _column_of_frame(y):
    """A one-column DataFrame target as its column (a Series, name kept)."""
    if is_dataframe(y) and y.shape[1] == 1:
        return y.iloc[:, 0]
    return y


def _is_classification(spec, values, target_type):
    if target_type != "auto":
        return target_type == "classification"
    if spec.kind in (CATEGORICAL, BOOLEAN):
        return True
    if spec.kind == INTEGER:
        return np.unique(values).size <= MAX_CLASSES
    return False


def _class_labels(spec, values):
    if spec.kind in (CATEGORICAL, BOOLEAN):
        present = np.unique(values.astype(int))
        return np.asarray(spec.categories)[present]
    return np.unique(values)


# -- arrays -------------------------------------------------------------------


def _check_array(X):
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
    if X.dtype.kind not in "biufOUS":
        raise _unsupported_dtype_error(_column_label(0), X.dtype)
    return X


def _check_target_array(y):
    if sparse.issparse(y):
        raise TypeError("y must be a dense 1D array; got a sparse matrix.")
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1D, one target value per row; got shape {y.shape}. "
            "Multi-output targets are not supported."
        )
    if y.dtype.kind == "c":
        raise ValueError("Complex data not supported; y has complex values.")
    return y


def _array_column_spec(name, values, dtype, declared):
    label = _column_label(name)
    if values.dtype.kind == "b":
        return ColumnSpec(name, BOOLEAN, dtype, categories=np.array([False, True]))
    if values.dtype.kind in "OUS":
        values = values.astype(object, copy=False)
        return _object_spec(name, dtype, values, _missing_mask_object(values), declared)
    if values.dtype.kind == "c":
        raise ValueError("Complex data not supported; X has complex values.")
    floats = np.asarray(values, dtype=float)
    if declared:
        _check_finite(floats, label)
        missing = np.isnan(floats)
        return _categorical_spec(name, dtype, _levels(values, missing), missing)
    return _numeric_spec(name, dtype, floats)


def _levels_of_objects(name, values, missing):
    """Levels of an object column, or an error naming it when its values are
    not labels (complex numbers, or unhashable ones such as lists)."""
    odd = [
        kind
        for kind in set(map(type, values[~missing]))
        if issubclass(kind, complex) or kind.__hash__ is None
    ]
    if odd:
        raise _unsupported_dtype_error(
            _column_label(name), f"object holding {odd[0].__name__} values"
        )
    return _levels(values, missing)


def _categorical_spec(name, dtype, categories, missing):
    return ColumnSpec(
        name,
        CATEGORICAL,
        dtype,
        categories=categories,
        missing_rate=float(missing.mean()) if missing.size else 0.0,
    )


def _array_values(column, spec):
    """Values of an array column and its missing mask, ready to encode."""
    if column.dtype.kind in "OUS":
        column = column.astype(object, copy=False)
        missing = _missing_mask_object(column)
    elif column.dtype.kind == "b":
        missing = np.zeros(column.shape[0], dtype=bool)
    else:
        missing = np.isnan(column.astype(float))
    return column, missing


def _encode_column(spec, values, missing):
    if spec.kind == CATEGORICAL:
        if values.dtype.kind not in "O":
            values = values.astype(np.asarray(spec.categories).dtype, copy=False)
        return _encode_categories(values, missing, np.asarray(spec.categories))
    if spec.kind == BOOLEAN:
        encoded = np.full(values.shape[0], np.nan)
        present = values[~missing]
        if present.dtype.kind == "O":
            is_flag = [
                isinstance(v, bool | np.bool_ | int | np.integer) for v in present
            ]
            if not all(is_flag):
                example = present[np.argmin(is_flag)]
                raise ValueError(
                    f"Column {spec.label} was boolean in fit but holds "
                    f"{example!r} ({type(example).__name__}) now; pass True and "
                    "False values, as in fit."
                )
        elif present.dtype.kind not in "biuf":
            raise ValueError(
                f"Column {spec.label} was boolean in fit but holds {present.dtype} "
                "values now; pass True and False values, as in fit."
            )
        encoded[~missing] = present.astype(bool)
        return encoded
    encoded = np.full(values.shape[0], np.nan)
    try:
        encoded[~missing] = values[~missing].astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Column {spec.label} was numeric in fit but holds values that are not "
            "numbers now; pass the same kind of data as in fit."
        ) from exc
    _check_finite(encoded, spec.label)
    return encoded


def _decode_column(spec, values, enforce_range):
    """Decoded values of one column as a numpy array (object when missing)."""
    missing = np.isnan(values)
    if spec.kind in (CATEGORICAL, BOOLEAN):
        categories = np.asarray(spec.categories)
        if categories.size == 0:
            return np.full(values.shape[0], spec.missing_value, dtype=object)
        codes = np.clip(np.where(missing, 0, values), 0, categories.size - 1)
        decoded = categories[codes.astype(int)]
        if missing.any():
            decoded = decoded.astype(object)
            decoded[missing] = spec.missing_value
        return decoded
    decoded = values.copy()
    if spec.kind == INTEGER:
        decoded = np.round(decoded)
    if enforce_range and not np.isnan(spec.low):
        decoded = np.clip(decoded, spec.low, spec.high)
    elif spec.kind == INTEGER:
        # Values beyond what the integer dtype holds would wrap around.
        limits = _integer_limits(spec.dtype)
        if limits is not None:
            decoded = np.clip(decoded, *limits)
    return decoded


def _integer_limits(dtype):
    """Smallest and largest value of a (numpy or pandas nullable) integer dtype."""
    try:
        info = np.iinfo(np.dtype(str(dtype).lower()))
    except (TypeError, ValueError):
        return None
    return float(info.min), float(info.max)


def _to_array(columns, decoded, dtype, n_samples):
    if dtype.kind == "O":
        out = np.empty((n_samples, len(columns)), dtype=object)
        for j, (spec, column) in enumerate(zip(columns, decoded, strict=True)):
            out[:, j] = _as_objects(spec, column)
        return out
    out = np.empty((n_samples, len(columns)), dtype=dtype)
    for j, column in enumerate(decoded):
        out[:, j] = column
    return out


def _as_objects(spec, decoded):
    """Decoded values of an object column, missing numbers as its missing value."""
    if not spec.is_numeric:
        return decoded
    missing = np.isnan(decoded)
    if spec.integer_objects:
        objects = np.empty(decoded.shape, dtype=object)
        objects[~missing] = decoded[~missing].astype(np.int64).tolist()
    else:
        objects = decoded.astype(object)
    objects[missing] = spec.missing_value
    return objects


# -- DataFrames ---------------------------------------------------------------


def _check_frame_shape(X):
    n_samples, n_features = X.shape
    if n_features == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
            "is required."
        )
    if n_samples == 0:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
            "is required."
        )


def _series_spec(series, declared):
    import pandas as pd

    name, dtype = series.name, series.dtype
    label = _column_label(name)
    missing = series.isna().to_numpy()
    if isinstance(dtype, pd.CategoricalDtype):
        present = np.unique(series.cat.codes.to_numpy())
        present = present[present >= 0]
        categories = np.asarray(dtype.categories)[present]
        return _categorical_spec(name, dtype, categories, missing)
    if pd.api.types.is_bool_dtype(dtype) and not declared:
        return ColumnSpec(
            name,
            BOOLEAN,
            dtype,
            categories=np.array([False, True]),
            missing_rate=float(missing.mean()) if missing.size else 0.0,
        )
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(
        dtype
    ):
        floats = series.to_numpy(dtype=float, na_value=np.nan)
        if declared:
            _check_finite(floats, label)
            return _categorical_spec(name, dtype, _levels(floats, missing), missing)
        kind = INTEGER if pd.api.types.is_integer_dtype(dtype) else None
        return _numeric_spec(name, dtype, floats, kind)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values = series.to_numpy(dtype=object)
        return _object_spec(name, dtype, values, missing, declared)
    raise _unsupported_dtype_error(label, dtype)


def _encode_series(series, spec):
    """Encoded values of a pandas column (categories looked up by hashing)."""
    if spec.kind != CATEGORICAL:
        return _encode_column(spec, *_series_values(series, spec))
    import pandas as pd

    missing = series.isna().to_numpy()
    codes = pd.Index(spec.categories).get_indexer(series.astype(object)).astype(float)
    codes[missing] = np.nan
    return codes


def _series_values(series, spec):
    missing = series.isna().to_numpy()
    if spec.kind in (CONTINUOUS, INTEGER):
        try:
            return series.to_numpy(dtype=float, na_value=np.nan), missing
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Column {spec.label} was numeric in fit but holds values that are "
                "not numbers now; pass the same kind of data as in fit."
            ) from exc
    return series.to_numpy(dtype=object), missing


def _to_frame(columns, decoded):
    import pandas as pd

    data = {}
    for spec, values in zip(columns, decoded, strict=True):
        data[spec.name] = _to_series(pd, spec, values)
    frame = pd.DataFrame(data)
    frame.columns = pd.Index([spec.name for spec in columns])
    return frame


def _to_series(pd, spec, values):
    dtype = spec.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(values, dtype=dtype), name=spec.name)
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
        return pd.Series(_as_objects(spec, values), name=spec.name, dtype=object)
    return pd.Series(values, name=spec.name).astype(dtype)
