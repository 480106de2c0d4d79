"""Column kinds, supports and the encoding of one column.

A :class:`ColumnSpec` records what the data layer learnt about one column at
``fit``: its *kind*, its dtype, its categories, its observed range, its share
of missing values and, for numbers, its :class:`Support` (the values it can
take). Encoded values are ``float64``: numbers as they are (dates and
durations as counts of their granularity, see ``_datetimes``), booleans as
0/1, categorical columns as the index of the level in ``categories``,
missing values as NaN and unseen categories as -1.
"""

import numbers
import re
from dataclasses import dataclass

import numpy as np

CONTINUOUS = "continuous"
INTEGER = "integer"
BOOLEAN = "boolean"
CATEGORICAL = "categorical"
DATETIME = "datetime"
TIMEDELTA = "timedelta"
IDENTIFIER = "identifier"

#: Kinds whose encoded values are numbers on a line.
NUMERIC_KINDS = (CONTINUOUS, INTEGER, DATETIME, TIMEDELTA)
#: Kinds whose encoded values are codes of levels.
LEVEL_KINDS = (CATEGORICAL, BOOLEAN)

FINITE = "finite"
LATTICE = "lattice"

#: A numeric column is discrete (takes only the values seen in fit) when it
#: has at most this many distinct values, each held by two rows or more on
#: average ...
MAX_DISCRETE_LEVELS = 20
#: ... or when its values that are not spikes repeat this many times on
#: average (a rate grid, ages, counts, measurements rounded to a unit).
MIN_ROWS_PER_DISCRETE_VALUE = 10
# A value is a spike (a point mass of a many-valued column) when it holds at
# least this share of the rows and this many times an average value's share.
_SPIKE_MIN_SHARE = 0.01
_SPIKE_MIN_RATIO = 10.0
#: Decimal places looked for in float columns (values rounded to cents, ...).
MAX_DECIMALS = 6
# Values checked first when looking for the decimal places of a column.
_DECIMALS_PROBE = 1000
# Most spikes a column can have (each holds at least 1% of the rows).
_MAX_SPIKES = 100
# Float64 holds every whole number exactly up to 2**53.
MAX_EXACT_INTEGER = 2.0**53
# A lattice column is on a coarser grid when at most this many of its
# distinct values are off it (see _coarser_grid), looked for this many
# powers of ten up.
_MAX_GRID_EXCEPTIONS = 10
_MAX_COARSER_STEPS = 15
UNSEEN = -1.0


@dataclass(eq=False)
class Support:
    """The values a numeric column takes, in encoded units.

    Parameters
    ----------
    kind : {"finite", "lattice", "continuous"}
        "finite": only the values seen in ``fit`` (``values``); "lattice":
        multiples of ``10 ** -decimals`` (whole numbers for ``decimals=0``,
        multiples of 100 for ``decimals=-2``), and the ``exceptions``;
        "continuous": any number.
    values : ndarray or None
        Sorted distinct values of a finite support.
    decimals : int or None
        Decimal places of a lattice.
    declared : bool, default=False
        Whether the user said whether the column is discrete
        (``discrete_features`` given as a list), rather than the "auto" rule.
    exceptions : ndarray or None
        Sorted values of a lattice's column that are off it, kept as they
        are: house values in multiples of 100 but for a top code of 500,001.
    """

    kind: str = "continuous"
    values: np.ndarray | None = None
    decimals: int | None = None
    declared: bool = False
    exceptions: np.ndarray | None = None

    @property
    def is_finite(self):
        return self.kind == FINITE

    def snap(self, x):
        """The value of the support closest to each of ``x`` (NaN stays NaN)."""
        if self.kind == FINITE:
            return _nearest_value(self.values, x)
        if self.kind == LATTICE:
            snapped = np.round(x, self.decimals)
            if self.exceptions is None:
                return snapped
            nearest = _nearest_value(self.exceptions, x)
            with np.errstate(invalid="ignore"):
                closer = np.abs(x - nearest) < np.abs(x - snapped)
            return np.where(closer, nearest, snapped)
        return x

    def contains(self, x):
        """Whether each of ``x`` is a value of the support."""
        x = np.asarray(x, dtype=float)
        if self.kind == FINITE:
            if self.values.size == 0:
                return np.zeros(x.shape, dtype=bool)
            index = np.clip(np.searchsorted(self.values, x), 0, self.values.size - 1)
            return self.values[index] == x
        if self.kind == LATTICE:
            with np.errstate(invalid="ignore"):
                on = np.round(x, self.decimals) == x
            if self.exceptions is not None:
                on |= np.isin(x, self.exceptions)
            return on
        return np.isfinite(x)

    def describe(self):
        if self.kind == FINITE:
            return f"discrete ({self.values.size} values)"
        if self.kind == LATTICE:
            text = f"multiples of {10.0**-self.decimals:g}"
            if self.exceptions is not None:
                n = self.exceptions.size
                text += f" and {n} other value{'s' if n > 1 else ''}"
            return text
        return "continuous"


def _nearest_value(values, x):
    if values.size == 0:
        return np.full(np.shape(x), np.nan)
    x = np.asarray(x, dtype=float)
    right = np.clip(np.searchsorted(values, x), 1, max(values.size - 1, 1))
    if values.size == 1:
        return np.where(np.isnan(x), np.nan, values[0])
    left = right - 1
    pick = np.where(x - values[left] <= values[right] - x, left, right)
    return np.where(np.isnan(x), np.nan, values[pick])


@dataclass(eq=False)
class ColumnSpec:
    """What the data layer learnt about one column at ``fit``.

    Parameters
    ----------
    name : str or int
        Column label of a DataFrame, or position in an array.
    kind : str
        How the column is modelled and decoded: "continuous", "integer",
        "boolean", "categorical", "datetime", "timedelta" or "identifier".
    dtype : dtype
        dtype the decoded column gets back.
    categories : ndarray or None
        Levels seen in ``fit`` (categorical columns), ``[False, True]`` for
        boolean columns, None otherwise.
    low, high : float
        Observed range of a numeric column, in encoded units (NaN when it is
        all missing).
    missing_rate : float
        Share of missing values.
    missing_value : object
        What ``decode`` puts in the missing entries of an object column: the
        first missing value seen in ``fit`` (None, NaN or pandas.NA).
    integer_objects : bool
        Whether a numeric object column held Python or numpy integers, which
        ``decode`` gives back as Python integers.
    support : Support or None
        Values a numeric column takes.
    codec : object
        How a date, duration or identifier column turns into numbers and back
        (``TimeCodec`` or ``IdentifierFormat``); None for other kinds.
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
    support: Support | None = None
    codec: object = None

    @property
    def is_numeric(self):
        """Whether encoded values are numbers on a line (dates and durations too)."""
        return self.kind in NUMERIC_KINDS

    @property
    def is_time(self):
        """Whether the column holds dates or durations."""
        return self.kind in (DATETIME, TIMEDELTA)

    @property
    def is_levels(self):
        """Whether encoded values are codes of categories or booleans."""
        return self.kind in LEVEL_KINDS

    @property
    def is_discrete(self):
        """Whether a numeric column takes only the values seen in ``fit``."""
        return self.support is not None and self.support.is_finite

    @property
    def is_modelled(self):
        """Whether estimators model the column (identifiers are generated)."""
        return self.kind != IDENTIFIER

    @property
    def label(self):
        """How error messages name the column."""
        return column_label(self.name)


def column_label(name):
    """How error messages name a column: quoted names, bare positions."""
    return repr(name) if isinstance(name, str) else f"{name}"


def column_roles(columns):
    """Positions of the numeric and of the level (categorical, boolean)
    columns, and the number of levels of each level column."""
    levels = [j for j, c in enumerate(columns) if c.is_levels]
    numeric = [j for j, c in enumerate(columns) if not c.is_levels]
    n_levels = np.array([len(columns[j].categories) for j in levels], dtype=int)
    return numeric, levels, n_levels


# -- kinds of values ----------------------------------------------------------


def is_missing_value(value):
    """Whether a value stands for a missing one (None, NaN, pandas.NA, NaT)."""
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return _is_missing_type(type(value))


def _is_missing_type(kind):
    # pandas.NA answers NA to comparisons, and its ``bool`` raises: told by type.
    return kind.__name__ in ("NoneType", "NAType", "NaTType")


def _may_be_missing(kind):
    return issubclass(kind, float | np.floating) or _is_missing_type(kind)


def missing_mask_object(values):
    """Missing mask of a 1D object array, by :func:`is_missing_value`, decided
    once per type of value (floats by ``np.isnan``)."""
    kinds = list(map(type, values.tolist()))
    distinct = set(kinds)
    missing = np.zeros(values.shape, dtype=bool)
    if not any(_may_be_missing(kind) for kind in distinct):
        # Text or integer keys, say: no value to look at.
        return missing
    if len(distinct) == 1:
        kind = distinct.pop()
        if _is_missing_type(kind):
            return ~missing
        return np.isnan(values.astype(float))
    code_of = {kind: code for code, kind in enumerate(distinct)}
    codes = np.fromiter(map(code_of.__getitem__, kinds), np.intp, len(kinds))
    for kind, code in code_of.items():
        if issubclass(kind, float | np.floating):
            rows = codes == code
            missing[rows] = np.isnan(values[rows].astype(float))
        elif _is_missing_type(kind):
            missing |= codes == code
    return missing


def missing_share(missing):
    """Share of missing values of a column from its missing mask (0 if empty)."""
    return float(missing.mean()) if missing.size else 0.0


def float_storage(dtype):
    """The numpy float dtype a (numpy or pandas nullable) float column stores
    its values in; None for other dtypes."""
    dtype = getattr(dtype, "numpy_dtype", dtype)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return dtype
    return None


def is_number_type(kind):
    """Whether values of type ``kind`` are real numbers (booleans are not)."""
    return issubclass(kind, numbers.Real) and not issubclass(kind, bool | np.bool_)


def unsupported_dtype_error(label, dtype):
    return TypeError(
        f"Column {label} has dtype {dtype}, which sksynth cannot model. Convert it to "
        "numbers, dates or strings (a categorical column), or drop it."
    )


def check_finite(values, label):
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise ValueError(
            f"Column {label} contains {n_inf} infinite value(s) (inf or -inf). "
            "Replace them with finite numbers or NaN (missing) before fitting."
        )


def levels_of(values, missing):
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


def levels_of_objects(name, values, missing):
    """Levels of an object column, or an error naming it when its values are
    not labels (complex numbers, or unhashable ones such as lists)."""
    odd = [
        kind
        for kind in set(map(type, values[~missing]))
        if issubclass(kind, complex) or kind.__hash__ is None
    ]
    if odd:
        raise unsupported_dtype_error(
            column_label(name), f"object holding {odd[0].__name__} values"
        )
    return levels_of(values, missing)


def encode_categories(values, missing, categories):
    """Codes of values in ``categories``: NaN for missing, -1 for unseen."""
    codes = np.full(values.shape[0], np.nan)
    observed = values[~missing]
    if categories.size == 0:
        codes[~missing] = UNSEEN
        return codes
    try:
        position = np.searchsorted(categories, observed)
        position = np.clip(position, 0, categories.size - 1)
        found = categories[position] == observed
        encoded = np.where(found, position, UNSEEN)
    except TypeError:
        lookup = {v: i for i, v in enumerate(categories)}
        encoded = np.fromiter(
            (lookup.get(v, UNSEEN) for v in observed), float, observed.size
        )
    codes[~missing] = encoded
    return codes


# -- supports -----------------------------------------------------------------


def is_spike(shares):
    """Which distinct values of a many-valued column are spikes (atoms).

    A spike holds at least 1% of the rows and at least ten times the share of
    an average distinct value, such as the zeros of an amount or a cap.

    Parameters
    ----------
    shares : ndarray of shape (n_distinct,)
        Share of the rows holding each distinct value.

    Returns
    -------
    is_spike : ndarray of bool of shape (n_distinct,)
    """
    return (shares >= _SPIKE_MIN_SHARE) & (shares >= _SPIKE_MIN_RATIO / shares.size)


def is_discrete_column(counts):
    """Whether a numeric column with these counts of distinct values is discrete.

    The documented rule: at most two distinct values; or at most
    ``MAX_DISCRETE_LEVELS`` (20) distinct values held by two rows or more on
    average; or values that, apart from spikes (see :func:`is_spike`), repeat
    ``MIN_ROWS_PER_DISCRETE_VALUE`` (10) times or more on average. Twenty
    distinct values in twenty rows are points of a continuous distribution;
    68 interest rates in 4,000 loans are a grid.

    Parameters
    ----------
    counts : ndarray of shape (n_distinct,)
        Number of rows holding each distinct value.

    Returns
    -------
    discrete : bool
    """
    counts = np.asarray(counts, dtype=float)
    n_distinct, n_rows = counts.size, counts.sum()
    if n_distinct < 3:
        return True
    if n_distinct <= MAX_DISCRETE_LEVELS and n_rows >= 2 * n_distinct:
        return True
    rest = counts[~is_spike(counts / n_rows)]
    return rest.size > 0 and rest.sum() >= MIN_ROWS_PER_DISCRETE_VALUE * rest.size


def numeric_support(observed, dtype, whole, discrete="auto"):
    """The support of a numeric column from its observed (encoded) values.

    Parameters
    ----------
    observed : ndarray
        Non-missing values.
    dtype : dtype
        Storage dtype, whose precision bounds the decimals looked for.
    whole : bool
        Whether the values are whole numbers (integers, dates in their unit).
    discrete : {"auto", True, False}, default="auto"
        Whether the column takes only its observed values: by
        :func:`is_discrete_column`, or as declared.

    Returns
    -------
    support : Support
    """
    declared = discrete != "auto"
    if observed.size == 0:
        return Support(declared=declared)
    if discrete is not False:
        values, counts = _distinct_counts(observed, probe=discrete == "auto")
        if values is not None and (discrete is True or is_discrete_column(counts)):
            return Support(FINITE, values=values, declared=declared)
    decimals = 0 if whole else _decimal_places(observed, dtype)
    if decimals is None:
        return Support(declared=declared)
    decimals, exceptions = _coarser_grid(observed, decimals, dtype)
    return Support(LATTICE, decimals=decimals, declared=declared, exceptions=exceptions)


def _coarser_grid(observed, decimals, dtype):
    """The coarsest grid of multiples of ``10 ** -d`` (``d < decimals``) on
    which all but a few distinct values lie, and those values (sorted): prices
    in hundreds with a top code, rates in tenths; ``(decimals, None)`` when
    there is none.

    At least MAX_DISCRETE_LEVELS distinct values lie on the grid, and at most
    _MAX_GRID_EXCEPTIONS (and a hundredth of the distinct values, at least
    one) do not.
    """
    storage = float_storage(dtype) or np.float64
    head = observed[:_DECIMALS_PROBE]
    found, exceptions = decimals, None
    for coarser in range(decimals - 1, decimals - _MAX_COARSER_STEPS - 1, -1):
        # Most columns fail on their first values (counts, amounts).
        off_head = head[~_on_grid(head, coarser, storage)]
        if np.unique(off_head).size > _MAX_GRID_EXCEPTIONS:
            break
        on = _on_grid(observed, coarser, storage)
        off = np.unique(observed[~on])
        n_on = np.unique(observed[on]).size
        limit = min(_MAX_GRID_EXCEPTIONS, max(1, (n_on + off.size) // 100))
        if off.size > limit or n_on < MAX_DISCRETE_LEVELS:
            break
        found, exceptions = coarser, (off if off.size else None)
    return found, exceptions


def _on_grid(x, decimals, storage):
    """Whether each of ``x`` is a multiple of ``10 ** -decimals`` as stored
    in ``storage``."""
    return np.round(x, decimals).astype(storage).astype(float) == x


def _distinct_counts(observed, probe):
    """Distinct values and counts, or (None, None) when the first tenth of the
    values already holds too many distinct values for a discrete column.

    The shortcut is exact: a column of ``n`` rows whose values other than
    spikes (at most 100 of them, each holding 1% of the rows) repeat ten times
    on average has at most ``n / 10 + 100`` distinct values, and so does any
    part of it. A continuous column is told in a tenth of the sort.
    """
    n = observed.size
    limit = n // MIN_ROWS_PER_DISCRETE_VALUE + _MAX_SPIKES
    if probe and n > 10 * _MAX_SPIKES and limit < n:
        head = np.sort(observed[: limit + 1])
        if 1 + np.count_nonzero(head[1:] != head[:-1]) > limit:
            return None, None
    values, counts = np.unique(observed, return_counts=True)
    return values, counts


def _decimal_places(observed, dtype):
    """Fewest decimal places (up to ``MAX_DECIMALS``) that every value has
    exactly, as stored in ``dtype``; None when there are more."""
    storage = float_storage(dtype)
    if storage is None:
        storage = np.float64
    head = observed[:_DECIMALS_PROBE]
    exact = None
    for decimals in range(1, MAX_DECIMALS + 1):
        # Most columns fail on their first values: the others are read in
        # full (range, then decimals) only when those pass.
        if not _has_decimals(head, decimals, storage):
            continue
        if exact is None:
            exact = bool(
                np.all(np.abs(observed) < MAX_EXACT_INTEGER / 10.0**MAX_DECIMALS)
            )
        if not exact:
            return None
        if _has_decimals(observed, decimals, storage):
            return decimals
    return None


def _has_decimals(x, decimals, storage):
    return bool(np.all(_on_grid(x, decimals, storage)))


def is_whole(observed):
    """Whether every value is a whole number that float64 holds exactly."""
    head = observed[:_DECIMALS_PROBE]
    # The first values tell most columns apart without reading them all.
    for values in (head, observed):
        if not (
            np.all(np.abs(values) < MAX_EXACT_INTEGER)
            and np.all(values == np.round(values))
        ):
            return False
    return True


# -- identifiers by name --------------------------------------------------------

_KEY_NAME = re.compile(r"(^|[^A-Za-z0-9]|[a-z0-9])(id|key|uuid|guid)$", re.IGNORECASE)
_CAMEL_KEY = re.compile(r"[a-z0-9](Id|ID|Key|Uuid|UUID|Guid|GUID)$")


def looks_like_key_name(name):
    """Whether a column name reads as a key: ``id``, ``customer_id``,
    ``CustomerID``, ``orderKey``, ``uuid`` (not ``paid`` or ``valid``)."""
    if not isinstance(name, str):
        return False
    name = name.strip()
    if name.lower() in ("id", "key", "uuid", "guid"):
        return True
    if _CAMEL_KEY.search(name):
        return True
    match = _KEY_NAME.search(name)
    return bool(match) and not match.group(1).isalnum()
