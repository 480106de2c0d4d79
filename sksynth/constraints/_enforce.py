"""Enforcing rules around any synthesizer: transform, inverse, rejection.

A :class:`RuleSet` fitted on the training table turns it into the table the
model learns (each rule with a transform replaces its columns: a difference
for an inequality, one column of combinations, a dropped formula column, a
value left to an implication), and turns drawn rows back into rows of the
training layout that satisfy those rules exactly. Rules with no transform,
and rules whose transform would clash with another's (two rules setting one
column, or a cycle), are enforced by rejection: rows that break them are
drawn again, within a bounded number of rounds.
"""

import copy
import numbers

import numpy as np

from .._data import is_dataframe, is_missing_value
from ._checks import check_rules
from ._frames import as_frame, import_pandas, kind_of, missing_mask, same_values
from ._rules import (
    Constraint,
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    MutuallyExclusive,
    Range,
    _cast,
    _is_integer_dtype,
    _is_label,
    _restore_dtype,
)

# Rejection: rounds of drawing, and the least acceptance rate worth trying.
_MAX_ROUNDS = 20
_MIN_ACCEPTANCE = 0.01
# A model that learns the columns as found (the forests) keeps the orders it
# found by linking (see _with_linked_groups) by rejection, unless
# independent columns would break one of them in at least this share of the
# pairs of rows: then its draws break it often (computer activity's
# page-outs and pages paged out, 0.30; page-ins 0.44), and the rows kept
# over-represent those that keep it trivially (no page-outs: 0.612 of the
# forest's rows against 0.587 of the real ones), so the model learns the
# higher columns as their differences to the lower ones instead. Seeds 0 to
# 2 of the benchmark: computer activity's detection AUC 0.622 against 0.656
# (0.742 against 0.754 on held-out rows), TSTR 0.945 against 0.946.
# California housing's bedrooms and rooms (0.054) stay with rejection,
# whose rows were the harder to detect (0.539 against 0.549 with the
# difference). All the orders of a table or none: on breast cancer (four
# of eleven orders at 0.27 to 0.38), the tight ones alone as differences
# gave 0.633 against held-out rows (seeds 0 to 5), all of them 0.597, none
# 0.604.
_TIGHT_ORDER = 0.25


class GapTransform:
    """``high`` as its difference to its closest lower bound.

    The lower bounds of one column (columns and constants, from one or more
    :class:`Inequality` rules) are enforced together. The model learns
    ``high - low`` for the bound whose difference to ``high`` varies least
    in ``fit`` (the floor area of a house over its first floor, not over its
    unfinished basement: that difference is the second floor, which the
    other columns explain); a drawn difference is raised to at least 0 (the
    smallest positive difference seen when a rule is strict), and ``high``
    is then raised to its other bounds where they are higher. Rows with no
    value of that bound use a fixed reference (its median), so the round
    trip is exact in every row that keeps the rules.
    """

    def __init__(self, high, rules, keep_range=True):
        self.high = high
        self.rules = rules
        self.keep_range = keep_range

    def __str__(self):
        return " and ".join(str(rule) for rule in self.rules)

    def _reads(self):
        return [r.low for r in self.rules if r._low_column]

    def _writes(self):
        return [self.high]

    def _bounds(self, frame):
        """The bound the difference is taken to (NaN / NaT where missing)."""
        return self.rules[self._primary].values(frame)[0]

    def _all_bounds(self, frame):
        """Row-wise largest present lower bound (NaN / NaT where none)."""
        pd = import_pandas()
        lows = [r.values(frame)[0] for r in self.rules]
        table = pd.concat(
            [low.reset_index(drop=True) for low in lows], axis=1, ignore_index=True
        )
        bound = table.max(axis=1, skipna=True)
        bound.index = frame.index
        return bound

    def _spread(self, rule, frame):
        """Variance of ``high - low`` over the rows with both (inf if none)."""
        low, high = rule.values(frame)
        both = ~(missing_mask(low) | missing_mask(high))
        if both.sum() < 2:
            return np.inf
        difference = (
            (high[both] - low[both])
            if self._time
            else (high[both].astype(float) - low[both].astype(float))
        )
        if self._time:
            difference = difference.dt.total_seconds()
        return float(np.var(np.asarray(difference, dtype=float)))

    def _fit(self, frame):
        pd = import_pandas()
        for rule in self.rules:
            rule._low_column = rule.low_is_column(frame)
        high = frame[self.high]
        self._dtype = high.dtype
        self._time = pd.api.types.is_datetime64_any_dtype(high.dtype)
        spreads = [self._spread(rule, frame) for rule in self.rules]
        self._primary = int(np.argmin(spreads))
        bound = self._bounds(frame)
        present = ~missing_mask(bound)
        if present.any():
            self._reference = bound[present].sort_values().iloc[present.sum() // 2]
        elif self._time:
            self._reference = pd.Timestamp(
                "2000-01-01", tz=getattr(self._dtype, "tz", None)
            )
        else:
            self._reference = 0.0
        present_high = high[~missing_mask(high)]
        if len(present_high):
            self._high_range = (present_high.min(), present_high.max())
        else:
            self._high_range = None
        gap = self._gap(frame)
        kept = gap[~missing_mask(gap)]
        strict = any(rule.strict for rule in self.rules)
        zero = pd.Timedelta(0) if self._time else 0.0
        positive = kept[kept > zero]
        if not strict:
            self._min_gap = zero
        elif len(positive):
            self._min_gap = positive.min()
        elif self._time:
            self._min_gap = pd.Timedelta(1, "s")
        else:
            self._min_gap = 1.0 if _is_integer_dtype(self._dtype) else 1e-9
        return self

    def _span(self, frame):
        """``(smallest, largest)`` of the high column in ``frame`` and its
        smallest positive gap (None where there is none): what a later part
        of a table adds to the fit (see :meth:`RuleSet.extension`)."""
        high = frame[self.high]
        present = high[~missing_mask(high)]
        low_end, high_end = (
            (present.min(), present.max()) if len(present) else (None,) * 2
        )
        gap = self._gap(frame)
        kept = gap[~missing_mask(gap)]
        zero = import_pandas().Timedelta(0) if self._time else 0.0
        positive = kept[kept > zero]
        return low_end, high_end, positive.min() if len(positive) else None

    def _widen(self, span):
        """Widen the range of the high column and lower the least gap by a
        :meth:`_span`."""
        low_end, high_end, least = span
        if low_end is not None and self._high_range is not None:
            old_low, old_high = self._high_range
            self._high_range = (min(old_low, low_end), max(old_high, high_end))
        elif low_end is not None:
            self._high_range = (low_end, high_end)
        strict = any(rule.strict for rule in self.rules)
        if strict and least is not None and least < self._min_gap:
            self._min_gap = least

    def _gap(self, frame):
        bound = self._bounds(frame)
        bound = bound.where(~missing_mask(bound), self._reference)
        high = frame[self.high]
        if self._time:
            return high - bound
        return high.astype(float) - bound.astype(float)

    def _transform(self, original, out):
        gap = self._gap(original)
        out = out.copy()
        if not self._time and _is_integer_dtype(self._dtype):
            values = gap.to_numpy(dtype=float, na_value=np.nan)
            whole = np.isnan(values) | (values == np.round(values))
            if whole.all():
                gap = _cast(values, self._dtype)
        out[self.high] = gap
        return out

    def _inverse(self, frame):
        pd = import_pandas()
        gap = frame[self.high]
        gap = pd.to_timedelta(gap) if self._time else gap.astype(float)
        bound = self._bounds(frame)
        # Raised to the least gap where a bound is there (elsewhere the rule
        # says nothing and the reference stands in).
        free = missing_mask(gap) | missing_mask(bound)
        gap = gap.where(free | np.asarray(gap >= self._min_gap), self._min_gap)
        bound = bound.where(~missing_mask(bound), self._reference)
        high = bound + gap if self._time else bound.astype(float) + gap
        # The other bounds: ``high`` raised to the largest where it is below.
        bound = self._all_bounds(frame)
        has_bound = ~missing_mask(bound)
        if not self._time:
            bound = bound.astype(float)
        least = bound + self._min_gap
        below = has_bound & ~missing_mask(high) & np.asarray(high < least)
        high = high.where(~below, least)
        if self.keep_range and self._high_range is not None:
            # Inside the range ``high`` held in fit, as the synthesizers keep
            # every column (``enforce_range``), and never below the bound.
            low_end, high_end = self._high_range
            if not self._time:
                low_end, high_end = float(low_end), float(high_end)
            least = (bound + self._min_gap).where(has_bound, low_end)
            lower = least.where(least > low_end, low_end)
            upper = least.where(least > high_end, high_end)
            present = ~missing_mask(high)
            high = high.where(~present | (high >= lower), lower)
            high = high.where(~present | (high <= upper), upper)
        if not self._time:
            values = high.to_numpy(dtype=float, na_value=np.nan)
            if _is_integer_dtype(self._dtype):
                values = np.ceil(values - 1e-9)
            high = pd.Series(_cast(values, self._dtype), index=frame.index)
        frame[self.high] = _restore_dtype(high, self._dtype)
        return frame


def _spread(values):
    """Variance of a numeric or time Series (seconds), NaN-free."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = (values - values.min()).dt.total_seconds()
    elif pd.api.types.is_timedelta64_dtype(values.dtype):
        values = values.dt.total_seconds()
    return float(np.var(np.asarray(values, dtype=float)))


def _repairs(rule, frame):
    """Whether an inequality between two columns is kept by repair rather
    than by modelling the difference: when ``high - low`` varies more than
    ``high`` itself, ``low`` explains little of ``high`` and the difference
    is the harder column to model (Ames: the unfinished basement area under
    the whole basement area, 1.19 times the variance; the first floor under
    the living area, 0.73: a difference that is the second floor)."""
    if not rule.low_is_column(frame):
        return False
    low, high = rule.values(frame)
    both = ~(missing_mask(low) | missing_mask(high))
    if both.sum() < 2:
        return False
    low, high = low[both], high[both]
    try:
        difference = high - low if hasattr(high, "dt") else high.astype(float) - low
    except TypeError:
        return False
    spread_high = _spread(high)
    return spread_high > 0 and _spread(difference) >= spread_high


class Repair:
    """An inequality kept by moving, in the drawn rows that break it, the
    column of smaller spread to the other (the unfinished basement area down
    to the whole basement area; a year of remodelling up to the year built):
    the equality it makes is common in real tables, and the column of wider
    spread, which carries more of the table, is left as drawn."""

    def __init__(self, rule):
        self.rule = rule

    def __str__(self):
        return str(self.rule)

    def fit(self, frame):
        low, high = self.rule.values(frame)
        both = ~(missing_mask(low) | missing_mask(high))
        self.moves_low = _spread(low[both]) <= _spread(high[both])
        self.column = self.rule.low if self.moves_low else self.rule.high
        self._step = None
        if self.rule.strict:
            # The smallest positive difference seen in fit.
            time = hasattr(high, "dt")
            if time:
                gap = (high[both] - low[both]).dt.total_seconds()
            else:
                gap = high[both].astype(float) - low[both].astype(float)
            positive = np.asarray(gap, dtype=float)
            positive = positive[positive > 0]
            step = float(positive.min()) if positive.size else 1.0
            self._step = import_pandas().Timedelta(seconds=step) if time else step
        return self

    def _inverse(self, frame):
        low, high = self.rule.values(frame)
        both = ~(missing_mask(low) | missing_mask(high))
        broken = both & ~self.rule.is_valid(frame)
        if not broken.any():
            return frame
        if self.moves_low:
            target = high if self._step is None else high - self._step
        else:
            target = low if self._step is None else low + self._step
        column = frame[self.column]
        frame[self.column] = _restore_dtype(column.mask(broken, target), column.dtype)
        return frame


class UpperClip:
    """``column <= constant`` (the high end of a :class:`Range`): drawn values
    above it are set to it."""

    def __init__(self, column, bound, strict, rule):
        self.column, self.bound, self.strict, self.rule = column, bound, strict, rule

    def __str__(self):
        return str(self.rule)

    def _inverse(self, frame):
        pd = import_pandas()
        values = frame[self.column]
        bound = self.bound
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            bound = pd.Timestamp(bound)
        above = ~missing_mask(values) & np.asarray(values > bound, dtype=bool)
        if above.any():
            frame[self.column] = values.mask(above, bound)
        return frame


def _units(rules, frame):
    """The transforms of ``rules`` in the order the rules are given (the
    inequalities of one column together, where the first of them is), the
    clips of constant upper ends, and the rules left to rejection."""
    units, clips, rejected, gaps, implications = [], [], [], {}, []
    for rule in rules:
        parts = rule.inequalities() if isinstance(rule, Range) else [rule]
        for part in parts:
            if getattr(part, "rejected_", False):
                rejected.append((part, "rows that break it are drawn again"))
            elif isinstance(part, Inequality):
                if not (_is_label(part.high) and part.high in frame.columns):
                    clips.append(UpperClip(part.low, part.high, part.strict, rule))
                elif _repairs(part, frame):
                    clips.append(Repair(part).fit(frame))
                elif part.high in gaps:
                    gaps[part.high].rules.append(part)
                else:
                    gaps[part.high] = GapTransform(part.high, [part])
                    units.append(gaps[part.high])
            elif isinstance(part, Implication):
                implications.append(part)
            elif part._has_transform:
                units.append(part)
            elif isinstance(part, MutuallyExclusive):
                rejected.append((part, "rows with two in use are drawn again"))
            else:
                rejected.append((part, "it has no transform"))
    # Implications on a cycle (previous 0 exactly when pdays is -1): setting
    # one side of a broken row would pick a direction at random and erase
    # what the model drew (a success of an earlier campaign, set to
    # "nonexistent"), so those rows are drawn again.
    cyclic = _on_cycles(implications)
    for rule in implications:
        if id(rule) in cyclic:
            rejected.append((rule, "it forms a cycle with other implications"))
        else:
            rule._fit(frame)
            clips.append(Consequence(rule))
    # Rules that fix a column outright come first when two would set it: a
    # formula, then combinations, and inequalities last (the inequality a
    # formula of positive terms implies is kept by rejection).
    units.sort(key=lambda unit: _PRIORITY.get(type(unit), len(_PRIORITY)))
    return units, clips, rejected


def _on_cycles(implications):
    """Ids of the implications whose ``then_column`` leads back, through
    implications, to their ``if_column``."""
    edges = {}
    for rule in implications:
        edges.setdefault(rule.if_column, set()).add(rule.then_column)

    def reaches(start, goal):
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node in seen:
                continue
            seen.add(node)
            stack.extend(edges.get(node, ()))
        return False

    return {id(r) for r in implications if reaches(r.then_column, r.if_column)}


class Consequence:
    """An implication, applied after every transform is inverted: the drawn
    rows where its condition holds get its value. Implications compose with
    any rule on their column (a row a later step breaks is drawn again) and
    are applied as often as there are implications, so chains of them hold."""

    def __init__(self, rule):
        self.rule = rule
        self.column = rule.then_column

    def __str__(self):
        return str(self.rule)

    def _inverse(self, frame):
        return self.rule._inverse(frame)


def _check_kinds(rule, frame):
    """An inequality compares two number or two date columns (or a column
    and a constant of its kind); a formula sums number columns; an
    implication sets a number or date column to a value of its kind."""
    if isinstance(rule, Formula):
        for name in rule.columns:
            kind = kind_of(frame[name])
            if kind != "number":
                raise ValueError(
                    f"Rule '{rule}' sums column {name!r}, which holds {kind}, not "
                    "numbers: a formula takes number columns; fix the rule or drop "
                    "it."
                )
    if isinstance(rule, Implication):
        column = _side(rule.then_column, frame)
        value = _constant(rule.then_value)
        if column[0] in ("number", "date") and not is_missing_value(rule.then_value):
            if value[0] != column[0]:
                raise ValueError(
                    f"Rule '{rule}' sets {column[1]} to {value[1]}, a value the "
                    "column cannot hold; give a value of its kind (a date as "
                    "pd.Timestamp) or drop the rule."
                )
    if not isinstance(rule, Inequality | Range):
        return
    for part in rule.inequalities() if isinstance(rule, Range) else [rule]:
        low, high = _side(part.low, frame), _side(part.high, frame)
        if low[0] != high[0] or low[0] not in ("number", "date"):
            raise ValueError(
                f"Rule '{rule}' compares {low[1]} with {high[1]}: an inequality "
                "needs two number columns or two date columns, or a column and a "
                "constant of its kind (a date as pd.Timestamp); fix the rule or "
                "drop it."
            )


def _side(value, frame):
    """What one side of an inequality holds, and how a message names it."""
    if _is_label(value) and value in frame.columns:
        kind = kind_of(frame[value])
        return kind, f"column {value!r} ({kind})"
    return _constant(value)


def _constant(value):
    """What a constant of a rule is, and how a message names it."""
    import datetime

    if isinstance(value, datetime.date | np.datetime64):
        kind = "date"
    elif isinstance(value, numbers.Real):
        kind = "number"
    else:
        kind = type(value).__name__
    return kind, f"the constant {value!r} ({kind})"


def fit_rules(constraints, X, keep_range=True, linking=None):
    """The :class:`RuleSet` of an estimator's ``constraints`` fitted on
    ``X`` (None without rules); ``keep_range``: the estimator's
    ``enforce_range``; ``linking``: None, or what the estimator links (see
    :func:`~sksynth.constraints._linked.linking_of`): a
    :class:`FixedCombinations` rule is added for each group of the other
    columns the data link (unless it does not merge columns), a
    :class:`MutuallyExclusive` rule for each group of amounts, and an
    :class:`Inequality` rule for each pair of columns in an order no row
    breaks and an :class:`Implication` for each baseline that implies
    another (both kept by rejection when it does not merge columns), among
    the columns no other rule reads."""
    if constraints is None:
        rules = []
    elif isinstance(constraints, str):
        from ._detect import detect_constraints

        rules = detect_constraints(X)
    else:
        rules = list(constraints)
    if linking is not None:
        rules = _with_linked_groups(rules, X, linking, isinstance(constraints, str))
    if not rules:
        return None
    return RuleSet(rules, keep_range).fit(X)


def _with_linked_groups(rules, X, linking, detected):
    """``rules`` and a :class:`FixedCombinations` rule for each group of
    columns the data link, and a :class:`MutuallyExclusive` rule for each
    group of amounts that exclude one another, among the columns
    ``linking`` does not keep that no rule reads but a detected implication
    (no :class:`FixedCombinations` when ``linking.merge`` is False), and an
    :class:`Inequality` rule for each pair of the other number (or date)
    columns in an order no row breaks (see
    :func:`~sksynth.constraints._linked.ordered_columns`), and an
    :class:`Implication` for each baseline that implies another (see
    :func:`~sksynth.constraints._linked.baseline_implications`).

    Detected rules (``constraints="auto"``) leave their columns to the
    groups: an implication between two columns of one group that every
    training row keeps is dropped, since the group's combinations keep it
    (and model the columns jointly, where the implication would set one from
    the other), as :func:`~sksynth.constraints.detect_constraints` drops
    those inside its fixed combinations. One that a few training rows break
    stays, applied after the group (implications come after every other
    rule), so that every synthetic row still keeps it.
    """
    from ._linked import linked_columns, rules_beside_groups

    def columns_of(rule):
        return set(getattr(rule, "columns", None) or ())

    taken = set(linking.kept)
    for rule in rules:
        if not (detected and isinstance(rule, Implication)):
            taken.update(columns_of(rule))
    groups = linked_columns(X, taken) if linking.merge else []
    if detected and groups:
        frame = as_frame(X)
        rules = [
            rule
            for rule in rules
            if not (
                isinstance(rule, Implication)
                and any(columns_of(rule) <= set(group) for group in groups)
                and rule.is_valid(frame).all()
            )
        ]
    out = list(rules)
    found = [FixedCombinations(group) for group in groups]
    amounts, others = rules_beside_groups(X, taken, groups, rules)
    # A model that learns the columns as found (the forests) keeps
    # implications, and orders its columns rarely break, by drawing the rows
    # that break them again; where one order is tight, it learns the orders
    # as the others do: the higher column as its difference to the lower
    # one. The others also set what an implication implies (or draw again
    # the rows that break implications on a cycle).
    gaps = linking.merge or any(_tight_order(rule) for rule in others)
    for rule in others:
        rule.rejected_ = not (gaps and isinstance(rule, Inequality) or linking.merge)
    found += amounts + others
    for rule in found:
        rule.linked_ = True  # found by linking, not given: messages say so
        out.append(rule)
    return out


def _tight_order(rule):
    """Whether ``rule`` is an order linking found that independent columns
    would break in at least _TIGHT_ORDER of the pairs of rows: drawing the
    rows that break it again would then reshape what is kept."""
    return getattr(rule, "break_share_", 0.0) >= _TIGHT_ORDER


_PRIORITY = {Formula: 0, FixedCombinations: 1, GapTransform: 2}


def merge_extensions(*extensions):
    """One :meth:`RuleSet.extension` of several parts of a table."""
    pd = import_pandas()
    rows = [e["rows"] for e in extensions if e["rows"] is not None]
    merged_rows = None
    if rows:
        merged_rows = pd.concat(rows, ignore_index=True)
        merged_rows = merged_rows.iloc[np.flatnonzero(~merged_rows.duplicated())]
    spans = {}
    for extension in extensions:
        for i, (low, high, least) in extension["spans"].items():
            if i not in spans:
                spans[i] = (low, high, least)
                continue
            old_low, old_high, old_least = spans[i]
            spans[i] = (
                _least(old_low, low),
                _most(old_high, high),
                _least(old_least, least),
            )
    return {"rows": merged_rows, "spans": spans}


def _least(a, b):
    return b if a is None else a if b is None else min(a, b)


def _most(a, b):
    return b if a is None else a if b is None else max(a, b)


class RuleSet:
    """Rules fitted on a training table, enforced around a synthesizer.

    Parameters
    ----------
    rules : list of Constraint
        The rules.
    """

    def __init__(self, rules, keep_range=True):
        # Copies: fitting learns state (the combinations seen), which must not
        # leak into the user's rule objects or another estimator's.
        self.rules = [copy.deepcopy(rule) for rule in rules]
        self.keep_range = keep_range

    def fit(self, X):
        """Check the rules against ``X`` and prepare their transforms."""
        frame = as_frame(X)
        self._container = "pandas" if is_dataframe(X) else "numpy"
        self._dtype = None if is_dataframe(X) else np.asarray(X).dtype
        self._columns = list(frame.columns)
        self._dtypes = frame.dtypes
        for rule in self.rules:
            if not isinstance(rule, Constraint):
                raise TypeError(
                    "`constraints` holds "
                    f"{type(rule).__name__}, which is not a rule; use the rules of "
                    "sksynth.constraints (Inequality, Range, FixedCombinations, "
                    "Formula, Implication, MutuallyExclusive, Predicate)."
                )
            for name in rule._unknown_columns(frame.columns):
                bound = (
                    " (a constant bound is a number or a date such as "
                    "pd.Timestamp('2020-01-01'), not a string)"
                    if isinstance(rule, Inequality | Range)
                    else ""
                )
                raise ValueError(
                    f"Rule '{rule}' names column {name!r}, which is not a column "
                    f"of X. Columns are {list(frame.columns)}; fix the rule or "
                    f"drop it{bound}."
                )
        for rule in self.rules:
            _check_kinds(rule, frame)
        check_rules(self.rules, frame)
        units, clips, rejected = _units(self.rules, frame)
        for unit in units:
            if isinstance(unit, GapTransform):
                unit.keep_range = self.keep_range
            unit._fit(frame)
        self._units, self._rejected = _order(units, rejected)
        self._clips = clips
        names = [
            unit.merged_name
            for unit in self._units
            if isinstance(unit, FixedCombinations)
        ]
        clash = [name for name in names if name in frame.columns]
        if clash:
            raise ValueError(
                f"The column of combinations {clash[0]!r} would take the name of a "
                "column of X; rename that column."
            )
        return self

    @property
    def n_columns(self):
        """Number of columns of the training table."""
        return len(self._columns)

    @property
    def checked_rules(self):
        """Rules to check on drawn rows: those enforced by rejection, the
        implications, and the rules on a column an implication or a clip
        sets after the transforms are inverted."""
        rules = [rule for rule, _ in self._rejected]
        touched = {clip.column for clip in self._clips}
        for rule in self.rules:
            if any(rule is kept for kept in rules):
                continue
            if isinstance(rule, Implication) or touched & set(rule.columns):
                rules.append(rule)
        return rules

    @property
    def rejection_rules(self):
        """Rules enforced by rejection, with the reason."""
        return list(self._rejected)

    def describe(self):
        """One line per rule, in the order given: the rule and how it is
        enforced."""
        how = {}
        for unit in self._units:
            if isinstance(unit, GapTransform):
                for rule in unit.rules:
                    how[id(rule)] = _how_linked(
                        rule, f"models {unit.high} minus its lower bound"
                    )
            elif isinstance(unit, FixedCombinations):
                n = len(unit.combinations_)
                how[id(unit)] = _how_linked(
                    unit, f"models one column of the {n} combinations seen"
                )
            elif isinstance(unit, Formula):
                how[id(unit)] = f"computes {unit.column}"
            else:
                how[id(unit)] = f"sets {unit.then_column}"
        for clip in self._clips:
            if isinstance(clip, Repair):
                other = clip.rule.high if clip.moves_low else clip.rule.low
                how[id(clip.rule)] = _how_linked(
                    clip.rule,
                    f"moves {clip.column} to {other} in the rows that break it",
                )
            elif not isinstance(clip, Consequence):
                how.setdefault(id(clip.rule), f"clips {clip.column}")
            elif is_missing_value(clip.rule.then_value):
                how[id(clip.rule)] = f"sets {clip.column} missing"
            else:
                how[id(clip.rule)] = f"sets {clip.column}"
        for rule, why in self._rejected:
            how[id(rule)] = _how_linked(rule, f"rejection: {why}")
        lines = []
        for rule in self.rules:
            parts = rule.inequalities() if isinstance(rule, Range) else [rule]
            ways = [how[id(p)] for p in parts if id(p) in how]
            ways += [how[id(rule)]] if id(rule) in how and rule not in parts else []
            lines.append(f"{rule}  ({'; '.join(dict.fromkeys(ways))})")
        return lines

    def extension(self, X):
        """What a later part ``X`` of a table adds to the fitted rules (out of
        core: ``partial_fit`` chunks, Dask partitions): the rows of
        combinations its :class:`FixedCombinations` rules have not seen, and
        the range of each modelled inequality's high column and its smallest
        positive gap. Merge with :func:`merge_extensions`, apply with
        :meth:`extend`."""
        frame = as_frame(X)
        spans = {
            i: unit._span(frame)
            for i, unit in enumerate(self._units)
            if isinstance(unit, GapTransform)
        }
        return {"rows": self.unseen_combinations(frame), "spans": spans}

    def extend(self, extension):
        """Take in an :meth:`extension`: new combinations after the others
        (codes of those seen do not move), wider ranges; returns the number of
        combinations added."""
        for i, span in extension["spans"].items():
            self._units[i]._widen(span)
        rows = extension["rows"]
        if rows is None:
            return 0
        return sum(
            unit._extend(rows)
            for unit in self._units
            if isinstance(unit, FixedCombinations)
        )

    def unseen_combinations(self, X):
        """The rows of ``X`` (columns of the :class:`FixedCombinations`
        rules only, one row per combination) that bring a combination not
        seen yet; None when there is none."""
        frame = as_frame(X)
        units = [u for u in self._units if isinstance(u, FixedCombinations)]
        unseen = np.zeros(len(frame), dtype=bool)
        for unit in units:
            unseen |= unit._codes(frame) < 0
        if not unseen.any():
            return None
        columns = list(dict.fromkeys(c for unit in units for c in unit.columns))
        rows = frame.loc[unseen, columns]
        return rows.iloc[np.flatnonzero(~rows.duplicated())]

    def transform(self, X):
        """The table the model learns: a DataFrame."""
        original = as_frame(X)
        out = original
        for unit in self._units:
            out = unit._transform(original, out)
        return out

    def inverse_transform(self, frame):
        """Rows of the training layout (container, columns, dtypes)."""
        # The one copy: each inverse sets columns of the frame it is given.
        out = frame.copy()
        for unit in reversed(self._units):
            out = unit._inverse(out)
        for clip in self._clips:
            if not isinstance(clip, Consequence):
                out = clip._inverse(out)
        patterns = [clip for clip in self._clips if isinstance(clip, Consequence)]
        for _ in patterns:
            for pattern in patterns:
                out = pattern._inverse(out)
        out = out[self._columns]
        for name in self._columns:
            if (
                out[name].dtype != self._dtypes[name]
                and not missing_mask(out[name]).any()
            ):
                out[name] = _restore_dtype(out[name], self._dtypes[name])
        if self._container == "numpy":
            return out.to_numpy(dtype=self._dtype)
        return out

    def is_valid(self, X, rules=None):
        """Rows that satisfy every rule (or those of ``rules``)."""
        frame = as_frame(X)
        valid = np.ones(len(frame), dtype=bool)
        for rule in self.rules if rules is None else rules:
            valid &= rule.is_valid(frame)
        return valid

    def transform_conditions(self, conditions):
        """Conditions on the model's table, and those left to check after
        the inverse transform (by rejection)."""
        if not conditions:
            return conditions, {}
        written = {}
        for unit in self._units:
            for name in unit._writes():
                written[name] = unit
        model, checked = {}, {}
        for key, value in conditions.items():
            unit = written.get(key)
            if unit is None:
                model[key] = value
            elif isinstance(unit, Formula):
                raise ValueError(
                    f"`conditions` gives column {key!r}, which rule '{unit}' computes "
                    "from other columns: condition on the columns of its expression "
                    "instead."
                )
            elif isinstance(unit, GapTransform):
                lows = unit._reads()
                if any(low not in conditions for low in lows):
                    hint = next(filter(None, map(_linked_hint, unit.rules)), "")
                    raise ValueError(
                        f"`conditions` gives column {key!r}, which rule '{unit}' "
                        f"models as a difference: condition on {lows} too, or "
                        f"leave it out of the conditions{hint}."
                    )
                checked[key] = value
            else:
                checked[key] = value
        # Columns of one fixed combination: the combinations that match; one
        # is a condition on the merged column, several are left to rejection.
        for unit in self._units:
            if not isinstance(unit, FixedCombinations):
                continue
            given = [name for name in unit.columns if name in checked]
            if not given:
                continue
            match = np.ones(len(unit.combinations_), dtype=bool)
            for name in given:
                match &= _matches(unit.combinations_[name], conditions[name])
            if not match.any():
                values = {name: conditions[name] for name in given}
                raise ValueError(
                    f"`conditions` {values} match no combination of rule '{unit}' "
                    f"seen in fit{_linked_hint(unit)}: condition on a combination "
                    "the training rows hold."
                )
            if match.sum() == 1:
                model[unit.merged_name] = f"combination {np.flatnonzero(match)[0]}"
                for name in given:
                    del checked[name]
        for rule in self.rules:
            self._check_rule_conditions(rule, conditions)
        # Gap columns conditioned with all their lows: the difference.
        for key in list(checked):
            unit = written[key]
            if isinstance(unit, GapTransform):
                row = self._condition_row(conditions, [*unit._reads(), key])
                _check_gap_condition(unit, row, key)
                gap = unit._gap(row).iloc[0]
                model[key] = gap.item() if hasattr(gap, "item") else gap
                del checked[key]
        # A column a rule may change after the inverse (an implication's value,
        # a repaired or clipped column): the drawn rows must still hold the
        # condition.
        for clip in self._clips:
            if clip.column in conditions and clip.column in model:
                checked[clip.column] = conditions[clip.column]
        return model, checked

    def _check_rule_conditions(self, rule, conditions):
        """Raise, naming the rule, when no drawn row could keep both the
        ``conditions`` and the rule (checked here rather than by failing
        rejection): when they give every column of an order or an
        implication values that break it, or set two or more of a
        :class:`MutuallyExclusive` rule's columns away from its baseline
        (the rule checks a row of the conditions, its other columns at the
        baseline)."""
        given = {name: conditions[name] for name in rule.columns if name in conditions}
        if isinstance(rule, MutuallyExclusive):
            values = {**dict.fromkeys(rule.columns, rule.baseline), **given}
            fix = "at most one of its columns on a value other than the baseline"
        elif isinstance(rule, Inequality | Implication) and len(given) == len(
            rule.columns
        ):
            values, fix = given, "on values the rule allows"
        else:
            return
        if rule.is_valid(self._condition_row(values, rule.columns))[0]:
            return
        raise ValueError(
            f"`conditions` {given} break rule '{rule}'{_linked_hint(rule)}: "
            f"condition {fix}."
        )

    def _condition_row(self, conditions, names):
        """A one-row frame of the conditions on ``names``, in the dtypes of
        the training columns."""
        pd = import_pandas()
        row = pd.DataFrame({name: [conditions[name]] for name in names})
        for name in row.columns:
            if name in self._dtypes.index:
                row[name] = _restore_dtype(row[name], self._dtypes[name])
        return row

    def log_penalty(self, X, n_train, model_table=None):
        """``log(1 / (n + 1))`` for rows that break a rule, 0 for the others:
        a held-out row off a rule is a novel outcome with a finite score.

        ``model_table``, when at hand, is ``transform(X)``: a combination
        unseen in fit left its merged column missing there, so the rules of
        fixed combinations are read from it instead of being checked again.
        """
        frame = as_frame(X)
        valid = np.ones(len(frame), dtype=bool)
        rules = self.rules
        if model_table is not None:
            merged = [u for u in self._units if isinstance(u, FixedCombinations)]
            for unit in merged:
                valid &= ~missing_mask(model_table[unit.merged_name])
            rules = [rule for rule in rules if not any(rule is u for u in merged)]
        valid &= self.is_valid(frame, rules)
        return np.where(valid, 0.0, np.log(1.0 / (n_train + 1.0)))


def _linked_hint(rule):
    """What an error adds for a rule found by linking (none for a given one)."""
    if not getattr(rule, "linked_", False):
        return ""
    return (
        " (the data link these columns, see `linked_columns`; "
        "linked_columns=None models them apart)"
    )


def _how_linked(rule, how):
    """How ``describe`` says a rule is kept, marked when linking found it."""
    return "linked columns; " + how if getattr(rule, "linked_", False) else how


def sample_with_rules(ruleset, draw, n_samples, conditions):
    """``n_samples`` rows from ``draw`` that satisfy every rule.

    ``draw(n, conditions)`` returns ``n`` rows of the model's table (or rows
    and targets). Rows are turned back into the training layout; the rules
    enforced by rejection and the conditions left to check are then checked,
    and rows are drawn again for the ones that fail, for at most
    ``_MAX_ROUNDS`` rounds. A rule that too few rows pass is named in the
    error.
    """
    model_conditions, checked = ruleset.transform_conditions(conditions)
    rules = ruleset.checked_rules
    kept, have, size = [], 0, n_samples
    n_drawn, n_passed = 0, {}
    for _ in range(_MAX_ROUNDS):
        out = draw(size, model_conditions)
        X_model, y = out if isinstance(out, tuple) else (out, None)
        X = ruleset.inverse_transform(X_model)
        valid = np.ones(size, dtype=bool)
        if rules or checked:
            frame = as_frame(X)
            for rule in rules:
                passed = rule.is_valid(frame)
                n_passed[str(rule)] = n_passed.get(str(rule), 0) + int(passed.sum())
                valid &= passed
            for key, value in checked.items():
                passed = _matches(frame[key], value)
                label = f"the condition {key!r} = {value!r}"
                n_passed[label] = n_passed.get(label, 0) + int(passed.sum())
                valid &= passed
        n_drawn += size
        rows = np.flatnonzero(valid)[: n_samples - have]
        if rows.size:
            kept.append((_take(X, rows), None if y is None else _take(y, rows)))
            have += rows.size
        if have >= n_samples:
            break
        rate = max(have / n_drawn, 0.0)
        if rate < _MIN_ACCEPTANCE and n_drawn >= max(n_samples, 100):
            break
        size = int(np.ceil((n_samples - have) / max(rate, _MIN_ACCEPTANCE) * 1.2)) + 10
    if have < n_samples:
        worst = min(n_passed, key=n_passed.get) if n_passed else "the rules"
        share = n_passed.get(worst, 0) / max(n_drawn, 1)
        setters = [
            f'the rule "{clip.rule}" sets {clip.column!r}'
            for clip in ruleset._clips
            if worst.startswith(f"the condition {clip.column!r} ")
        ]
        if setters:
            worst = f"{worst} ({'; '.join(setters)})"
        raise ValueError(
            f"Only {share:.2%} of {n_drawn} drawn rows satisfy {worst}: too few "
            f"to fill {n_samples} rows. Loosen or drop that rule, or condition on "
            "values it allows."
        )
    X_parts = [part for part, _ in kept]
    X = _concat(X_parts)
    if kept[0][1] is None:
        return X
    return X, _concat([part for _, part in kept])


def _matches(series, value):
    import pandas as pd

    try:
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            value = pd.Timestamp(value)
        elif pd.api.types.is_timedelta64_dtype(series.dtype):
            value = pd.Timedelta(value)
    except (TypeError, ValueError):
        pass
    return same_values(series, value)


def _take(X, rows):
    if hasattr(X, "iloc"):
        return X.iloc[rows]
    return np.asarray(X)[rows]


def _concat(parts):
    if hasattr(parts[0], "iloc"):
        pd = import_pandas()
        return pd.concat(parts, ignore_index=True)
    return np.concatenate(parts)


def _order(units, rejected):
    """Units in an order whose inverse restores what each reads before it;
    a unit that sets a column another sets, or closes a cycle, is moved to
    rejection."""
    kept, written = [], {}
    for unit in units:
        clash = [name for name in unit._writes() if name in written]
        if clash:
            other = written[clash[0]]
            why = f'column {clash[0]!r} is already set by the rule "{other}"'
            rejected += [(rule, why) for rule in _rules_of(unit)]
            continue
        trial = [*kept, unit]
        order = _inverse_order(trial)
        if order is None:
            why = "its transform would close a cycle with other rules"
            rejected += [(rule, why) for rule in _rules_of(unit)]
            continue
        kept = trial
        for name in unit._writes():
            written[name] = unit
    order = _inverse_order(kept)
    # The transform runs in the reverse of the inverse order.
    return list(reversed(order)), [(rule, why) for rule, why in rejected]


def _check_gap_condition(unit, row, key):
    """Conditions on a column modelled as a difference, checked in the user's
    terms: against the rules, then against the column's range in fit (the
    model's own check would speak of the difference)."""
    for rule in unit.rules:
        if not rule.is_valid(row)[0]:
            values = {name: row[name].iloc[0] for name in row.columns}
            raise ValueError(
                f"`conditions` {values} break rule '{rule}'{_linked_hint(rule)}: "
                "condition on values the rule allows."
            )
    if unit.keep_range and unit._high_range is not None:
        low, high = unit._high_range
        value = row[key].iloc[0]
        if not low <= value <= high:
            raise ValueError(
                f"`conditions` gives column {key!r} the value {value}, outside the "
                f"range [{low}, {high}] seen in fit; condition on a value in that "
                "range."
            )


def _rules_of(unit):
    return unit.rules if isinstance(unit, GapTransform) else [unit]


def _inverse_order(units):
    """Units such that each one's reads are restored by earlier ones (None
    if there is a cycle)."""
    writer = {}
    for unit in units:
        for name in unit._writes():
            writer[name] = unit
    order, done, visiting = [], set(), set()

    def visit(unit):
        if id(unit) in done:
            return True
        if id(unit) in visiting:
            return False
        visiting.add(id(unit))
        for name in unit._reads():
            dependency = writer.get(name)
            if (
                dependency is not None
                and dependency is not unit
                and not visit(dependency)
            ):
                return False
        visiting.discard(id(unit))
        done.add(id(unit))
        order.append(unit)
        return True

    for unit in units:
        if not visit(unit):
            return None
    return order
