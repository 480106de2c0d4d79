"""Tables and targets: the layout learnt at ``fit``, and the round trip.

:class:`TableSchema` records, at ``fit``, a :class:`ColumnSpec` per column; it
turns a table into a float array of its *modelled* columns (``encode``) and a
float array back into a table of the training container, column names,
dtypes and categories, with new keys in its identifier columns (``decode``).
:class:`TargetSchema` does the same for ``y`` and decides whether it holds
classes or a continuous target.
"""

import sys
import warnings

import numpy as np
from scipy import sparse

from ._columns import (
    BOOLEAN,
    CATEGORICAL,
    CONTINUOUS,
    DATETIME,
    IDENTIFIER,
    INTEGER,
    ColumnSpec,
    check_finite,
    column_label,
)
from ._containers import check_unique_columns, is_dataframe, is_series
from ._encoding import (
    Declared,
    array_column_spec,
    array_values,
    check_array_input,
    decode_column,
    encode_column,
    encode_series,
    numeric_array_specs,
    series_spec,
    to_array,
    to_array_column,
    to_series,
)

# Rows of a row-major array that ``TableSchema.decode_into`` fills at a time.
_DECODE_ROWS = 2048

#: Largest number of distinct whole-number values for which a target is taken
#: for class labels; above it the target is continuous (a price, a count).
MAX_CLASSES = 20


class TableSchema:
    """Column kinds, dtypes and supports of a table, and its round trip.

    Build it with :meth:`from_data` at ``fit``; then :meth:`encode` turns a
    table of the same layout into a float array of the modelled columns and
    :meth:`decode` turns such an array into the training container.

    Parameters
    ----------
    columns : list of ColumnSpec
        One spec per column, in order (identifiers included).
    container : {"numpy", "pandas"}
        What :meth:`decode` returns.
    array_dtype : dtype or None
        dtype of the decoded numpy array.
    auto_identifiers : list, default=()
        Names of the columns taken for identifiers by ``id_columns="auto"``.
    """

    def __init__(self, columns, container, array_dtype=None, auto_identifiers=()):
        self.columns = columns
        self.container = container
        self.array_dtype = array_dtype
        self.auto_identifiers = list(auto_identifiers)

    @property
    def names(self):
        """Column labels, in order."""
        return [column.name for column in self.columns]

    @property
    def n_columns(self):
        """Number of columns, identifiers included."""
        return len(self.columns)

    @property
    def modelled(self):
        """Positions of the columns estimators model (all but identifiers)."""
        return [j for j, c in enumerate(self.columns) if c.is_modelled]

    @property
    def modelled_columns(self):
        """Specs of the modelled columns, in order: those ``encode`` returns."""
        return [c for c in self.columns if c.is_modelled]

    @classmethod
    def from_data(
        cls,
        X,
        categorical_features="from_dtype",
        id_columns="auto",
        discrete_features="auto",
    ):
        """Validate ``X`` and learn its layout.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            The training table.
        categorical_features : "from_dtype" or array-like, default="from_dtype"
            Columns to model as categorical: detected from dtypes (pandas
            category, object and string columns), or given as names, indices
            or a boolean mask. Text columns are categorical in any case.
        id_columns : "auto", None or array-like, default="auto"
            Identifier columns: by the documented rule (see
            ``is_auto_identifier``), none, or given as names, indices or a
            boolean mask.
        discrete_features : "auto" or array-like, default="auto"
            Numeric columns that take only the values seen here: by the
            documented rule (see ``is_discrete_column``), or exactly the
            columns given (names, indices or a boolean mask; an empty list
            makes every numeric column continuous).

        Returns
        -------
        schema : TableSchema
            The learnt layout.
        """
        if is_dataframe(X):
            return cls._from_dataframe(
                X, categorical_features, id_columns, discrete_features
            )
        return cls._from_array(X, categorical_features, id_columns, discrete_features)

    @classmethod
    def _from_array(cls, X, categorical_features, id_columns, discrete_features):
        X = check_array_input(X)
        names = list(range(X.shape[1]))
        declared = _declarations(
            names, categorical_features, id_columns, discrete_features
        )
        plain = not any(d.categorical or d.identifier is True for d in declared)
        if X.dtype.kind in "fiu" and plain:
            discrete = [d.discrete for d in declared]
            columns = numeric_array_specs(X, discrete)
        else:
            columns = [
                array_column_spec(j, X[:, j], X.dtype, declared[j]) for j in names
            ]
        _check_discrete_declared(columns, discrete_features, declared)
        _check_declared_identifiers(columns, declared, X.shape[0])
        return cls(columns, "numpy", X.dtype, _auto(columns, declared))

    @classmethod
    def _from_dataframe(cls, X, categorical_features, id_columns, discrete_features):
        check_frame_shape(X)
        check_unique_columns(X)
        names = list(X.columns)
        declared = _declarations(
            names, categorical_features, id_columns, discrete_features
        )
        columns = [series_spec(X.iloc[:, j], declared[j]) for j in range(len(names))]
        _check_discrete_declared(columns, discrete_features, declared)
        _check_declared_identifiers(columns, declared, X.shape[0])
        return cls(columns, "pandas", auto_identifiers=_auto(columns, declared))

    def encode(self, X):
        """Encode the modelled columns of a table of the training layout.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Table with the columns seen in ``fit``.

        Returns
        -------
        values : ndarray of shape (n_samples, n_modelled)
            Numbers as they are (dates and durations in their granularity),
            booleans as 0/1, categories as codes; NaN for missing values, -1
            for categories not seen in ``fit``. Identifier columns are left
            out.
        """
        if is_dataframe(X):
            check_frame_shape(X)
            check_unique_columns(X)
            self._check_width(X.shape[1])

            def encode(j, spec):
                return encode_series(X.iloc[:, j], spec)

        else:
            X = check_array_input(X)
            self._check_width(X.shape[1])
            if self._numeric_array(X):
                # Numbers in, numbers out: one conversion of the whole array.
                encoded = X.astype(float)
                if np.isinf(encoded).any():
                    for spec, column in zip(self.columns, encoded.T, strict=True):
                        check_finite(column, spec.label)
                return encoded

            def encode(j, spec):
                return encode_column(spec, *array_values(X[:, j]))

        modelled = self.modelled
        encoded = np.empty((X.shape[0], len(modelled)))
        for k, j in enumerate(modelled):
            encoded[:, k] = encode(j, self.columns[j])
        return encoded

    def _check_width(self, n_columns):
        if n_columns != self.n_columns:
            raise ValueError(
                f"X has {n_columns} columns, but the estimator was fitted with "
                f"{self.n_columns}. Pass a table with the columns seen in fit."
            )

    def _numeric_array(self, X):
        """Whether ``X`` is a numeric array whose columns are all plain numbers."""
        return X.dtype.kind in "fiu" and all(
            c.kind in (CONTINUOUS, INTEGER) for c in self.columns
        )

    def decode(self, values, enforce_range=True, rng=None):
        """Turn encoded values back into the training container.

        Discrete columns snap to the values seen in ``fit``, integers and
        other lattices round, dates come back at their granularity, boolean
        and categorical codes map back to their values, numbers stay in the
        observed range when ``enforce_range`` is True, and identifier columns
        get new keys.

        Parameters
        ----------
        values : ndarray of shape (n_samples, n_modelled)
            Encoded values of the modelled columns, NaN for missing.
        enforce_range : bool, default=True
            Whether to clip numeric columns to the range seen in ``fit``.
        rng : RandomState, default=None
            Draws the keys of identifier columns (a fresh generator if None).

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Same container, column names, dtypes and categories as in ``fit``.
        """
        n_samples = values.shape[0]
        decoded, k = [], 0
        for spec in self.columns:
            if spec.kind == IDENTIFIER:
                if rng is None:
                    rng = np.random.RandomState()
                decoded.append(spec.codec.generate(n_samples, rng))
                continue
            decoded.append(decode_column(spec, values[:, k], enforce_range))
            k += 1
        if self.container == "pandas":
            return to_frame(self.columns, decoded)
        return to_array(self.columns, decoded, self.array_dtype, n_samples)

    @property
    def number_dtype(self):
        """The dtype of every column when all are numbers (continuous or
        integer) of one numpy dtype, else None: such a table decodes straight
        into an array of that dtype (:meth:`decode_into`)."""
        if not all(c.kind in (CONTINUOUS, INTEGER) for c in self.columns):
            return None
        dtypes = {c.dtype for c in self.columns}
        if self.container == "numpy":
            dtypes.add(self.array_dtype)
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
            return dtype
        return None

    def decode_into(self, values, out, enforce_range=True):
        """:meth:`decode` of a table of numbers (see :attr:`number_dtype`)
        written into ``out``, an array of shape ``values.shape`` in that
        dtype (no table of the new rows is built)."""
        decoded = [
            decode_column(spec, values[:, k], enforce_range)
            for k, spec in enumerate(self.columns)
        ]
        # Row-major rows are written a few rows at a time, so that the rows
        # being filled stay in cache while every column is written into them.
        step = out.shape[0] if out.flags.f_contiguous else _DECODE_ROWS
        for start in range(0, out.shape[0], step):
            rows = out[start : start + step]
            for k, column in enumerate(decoded):
                rows[:, k] = column[start : start + step]

    def snap_discrete(self, X, positions):
        """``X`` with its discrete columns at ``positions`` snapped to their
        values seen in ``fit``.

        ``X`` holds the modelled columns (identifiers left out) in their
        training container and dtypes, such as rows a model of a part of the
        training table drew; ``positions`` index the modelled columns.
        """
        if not positions:
            return X
        columns = self.modelled_columns
        if is_dataframe(X):
            import pandas as pd

            X = X.copy()
            for k in positions:
                spec = columns[k]
                snapped = _snapped(spec, encode_series(X.iloc[:, k], spec))
                X[X.columns[k]] = to_series(pd, spec, snapped).to_numpy()
            return X
        X = np.array(X, copy=True)
        for k in positions:
            spec = columns[k]
            snapped = _snapped(spec, encode_column(spec, *array_values(X[:, k])))
            X[:, k] = to_array_column(spec, snapped, X.dtype)
        return X

    def new_keys(self, n_samples, rng):
        """New keys of every identifier column, as columns of the training
        container (a Series in the column's dtype, or a 1D array)."""
        keys = []
        for spec in self.columns:
            if spec.kind != IDENTIFIER:
                continue
            generated = spec.codec.generate(n_samples, rng)
            if self.container == "pandas":
                import pandas as pd

                keys.append(to_series(pd, spec, generated))
            else:
                keys.append(to_array_column(spec, generated, self.array_dtype))
        return keys


def _snapped(spec, encoded):
    """Decoded values of a discrete column, snapped to its values seen in fit."""
    return decode_column(spec, spec.support.snap(encoded), True)


def _declarations(names, categorical_features, id_columns, discrete_features):
    n = len(names)
    categorical = resolve_columns(categorical_features, names, "categorical_features")
    identifiers = resolve_columns(id_columns, names, "id_columns", auto="auto")
    discrete = resolve_columns(
        discrete_features, names, "discrete_features", auto="auto"
    )
    return [
        Declared(
            categorical=categorical is not None and bool(categorical[j]),
            identifier="auto" if identifiers is None else bool(identifiers[j]),
            discrete="auto" if discrete is None else bool(discrete[j]),
        )
        for j in range(n)
    ]


def _auto(columns, declared):
    return [
        c.name
        for c, d in zip(columns, declared, strict=True)
        if c.kind == IDENTIFIER and d.identifier == "auto"
    ]


def _check_declared_identifiers(columns, declared, n_rows):
    """Warn of a column named in ``id_columns`` that does not look like one.

    An identifier column is not modelled: each synthetic row gets a new key,
    unique and never a training key. A column with few distinct values (a
    category named by mistake) would come out as made-up keys, and one whose
    type holds no keys (category, boolean, date) is modelled as that type.
    """
    for column, declaration in zip(columns, declared, strict=True):
        if declaration.identifier is not True:
            continue
        label = column_label(column.name)
        if column.kind != IDENTIFIER:
            warnings.warn(
                f"Column {label} is named in id_columns but is modelled as a "
                f"{column.kind} column: identifiers are integer or text "
                "columns. Convert it (for example to str) to draw new keys, or "
                "leave it out of id_columns.",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )
            continue
        n_present = round((1.0 - column.missing_rate) * n_rows)
        n_distinct = column.codec.hashes.size
        if n_present > 1 and n_distinct <= n_present / 2:
            warnings.warn(
                f"Column {label} is named in id_columns but has {n_distinct} distinct "
                f"values in {n_present} rows: its synthetic values are new keys, "
                "each used once, so the column's own distribution is not kept. "
                "If it is not an identifier, leave it out of id_columns.",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )


# Packages whose frames a warning skips to reach the user's call.
_LIBRARY_PACKAGES = ("sksynth", "sklearn", "imblearn", "sklearn_compat")


def caller_stacklevel():
    """``stacklevel`` for a warning issued by the caller of this function that
    points at the first frame outside sksynth and the libraries it extends:
    the user's ``fit`` or ``fit_resample`` line, however deep the data layer
    is called (estimators, over-samplers, scikit-learn's fit wrapper)."""
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None:
        package = frame.f_globals.get("__name__", "").partition(".")[0]
        if package not in _LIBRARY_PACKAGES:
            break
        frame, level = frame.f_back, level + 1
    return level


def _check_discrete_declared(columns, discrete_features, declared):
    if isinstance(discrete_features, str):
        return
    for column, declaration in zip(columns, declared, strict=True):
        if declaration.discrete is True and not column.is_numeric:
            raise ValueError(
                f"`discrete_features` names column {column.label}, which is "
                f"{column.kind}: it applies to numeric columns only. Leave it out."
            )


def resolve_columns(selection, names, parameter, auto="from_dtype"):
    """Boolean mask of the columns a user selection names, or None for the
    default (``auto``). None or an empty list selects no column."""
    n_features = len(names)
    if isinstance(selection, str):
        if selection not in (auto, "auto"):
            raise ValueError(
                f"`{parameter}` must be {auto!r} or a list of column names, indices "
                f"or a boolean mask; got {selection!r}."
            )
        return None
    if selection is None:
        return np.zeros(n_features, dtype=bool)
    values = np.asarray(selection)
    if values.size == 0:
        return np.zeros(n_features, dtype=bool)
    if values.ndim != 1:
        raise ValueError(
            f"`{parameter}` must be {auto!r} or a 1D list of column names, indices "
            f"or a boolean mask; got an array of shape {values.shape}."
        )
    if values.dtype.kind == "b":
        if values.size != n_features:
            raise ValueError(
                f"`{parameter}` as a boolean mask needs {n_features} entries, one "
                f"per column; got {values.size}."
            )
        return values.astype(bool)
    mask = np.zeros(n_features, dtype=bool)
    if values.dtype.kind in "iu":
        bad = values[(values < -n_features) | (values >= n_features)]
        if bad.size:
            raise ValueError(
                f"`{parameter}` holds index {bad[0]}, out of range for {n_features} "
                f"columns. Pass indices from 0 to {n_features - 1}."
            )
        mask[values] = True
        return mask
    if values.dtype.kind in "OUS":
        position = {name: i for i, name in enumerate(names)}
        for name in values.tolist():
            if name not in position:
                raise ValueError(
                    f"`{parameter}` names column {name!r}, which is not a column of "
                    f"X. Columns are: {list(names)}."
                )
            mask[position[name]] = True
        return mask
    raise ValueError(
        f"`{parameter}` must be {auto!r}, column names, integer indices or a "
        f"boolean mask; got values of dtype {values.dtype}."
    )


def check_frame_shape(X):
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


def to_frame(columns, decoded):
    import pandas as pd

    data = {
        j: to_series(pd, spec, values)
        for j, (spec, values) in enumerate(zip(columns, decoded, strict=True))
    }
    frame = pd.DataFrame(data)
    frame.columns = pd.Index([spec.name for spec in columns])
    return frame


# -- the target ---------------------------------------------------------------


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

    @property
    def name(self):
        """How ``conditions`` and error messages name the target."""
        return "y" if self.series_name is None else self.series_name

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
        series_name = y.name if is_series(y) else None
        declared = Declared(
            categorical=target_type == "classification", identifier=False
        )
        if is_series(y):
            spec = series_spec(y, declared)
            values = encode_series(y, spec)
        else:
            y = check_target_array(y)
            spec = array_column_spec("y", y, y.dtype, declared)
            values = encode_column(spec, *array_values(y))
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
        if target_type == "classification" and spec.is_time:
            what = "dates" if spec.kind == DATETIME else "durations"
            raise ValueError(
                f"target_type='classification' needs class labels; y holds {what}. "
                "Convert them to strings to use them as classes, or use "
                "target_type='regression' or 'auto'."
            )
        is_classification = _is_classification(spec, values, target_type)
        classes = None
        if is_classification:
            classes = _class_labels(spec, values)
            spec = ColumnSpec(
                name=spec.name, kind=CATEGORICAL, dtype=spec.dtype, categories=classes
            )
        container = "pandas" if is_series(y) else "numpy"
        return cls(spec, is_classification, classes, series_name, container)

    def encode(self, y):
        """Encode ``y``: class indices for classes, numbers otherwise."""
        y = _column_of_frame(y)
        if is_series(y):
            return encode_series(y, self.spec)
        y = check_target_array(y)
        return encode_column(self.spec, *array_values(y))

    def decode(self, values, enforce_range=True):
        """Decode encoded targets into an array, or a Series named as in ``fit``."""
        decoded = decode_column(self.spec, values, enforce_range)
        if self.container == "pandas":
            import pandas as pd

            return to_series(pd, self.spec, decoded).rename(self.series_name)
        return to_array_column(self.spec, decoded, np.dtype(self.spec.dtype))


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


def check_target_array(y):
    if sparse.issparse(y):
        raise TypeError(
            "y must be a dense 1D array; got a sparse matrix. Convert it with "
            "y.toarray().ravel()."
        )
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(
            f"y must be 1D, one target value per row; got shape {y.shape}. "
            "Multi-output targets are not supported."
        )
    if y.dtype.kind == "c":
        raise ValueError(
            "Complex data not supported; y has complex values. Pass real numbers "
            "(y.real) or class labels."
        )
    return y
