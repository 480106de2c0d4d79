"""Rule objects: what a synthetic row must satisfy, and how it is enforced.

Each rule checks rows (``is_valid``) and, where one exists, has a reversible
transform of the table: the synthesizer models the transformed table, and the
inverse turns any draw into rows that satisfy the rule exactly. An
``Implication`` has none: its value is set in every drawn row where its
condition holds. A ``Predicate`` is enforced by rejection. Rules work on pandas
DataFrames; a numpy array is read as a DataFrame whose columns are the
positions 0, 1, ...
"""

import ast
import numbers

import numpy as np

from .._data import is_missing_value
from ._frames import as_frame, missing_mask, same_values


class Constraint:
    """Base class of the rules.

    Subclasses set ``columns`` (the columns the rule reads or sets) and
    implement ``is_valid`` and ``to_dict``. Rules with a transform implement the private
    ``_fit``, ``_transform`` and ``_inverse`` on DataFrames of original
    column names (``_inverse`` sets columns of the frame it is given: the
    caller's copy); ``_reads`` and ``_writes`` tell which columns the inverse
    needs restored first and which it restores.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.constraints import Constraint, Inequality
    >>> isinstance(Inequality("start", "end"), Constraint)
    True
    >>> class Positive(Constraint):
    ...     columns = ["price"]
    ...     def is_valid(self, X):
    ...         return np.asarray(X["price"] > 0)
    ...     def __str__(self):
    ...         return "price > 0"
    >>> Positive().is_valid(pd.DataFrame({"price": [3.5, -1.0]}))
    array([ True, False])
    """

    #: Whether the rule has a reversible transform of the table the model
    #: learns (else: rejection, or an implication's value set on every draw).
    _has_transform = False

    @property
    def columns(self):
        """Columns the rule involves."""
        raise NotImplementedError

    def _unknown_columns(self, columns):
        """The columns the rule names that are not in ``columns`` (a number
        in an inequality or a range is a constant, not a position)."""
        constants = isinstance(self, Inequality | Range)
        return [
            name
            for name in self.columns
            if name not in columns and not (constants and not isinstance(name, str))
        ]

    def is_valid(self, X):
        """Whether each row of ``X`` satisfies the rule.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to check, with the columns the rule names (positions for an
            array).

        Returns
        -------
        valid : ndarray of shape (n_samples,), dtype=bool
            True where the row satisfies the rule (a row missing a value the
            rule compares satisfies it).
        """
        raise NotImplementedError

    def to_dict(self):
        """The rule as a JSON-ready dict (see :func:`rule_from_dict`).

        Returns
        -------
        params : dict
            ``{"rule": name, ...}`` with the rule's parameters; dates and
            durations as ``{"date": iso}`` and ``{"duration": iso}``.
        """
        raise NotImplementedError

    def __repr__(self):
        return str(self)

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(repr(self.to_dict()))

    # -- enforcement (transform rules override) ----------------------------------
    def _reads(self):
        return []

    def _writes(self):
        return []

    def _fit(self, frame):
        return self

    def _transform(self, original, out):
        """``out`` with the rule's columns transformed, computed from the
        ``original`` rows (other rules may have changed ``out`` already)."""
        return out

    def _inverse(self, frame):
        return frame


def _check_column(name, rule, frame):
    if name not in frame.columns:
        raise ValueError(
            f"{rule} names column {name!r}, which is not a column of X. Columns "
            f"are {list(frame.columns)}; fix the rule or drop it."
        )


def _plain(value):
    """A JSON-ready scalar: numpy scalars as Python values, a date or time as
    ``{"date": iso}`` and a duration as ``{"duration": iso}`` (a plain string
    would read back as a column name); a missing value as None."""
    if is_missing_value(value):
        return None
    if isinstance(value, np.datetime64 | np.timedelta64):
        import pandas as pd

        value = (
            pd.Timestamp(value)
            if isinstance(value, np.datetime64)
            else pd.Timedelta(value)
        )
    if isinstance(value, np.generic):
        return value.item()
    if _is_duration(value):
        return {"duration": value.isoformat()}
    if hasattr(value, "isoformat"):
        return {"date": value.isoformat()}
    return value


def _is_duration(value):
    import datetime

    return isinstance(value, datetime.timedelta)


def _from_plain(value):
    """The value of a :func:`_plain` form (dates and durations back)."""
    if isinstance(value, dict) and len(value) == 1:
        import pandas as pd

        if "date" in value:
            return pd.Timestamp(value["date"])
        if "duration" in value:
            return pd.Timedelta(value["duration"])
    return value


def _shown(value):
    """A value in a rule's text."""
    if is_missing_value(value):
        return "missing"
    plain = _from_plain(_plain(value))
    if hasattr(plain, "isoformat"):
        return str(plain)
    return repr(plain)


class Inequality(Constraint):
    """``low <= high`` (``low < high`` when ``strict``) in every row.

    Enforced exactly, in one of two ways chosen in ``fit``. When ``high -
    low`` varies less than ``high`` (or ``low`` is a constant), the model
    learns ``high - low`` in place of ``high`` (the same type: numbers, or
    durations between dates), and a drawn difference below zero is raised to
    zero (to the smallest difference seen in ``fit`` when ``strict``) before
    ``high`` is rebuilt inside its fitted range. Otherwise the model learns
    both columns, and in the drawn rows that break the rule the column of
    smaller spread is moved to the other.

    Parameters
    ----------
    low : str, int or scalar
        The smaller column, or a constant: a number, or a date (``date``,
        ``datetime``, Timestamp) for a date column. A value that is a column
        of ``X`` is that column (with a numpy array, columns are positions:
        write a constant ``0`` as ``0.0``).
    high : str or int
        The larger column.
    strict : bool, default=False
        Whether equality breaks the rule.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Inequality
    >>> X = pd.DataFrame({"built": [1990, 2001], "remodelled": [1995, 1999]})
    >>> rule = Inequality("built", "remodelled")
    >>> print(rule)
    built <= remodelled
    >>> rule.is_valid(X)
    array([ True, False])
    """

    _has_transform = True

    def __init__(self, low, high, strict=False):
        self.low = low
        self.high = high
        self.strict = strict

    @property
    def columns(self):
        if isinstance(self.low, str) or _is_position(self.low):
            return [self.low, self.high]
        return [self.high]

    def low_is_column(self, frame):
        """Tell whether ``low`` names a column of ``frame`` (else a constant).

        Parameters
        ----------
        frame : DataFrame
            The table the rule applies to.

        Returns
        -------
        is_column : bool
            True when ``low`` is a column of ``frame``.
        """
        return _is_label(self.low) and self.low in frame.columns

    def __str__(self):
        return f"{self.low} {'<' if self.strict else '<='} {self.high}"

    def to_dict(self):
        return {
            "rule": "Inequality",
            "low": _plain(self.low),
            "high": _plain(self.high),
            "strict": bool(self.strict),
        }

    def values(self, frame):
        """The ``low`` and ``high`` Series of ``frame``.

        Parameters
        ----------
        frame : DataFrame
            The table the rule applies to.

        Returns
        -------
        low, high : Series
            The two sides, a constant ``low`` repeated (as a Timestamp for a
            date column).
        """
        import pandas as pd

        _check_column(self.high, self, frame)
        high = frame[self.high]
        if self.low_is_column(frame):
            return frame[self.low], high
        if isinstance(self.low, str):
            _check_column(self.low, self, frame)
        low = self.low
        if pd.api.types.is_datetime64_any_dtype(high.dtype):
            low = pd.Timestamp(low)
            tz = getattr(high.dtype, "tz", None)
            if tz is not None and low.tzinfo is None:
                low = low.tz_localize(tz)
        return pd.Series([low] * len(frame), index=frame.index), high

    def is_valid(self, X):
        frame = as_frame(X)
        low, high = self.values(frame)
        present = ~(missing_mask(low) | missing_mask(high))
        valid = np.ones(len(frame), dtype=bool)
        low, high = low[present], high[present]
        valid[present] = np.asarray((low < high) if self.strict else (low <= high))
        return valid

    # Inequalities are enforced together (several lows of one column, chains):
    # see ``_enforce.GapTransform``.


def _is_position(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_label(value):
    return isinstance(value, str) or _is_position(value)


class Range(Constraint):
    """``low <= middle <= high`` in every row (strict with ``strict``).

    Enforced as the two inequalities it stands for.

    Parameters
    ----------
    low : str, int or scalar
        The smallest column, or a constant.
    middle : str or int
        The column between.
    high : str, int or scalar
        The largest column, or a constant.
    strict : bool, default=False
        Whether equality breaks the rule.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Range
    >>> X = pd.DataFrame({"age": [15, 40, 120]})
    >>> rule = Range(0, "age", 100)
    >>> print(rule)
    0 <= age <= 100
    >>> rule.is_valid(X)
    array([ True,  True, False])
    """

    def __init__(self, low, middle, high, strict=False):
        self.low = low
        self.middle = middle
        self.high = high
        self.strict = strict

    def inequalities(self):
        """The two :class:`Inequality` rules the range stands for.

        Returns
        -------
        rules : list of Inequality
            ``low <= middle`` and ``middle <= high`` (strict with ``strict``);
            a constant ``high`` is clipped to, not modelled.
        """
        key = (self.low, self.middle, self.high, self.strict)
        if getattr(self, "_parts_key", None) != key:
            below = Inequality(self.low, self.middle, self.strict)
            above = Inequality(self.middle, self.high, self.strict)
            self._parts, self._parts_key = [below, above], key
        return list(self._parts)

    @property
    def columns(self):
        names = []
        for rule in self.inequalities():
            names += [c for c in rule.columns if c not in names]
        return names

    def __str__(self):
        op = "<" if self.strict else "<="
        return f"{self.low} {op} {self.middle} {op} {self.high}"

    def to_dict(self):
        return {
            "rule": "Range",
            "low": _plain(self.low),
            "middle": _plain(self.middle),
            "high": _plain(self.high),
            "strict": bool(self.strict),
        }

    def is_valid(self, X):
        frame = as_frame(X)
        valid = np.ones(len(frame), dtype=bool)
        for rule in self.inequalities():
            if _is_column_ref(rule.high, frame):
                valid &= rule.is_valid(frame)
            else:
                valid &= _upper_constant_valid(frame, rule)
        return valid


def _is_column_ref(value, frame):
    return _is_label(value) and value in frame.columns


def _upper_constant_valid(frame, rule):
    """``column <= constant`` for a Range with a constant high end."""
    import pandas as pd

    _check_column(rule.low, rule, frame)
    values = frame[rule.low]
    bound = rule.high
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        bound = pd.Timestamp(bound)
    present = ~missing_mask(values)
    valid = np.ones(len(frame), dtype=bool)
    kept = values[present]
    valid[present] = (kept < bound) if rule.strict else (kept <= bound)
    return valid


class _ColumnsRule(Constraint):
    """A rule on a list of two or more columns."""

    def __init__(self, columns):
        self.columns_list = list(columns)
        if len(self.columns_list) < 2:
            raise ValueError(
                f"{type(self).__name__} needs two or more columns; got "
                f"{self.columns_list}."
            )

    @property
    def columns(self):
        return list(self.columns_list)


class FixedCombinations(_ColumnsRule):
    """Only the combinations of values of ``columns`` seen in ``fit``.

    Covers one column determining another (``education`` and
    ``education_num``, a city and its country). Enforced exactly: the model
    learns one categorical column of the combinations seen (a missing value
    counts as a value) in place of ``columns``.

    Parameters
    ----------
    columns : list of str or int
        Two or more columns.

    Attributes
    ----------
    combinations_ : DataFrame
        The combinations seen in the rows the rule was fitted on (set when a
        synthesizer enforces it, or by :meth:`fit`).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import FixedCombinations
    >>> X = pd.DataFrame({"education": ["HS-grad", "Bachelors", "HS-grad"],
    ...                   "education_num": [9, 13, 9]})
    >>> rule = FixedCombinations(["education", "education_num"]).fit(X)
    >>> rule.is_valid(pd.DataFrame({"education": ["Bachelors"], "education_num": [9]}))
    array([False])
    """

    _has_transform = True

    def __init__(self, columns):
        super().__init__(columns)

    def __str__(self):
        return "fixed combinations of " + ", ".join(map(str, self.columns_list))

    def to_dict(self):
        return {"rule": "FixedCombinations", "columns": _plain_list(self.columns)}

    @property
    def merged_name(self):
        """Name of the column that holds the combinations in the model."""
        return "+".join(map(str, self.columns_list))

    def fit(self, X):
        """Learn the combinations of ``X`` (what ``is_valid`` then accepts).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows whose combinations are allowed.

        Returns
        -------
        self : FixedCombinations
            The rule, with ``combinations_`` set.
        """
        frame = as_frame(X)
        for name in self.columns:
            _check_column(name, self, frame)
        return self._fit(frame)

    def _fit(self, frame):
        import pandas as pd

        table = frame[self.columns]
        self._levels = []
        for name in self.columns:
            values, missing = _objects(table[name])
            self._levels.append(pd.Index(pd.unique(values[~missing]), dtype=object))
        keys = self._keys_of(table)
        _, first = np.unique(keys, return_index=True)
        first = np.sort(first)
        self.combinations_ = table.iloc[first].reset_index(drop=True)
        self._sorted_keys = keys[first]
        self._order = np.argsort(self._sorted_keys, kind="stable")
        self._sorted_keys = self._sorted_keys[self._order]
        return self

    def _keys_of(self, table):
        """One integer per row: the level index of each column (one more for
        a missing value, -1 for a value not seen in fit), in mixed radix."""
        codes = []
        for name, levels in zip(self.columns, self._levels, strict=True):
            values, missing = _objects(table[name])
            code = levels.get_indexer(values)
            code[missing] = levels.size
            codes.append(code)
        sizes = [levels.size + 2 for levels in self._levels]
        keys = np.zeros(len(table), dtype=np.int64)
        unseen = np.zeros(len(table), dtype=bool)
        if np.prod(np.asarray(sizes, dtype=float)) >= _MAX_RADIX:
            # Too many combinations for one integer: number them instead.
            stacked = np.column_stack(codes)
            unseen = (stacked < 0).any(axis=1)
            return _row_numbers(stacked, unseen, self)
        for code, size in zip(codes, sizes, strict=True):
            unseen |= code < 0
            keys = keys * size + (code + 1)
        return np.where(unseen, -1, keys)

    def _extend(self, frame):
        """Add the combinations of ``frame`` not seen yet, after the others
        (their indices, and so the merged column's codes, do not change):
        out of core, later parts of a table bring combinations of their
        own. Returns the number added."""
        import pandas as pd

        table = frame[self.columns]
        if not (self._codes(frame) < 0).any():
            return 0
        for i, name in enumerate(self.columns):
            values, missing = _objects(table[name])
            new = pd.unique(values[~missing])
            new = new[self._levels[i].get_indexer(new) < 0]
            if new.size:
                self._levels[i] = self._levels[i].append(pd.Index(new, dtype=object))
        old = self.combinations_
        keys = self._keys_of(pd.concat([old, table], ignore_index=True))
        _, first = np.unique(keys, return_index=True)
        added = np.sort(first[first >= len(old)]) - len(old)
        self.combinations_ = pd.concat(
            [old, table.iloc[added]], ignore_index=True
        ).reset_index(drop=True)
        keys = keys[np.r_[np.arange(len(old)), len(old) + added]]
        self._order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[self._order]
        return added.size

    def _codes(self, frame):
        """Index of each row's combination in ``combinations_`` (-1: unseen)."""
        keys = self._keys_of(frame[self.columns])
        sorted_keys = self._sorted_keys
        at = np.clip(np.searchsorted(sorted_keys, keys), 0, len(sorted_keys) - 1)
        found = (sorted_keys[at] == keys) & (keys >= 0)
        return np.where(found, self._order[at], -1)

    def is_valid(self, X):
        if not hasattr(self, "combinations_"):
            raise ValueError(
                f"{self} knows no combinations yet: call its fit(X) on the rows "
                "whose combinations are allowed (a synthesizer does it in fit)."
            )
        frame = as_frame(X)
        for name in self.columns:
            _check_column(name, self, frame)
        return self._codes(frame) >= 0

    def _reads(self):
        return [self.merged_name]

    def _writes(self):
        return self.columns

    def _transform(self, original, out):
        import pandas as pd

        codes = self._codes(original)
        labels = [f"combination {i}" for i in range(len(self.combinations_))]
        merged = pd.Categorical.from_codes(codes, categories=labels)
        position = list(out.columns).index(self.columns[0])
        out = out.drop(columns=self.columns)
        out.insert(min(position, out.shape[1]), self.merged_name, merged)
        return out

    def _inverse(self, frame):
        import pandas as pd

        merged = frame[self.merged_name]
        codes = pd.Categorical(merged, categories=merged.cat.categories).codes
        codes = np.asarray(codes)
        if (codes < 0).any():
            # Missing merged values (a model that draws none should not)
            # take the most common combination.
            codes = np.where(codes < 0, 0, codes)
        restored = self.combinations_.iloc[codes].reset_index(drop=True)
        restored.index = frame.index
        out = frame.drop(columns=[self.merged_name])
        for name in self.columns:
            out[name] = restored[name]
        return out


# Combinations of level codes numbered in one int64 below this.
_MAX_RADIX = 2.0**62


def _objects(column):
    """A column's values as an object array, and its missing mask."""
    return column.to_numpy(dtype=object), missing_mask(column)


def _row_numbers(codes, unseen, rule):
    """Keys of rows of level codes when their mixed radix overflows: the
    index of the row's codes among the codes seen in fit (kept on ``rule``)."""
    if not hasattr(rule, "_seen_codes"):
        rule._seen_codes = np.unique(codes[~unseen], axis=0)
    seen = rule._seen_codes
    ids = np.unique(np.vstack([seen, codes]), axis=0, return_inverse=True)[1]
    ids = ids.ravel()
    position = np.full(ids.max() + 1, -1)
    position[ids[: len(seen)]] = np.arange(len(seen))
    return np.where(unseen, -1, position[ids[len(seen) :]])


def _plain_list(values):
    return [_plain(v) for v in values]


class Formula(Constraint):
    """``column`` equals a linear expression of other columns in every row.

    Enforced exactly: ``column`` is left out of the model and computed from
    the drawn columns (rounded to whole numbers for an integer column).

    Parameters
    ----------
    column : str or int
        The column the expression gives.
    expression : str
        A linear expression: column names (in backticks when they are not
        Python names; a position of an array's column in backticks, like
        ``"`0` + `1`"``), numbers, ``+``, ``-``, ``*`` by a number, ``/`` by a
        number and parentheses, e.g. ``"price + fee"`` or ``"2 * a - b + 3"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Formula
    >>> X = pd.DataFrame({"price": [10, 20], "fee": [1, 2], "total": [11, 23]})
    >>> Formula("total", "price + fee").is_valid(X)
    array([ True, False])
    """

    _has_transform = True

    def __init__(self, column, expression):
        self.column = column
        self.expression = expression
        self._coefficients, self._constant = _parse_linear(expression)

    @property
    def inputs(self):
        """The columns the expression reads."""
        return list(self._coefficients)

    @property
    def columns(self):
        return [self.column, *self.inputs]

    def __str__(self):
        return f"{self.column} = {self.expression}"

    def to_dict(self):
        return {
            "rule": "Formula",
            "column": _plain(self.column),
            "expression": self.expression,
        }

    def evaluate(self, frame):
        """The expression's value in each row of ``frame``.

        Parameters
        ----------
        frame : DataFrame
            Rows with the columns of the expression.

        Returns
        -------
        values : ndarray of shape (n_samples,)
            The value in each row (NaN where an input is missing).
        """
        total = np.full(len(frame), float(self._constant))
        for name, coefficient in self._coefficients.items():
            total = total + coefficient * np.asarray(
                frame[name].astype(float), dtype=float
            )
        return total

    def is_valid(self, X):
        frame = as_frame(X)
        for name in self.columns:
            _check_column(name, self, frame)
        expected = self.evaluate(frame)
        values = frame[self.column]
        missing = missing_mask(values) | np.isnan(expected)
        actual = np.asarray(values.astype(float), dtype=float)
        scale = np.maximum(np.abs(expected), 1.0)
        with np.errstate(invalid="ignore"):
            close = np.abs(actual - expected) <= 1e-9 * scale
        return missing | close

    def _reads(self):
        return self.inputs

    def _writes(self):
        return [self.column]

    def _fit(self, frame):
        values = frame[self.column]
        self._dtype = values.dtype
        self._integer = _is_integer_dtype(values.dtype)
        # Missing values of its own (the inputs there): the model keeps the
        # column as a flag of them.
        own = missing_mask(values) & ~np.isnan(self.evaluate(frame))
        self._own_missing = bool(own.any())
        return self

    def _transform(self, original, out):
        if not self._own_missing:
            return out.drop(columns=[self.column])
        out = out.copy()
        own = missing_mask(original[self.column]) & ~np.isnan(self.evaluate(original))
        out[self.column] = own
        return out

    def _inverse(self, frame):
        values = self.evaluate(frame)
        if self._integer:
            values = np.round(values)
        if self._own_missing:
            flag = frame[self.column]
            values = np.where(
                np.asarray(flag.fillna(False), dtype=bool), np.nan, values
            )
        frame[self.column] = _cast(values, self._dtype)
        return frame


def _is_integer_dtype(dtype):
    import pandas as pd

    return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(
        dtype
    )


def _cast(values, dtype):
    """Float ``values`` (NaN = missing) as a Series-ready array of ``dtype``."""
    import pandas as pd

    values = np.asarray(values, dtype=float)
    if _is_integer_dtype(dtype) and np.isnan(values).any():
        return pd.array(np.where(np.isnan(values), 0, values), dtype="Int64").where(
            ~np.isnan(values), pd.NA
        )
    return pd.Series(values).astype(dtype).to_numpy()


_ALLOWED_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
    ast.Load,
)


def _parse_linear(expression):
    """``{column: coefficient}`` and the constant of a linear expression."""
    if not isinstance(expression, str) or not expression.strip():
        raise ValueError(
            f"A Formula expression must be a non-empty string like 'price + fee'; "
            f"got {expression!r}."
        )
    names = {}

    def quote(match_text):
        key = f"__column_{len(names)}__"
        # `0`, `1`: positions, the columns of an array.
        names[key] = int(match_text) if match_text.isdigit() else match_text
        return key

    text, parts, i = expression, [], 0
    while i < len(text):
        if text[i] == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ValueError(f"Formula expression {expression!r}: unclosed '`'.")
            parts.append(quote(text[i + 1 : end]))
            i = end + 1
        else:
            parts.append(text[i])
            i += 1
    try:
        tree = ast.parse("".join(parts), mode="eval")
    except SyntaxError as error:
        raise ValueError(
            f"Formula expression {expression!r} does not parse ({error.msg}); use "
            "column names, numbers, + - * / and parentheses, with column names "
            "that are not Python names in backticks."
        ) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ValueError(
                f"Formula expression {expression!r} holds {type(node).__name__}: "
                "only linear expressions of columns (+, -, * and / by numbers) "
                "are allowed."
            )

    def linear(node):
        if isinstance(node, ast.Expression):
            return linear(node.body)
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, int | float) or isinstance(node.value, bool):
                raise ValueError(
                    f"Formula expression {expression!r}: {node.value!r} is not a "
                    "number."
                )
            return {}, float(node.value)
        if isinstance(node, ast.Name):
            return {names.get(node.id, node.id): 1.0}, 0.0
        if isinstance(node, ast.UnaryOp):
            terms, constant = linear(node.operand)
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return {k: sign * v for k, v in terms.items()}, sign * constant
        left, right = linear(node.left), linear(node.right)
        if isinstance(node.op, ast.Add | ast.Sub):
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            terms = dict(left[0])
            for k, v in right[0].items():
                terms[k] = terms.get(k, 0.0) + sign * v
            return terms, left[1] + sign * right[1]
        if isinstance(node.op, ast.Mult):
            if left[0] and right[0]:
                raise ValueError(
                    f"Formula expression {expression!r} multiplies two columns; "
                    "only linear expressions are allowed."
                )
            terms, constant = (left[0], left[1]) if left[0] else right
            factor = right[1] if left[0] else left[1]
            return {k: v * factor for k, v in terms.items()}, constant * factor
        if right[0]:
            raise ValueError(
                f"Formula expression {expression!r} divides by a column; only "
                "linear expressions are allowed."
            )
        if right[1] == 0:
            raise ValueError(f"Formula expression {expression!r} divides by zero.")
        return {k: v / right[1] for k, v in left[0].items()}, left[1] / right[1]

    terms, constant = linear(tree)
    terms = {k: v for k, v in terms.items() if v != 0}
    if not terms:
        raise ValueError(
            f"Formula expression {expression!r} names no column; a constant "
            "column needs no rule."
        )
    return terms, constant


class Implication(Constraint):
    """If ``if_column`` is ``if_value``, ``then_column`` is ``then_value``.

    A value of None means missing, so null patterns are implications too:
    ``Implication("a", None, "b", None)`` says that ``b`` is missing where
    ``a`` is. Enforced exactly: the model learns the table as it is, and every
    drawn row where the condition holds gets ``then_value``, after the other
    rules are applied (implications compose, chains and mutual ones too).

    Parameters
    ----------
    if_column : str or int
        The column of the condition.
    if_value : scalar or None
        The value that triggers the rule (None: missing).
    then_column : str or int
        The column the rule sets.
    then_value : scalar or None
        Its value in those rows (None: missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Implication
    >>> X = pd.DataFrame({"previous": [0, 2, 0], "pdays": [-1, 30, 12]})
    >>> Implication("previous", 0, "pdays", -1).is_valid(X)
    array([ True,  True, False])
    """

    def __init__(self, if_column, if_value, then_column, then_value):
        self.if_column = if_column
        self.if_value = if_value
        self.then_column = then_column
        self.then_value = then_value

    @property
    def columns(self):
        return [self.if_column, self.then_column]

    def __str__(self):
        return (
            f"if {self.if_column} is {_shown(self.if_value)} then "
            f"{self.then_column} is {_shown(self.then_value)}"
        )

    def to_dict(self):
        return {
            "rule": "Implication",
            "if_column": _plain(self.if_column),
            "if_value": _plain(self.if_value),
            "then_column": _plain(self.then_column),
            "then_value": _plain(self.then_value),
        }

    def triggered(self, frame):
        """Find the rows of ``frame`` where the condition holds.

        Parameters
        ----------
        frame : DataFrame
            Rows with ``if_column``.

        Returns
        -------
        mask : ndarray of shape (n_samples,), dtype=bool
            True where ``if_column`` is ``if_value``.
        """
        return same_values(frame[self.if_column], self.if_value)

    def is_valid(self, X):
        frame = as_frame(X)
        for name in self.columns:
            _check_column(name, self, frame)
        return ~self.triggered(frame) | same_values(
            frame[self.then_column], self.then_value
        )

    # No transform: the model learns the table as it is (the rule's rows keep
    # their value, and with it the column's dependence on the others); the
    # inverse of every draw sets the value wherever the condition holds.

    def _fit(self, frame):
        self._dtype = frame[self.then_column].dtype
        return self

    def _inverse(self, frame):
        import pandas as pd

        triggered = self.triggered(frame)
        column = frame[self.then_column]
        if is_missing_value(self.then_value):
            if not _holds_missing(column):
                column = column.astype(_nullable(column.dtype))
            column = column.mask(triggered)
        else:
            if isinstance(column.dtype, pd.CategoricalDtype) and (
                self.then_value not in column.cat.categories
            ):
                column = column.cat.add_categories([self.then_value])
            column = column.mask(triggered, self.then_value)
            if not missing_mask(column).any():
                column = _restore_dtype(column, self._dtype)
        frame[self.then_column] = column
        return frame


def _holds_missing(column):
    import pandas as pd

    dtype = column.dtype
    return (
        dtype.kind in "fOMm"
        or isinstance(dtype, pd.CategoricalDtype)
        or isinstance(dtype, pd.api.extensions.ExtensionDtype)
    )


def _nullable(dtype):
    """A dtype of the same values that can hold a missing value."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if _is_integer_dtype(dtype):
        return "Int64"
    return object


def _restore_dtype(column, dtype):
    try:
        return column.astype(dtype)
    except (TypeError, ValueError):
        return column


class MutuallyExclusive(_ColumnsRule):
    """At most one of ``columns`` holds a value other than ``baseline`` in a row.

    Covers amounts that exclude one another: a capital gain and a capital
    loss are never both non-zero, a row has a refund or a charge. Enforced by
    rejection: drawn rows where two or more of the columns leave the baseline
    are drawn again. A missing value counts as the baseline.

    Parameters
    ----------
    columns : list of str or int
        Two or more columns.
    baseline : scalar, default=0
        The value the columns hold when they are not the one in use.

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import MutuallyExclusive
    >>> X = pd.DataFrame({"gain": [0, 500, 0], "loss": [0, 0, 120]})
    >>> rule = MutuallyExclusive(["gain", "loss"])
    >>> rule.is_valid(X)
    array([ True,  True,  True])
    >>> rule.is_valid(pd.DataFrame({"gain": [500], "loss": [120]}))
    array([False])
    """

    def __init__(self, columns, baseline=0):
        super().__init__(columns)
        self.baseline = baseline

    def __str__(self):
        names = ", ".join(map(str, self.columns_list))
        return f"at most one of {names} differs from {_shown(self.baseline)}"

    def to_dict(self):
        return {
            "rule": "MutuallyExclusive",
            "columns": _plain_list(self.columns),
            "baseline": _plain(self.baseline),
        }

    def is_valid(self, X):
        frame = as_frame(X)
        in_use = np.zeros(len(frame), dtype=np.intp)
        for name in self.columns:
            _check_column(name, self, frame)
            column = frame[name]
            in_use += ~(same_values(column, self.baseline) | missing_mask(column))
        return in_use <= 1


class Predicate(Constraint):
    """Any rule given as a function of a DataFrame that returns a boolean mask.

    Enforced by rejection: drawn rows that break it are drawn again, and an
    error names the rule when too few rows pass to fill the sample.

    Parameters
    ----------
    func : callable
        ``func(frame) -> array-like of bool``, True for the rows that satisfy
        the rule. ``frame`` has the columns of ``X`` (positions 0, 1, ... for
        an array).
    name : str, default=None
        How messages and reports name the rule (the function's name if None).
    columns : list, default=None
        The columns the function reads, when known (for reports).

    Examples
    --------
    >>> import pandas as pd
    >>> from sksynth.constraints import Predicate
    >>> rule = Predicate(lambda df: df["age"] >= 18, name="adults only")
    >>> rule.is_valid(pd.DataFrame({"age": [17, 30]}))
    array([False,  True])
    """

    def __init__(self, func, name=None, columns=None):
        if not callable(func):
            raise TypeError(
                f"Predicate needs a function of a DataFrame; got {type(func).__name__}."
            )
        self.func = func
        self.name = name
        self.columns_list = None if columns is None else list(columns)

    @property
    def columns(self):
        return [] if self.columns_list is None else list(self.columns_list)

    def __str__(self):
        return self.name or getattr(self.func, "__name__", "predicate")

    def to_dict(self):
        raise TypeError(
            f"Predicate {self} holds a Python function, which JSON cannot store; "
            "keep it in code."
        )

    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)

    def __deepcopy__(self, memo):
        # No fitted state: estimators share the one function.
        return self

    def is_valid(self, X):
        frame = as_frame(X)
        try:
            mask = np.asarray(self.func(frame))
        except KeyError as error:
            raise ValueError(
                f"Predicate {self} reads column {error.args[0]!r}, which is not a "
                f"column of X. Columns are {list(frame.columns)}; fix the function "
                "or drop the rule."
            ) from error
        if mask.shape != (len(frame),) or mask.dtype.kind != "b":
            raise ValueError(
                f"Predicate {self} must return one bool per row ({len(frame)}); got "
                f"an array of shape {mask.shape} and dtype {mask.dtype}."
            )
        return mask


# The members every rule overrides share the base class's documentation.
for _rule in (
    Inequality,
    Range,
    FixedCombinations,
    Formula,
    Implication,
    MutuallyExclusive,
    Predicate,
):
    for _member in ("is_valid", "to_dict"):
        getattr(_rule, _member).__doc__ = getattr(Constraint, _member).__doc__
    _rule.columns = property(_rule.columns.fget, doc=Constraint.columns.__doc__)
del _rule, _member

# The rules a dict (or a JSON file) can hold, by the name it gives.
_RULES = {
    rule.__name__: rule
    for rule in (
        Inequality,
        Range,
        FixedCombinations,
        Formula,
        Implication,
        MutuallyExclusive,
    )
}


def _parameters(rule_class):
    """The parameters of a rule's constructor, in order."""
    import inspect

    return inspect.signature(rule_class).parameters


def rule_from_dict(d):
    """A rule from its :meth:`Constraint.to_dict` form.

    Parameters
    ----------
    d : dict
        ``{"rule": name, ...}`` with the rule's parameters.

    Returns
    -------
    rule : Constraint
        The rule (a :class:`FixedCombinations` still to be fitted).

    See Also
    --------
    load_constraints : The rules of a JSON file, checked entry by entry.

    Examples
    --------
    >>> from sksynth.constraints import Inequality, rule_from_dict
    >>> rule_from_dict({"rule": "Inequality", "low": "start", "high": "end"})
    start <= end
    >>> rule_from_dict(Inequality("start", "end", strict=True).to_dict())
    start < end
    """
    name = d.get("rule") if isinstance(d, dict) else None
    if not isinstance(name, str) or name not in _RULES:
        known = sorted(_RULES)
        raise ValueError(
            f"Not a rule: {d!r}. A rule is a dict with 'rule' one of {known} and "
            "that rule's parameters."
        )
    parameters = _parameters(_RULES[name])
    for parameter in parameters.values():
        if parameter.default is parameter.empty and parameter.name not in d:
            raise ValueError(f"Rule {d!r} lacks the parameter {parameter.name!r}.")
    # Unknown keys are left out here (load_constraints reports them).
    given = {key: _from_plain(d[key]) for key in parameters if key in d}
    return _RULES[name](**given)
