"""Widening a schema learnt on part of a table with what the other parts hold.

A fit out of core (``partial_fit`` on chunks, ``fit`` on a Dask DataFrame)
learns the schema of a table on one part of it (the first chunk, or a sample)
and widens it with every other part: categories seen later are appended
(codes of the earlier ones never change, so rows encoded before stay valid),
numeric ranges grow to the smallest and largest values, and a discrete
column takes the values seen later too, until it holds too many of them for
a discrete column and becomes a lattice (whole numbers, dates in their unit)
or a continuous column. Kinds (number, date, category, identifier) stay as
the first part decided them.
"""

from dataclasses import dataclass, field, replace

import numpy as np

from ._columns import (
    CATEGORICAL,
    CONTINUOUS,
    IDENTIFIER,
    LATTICE,
    Support,
    _decimal_places,
    is_whole,
)
from ._containers import is_dataframe

# A discrete column keeps at most this many values when widened (the values of
# a grid such as interest rates); beyond, it becomes a lattice or continuous.
MAX_WIDENED_VALUES = 1000


@dataclass
class Widening:
    """What parts of a table add to a schema, column by column (mergeable).

    Attributes
    ----------
    levels : dict
        New categories of a categorical column, in order of first sight.
    low, high : dict
        Smallest and largest encoded value of a numeric column.
    values : dict
        Distinct encoded values of a discrete column (None once there are
        more than ``MAX_WIDENED_VALUES``).
    decimals : dict
        Decimal places a lattice column needs (None: more than a lattice
        holds, the column becomes continuous).
    """

    levels: dict = field(default_factory=dict)
    low: dict = field(default_factory=dict)
    high: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    decimals: dict = field(default_factory=dict)

    def merge(self, other):
        """The widening of both parts (``self`` first, then ``other``)."""
        levels = {j: list(v) for j, v in self.levels.items()}
        for j, new in other.levels.items():
            seen = levels.setdefault(j, [])
            known = set(seen)
            seen.extend(v for v in new if v not in known)
        low = {**self.low}
        for j, v in other.low.items():
            low[j] = np.fmin(low.get(j, np.nan), v)
        high = {**self.high}
        for j, v in other.high.items():
            high[j] = np.fmax(high.get(j, np.nan), v)
        values = {**self.values}
        for j, v in other.values.items():
            values[j] = _union(values.get(j, np.zeros(0)), v)
        decimals = {**self.decimals}
        for j, v in other.decimals.items():
            old = decimals.get(j, 0)
            decimals[j] = None if v is None or old is None else max(old, v)
        return Widening(levels, low, high, values, decimals)


def _union(a, b):
    if a is None or b is None:
        return None
    union = np.union1d(a, b)
    return None if union.size > MAX_WIDENED_VALUES else union


def widening_of(schema, X):
    """What the table ``X`` (laid out as ``schema``) adds to it.

    Returns the widening and the encoded values of ``X`` (with categories not
    in ``schema`` encoded -1: encode again with the widened schema).
    """
    values = schema.encode(X)
    widening = Widening()
    for k, j in enumerate(schema.modelled):
        spec = schema.columns[j]
        column = values[:, k]
        if spec.kind == CATEGORICAL:
            unseen = column == -1
            if unseen.any():
                widening.levels[k] = _new_levels(X, j, unseen)
            continue
        if not spec.is_numeric:
            continue
        observed = column[~np.isnan(column)]
        if observed.size == 0:
            continue
        widening.low[k], widening.high[k] = observed.min(), observed.max()
        if spec.is_discrete:
            new = observed[~spec.support.contains(observed)]
            if new.size:
                widening.values[k] = _union(np.zeros(0), np.unique(new))
                widening.decimals[k] = _decimal_places(new, spec.dtype)
        elif spec.support is not None and spec.support.kind == LATTICE:
            if not spec.support.contains(observed).all():
                # Whole numbers off a grid of hundreds need no decimals.
                widening.decimals[k] = (
                    0 if is_whole(observed) else _decimal_places(observed, spec.dtype)
                )
    return widening, values


def _new_levels(X, j, unseen):
    """Distinct raw values of column ``j`` in the rows ``unseen``, in order of
    first sight."""
    if is_dataframe(X):
        raw = X.iloc[:, j].to_numpy(dtype=object)[unseen]
    else:
        raw = np.asarray(np.asarray(X)[unseen, j], dtype=object)  # those cells only
    return list(dict.fromkeys(raw.tolist()))


def widen(schema, widening):
    """A copy of ``schema`` widened as ``widening`` says (the schema itself is
    left as it is: models fitted with it keep their layout)."""
    if not (widening.levels or widening.low or widening.values or widening.decimals):
        return schema
    columns = list(schema.columns)
    for k, j in enumerate(schema.modelled):
        spec = columns[j]
        if spec.kind == IDENTIFIER:
            continue
        changes = {}
        if k in widening.levels:
            changes.update(_with_levels(spec, widening.levels[k]))
        if k in widening.low:
            changes["low"] = float(np.fmin(spec.low, widening.low[k]))
            changes["high"] = float(np.fmax(spec.high, widening.high[k]))
        if spec.is_discrete and k in widening.values:
            changes["support"] = _widened_support(
                spec, widening.values[k], widening.decimals.get(k, 0)
            )
        elif k in widening.decimals:
            changes["support"] = _finer_lattice(spec, widening.decimals[k])
        if changes:
            columns[j] = replace(spec, **changes)
    widened = type(schema).__new__(type(schema))
    widened.__dict__.update(schema.__dict__)
    widened.columns = columns
    return widened


def _with_levels(spec, new):
    known = set(np.asarray(spec.categories, dtype=object).tolist())
    new = [v for v in new if v not in known]
    if not new:
        return {}
    categories = np.asarray(spec.categories)
    if categories.dtype.kind != "O":
        try:
            added = np.asarray(new, dtype=categories.dtype)
        except (TypeError, ValueError):
            added = np.asarray(new, dtype=object)
            categories = categories.astype(object)
    else:
        added = np.empty(len(new), dtype=object)
        added[:] = new
    changes = {"categories": np.concatenate([categories, added])}
    dtype = spec.dtype
    if type(dtype).__name__ == "CategoricalDtype":
        import pandas as pd

        missing = [v for v in new if v not in set(dtype.categories.tolist())]
        if missing:
            changes["dtype"] = pd.CategoricalDtype(
                [*dtype.categories.tolist(), *missing], ordered=dtype.ordered
            )
    return changes


def _widened_support(spec, values, decimals):
    """The support of a discrete column with the ``values`` seen later (None:
    more than ``MAX_WIDENED_VALUES``), which need ``decimals`` places: the
    same values and the new ones, or, past ``MAX_WIDENED_VALUES`` new ones,
    the lattice they lie on (whole numbers, or the decimals of all the
    values) or a continuous support."""
    support = spec.support
    if values is not None:
        union = np.union1d(support.values, values)
        if union.size <= support.values.size + MAX_WIDENED_VALUES:
            return replace(support, values=union)
    if spec.kind != CONTINUOUS:  # whole numbers, dates in their unit
        return Support(LATTICE, decimals=0, declared=support.declared)
    places = _decimal_places(support.values, spec.dtype)
    if places is None or decimals is None:
        return Support(declared=support.declared)
    return Support(LATTICE, decimals=max(places, decimals), declared=support.declared)


def _finer_lattice(spec, decimals):
    support = spec.support
    if decimals is None:
        return Support(declared=support.declared)
    return replace(support, decimals=max(support.decimals, decimals))
