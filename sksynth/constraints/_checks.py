"""Checks of user rules against the training table, before they are enforced.

A rule given by hand can be wrong in ways that enforcing it would hide: a
value spelt differently from the column's (``'male'`` for ``'Male'``: every
husband would become a new level), columns of kinds that cannot be compared
(a number and a date), or a rule most training rows break. Each is named with
the rule, the column and the way out.
"""

import difflib
import warnings

import numpy as np

from ._frames import import_pandas, missing_mask, same_values
from ._rules import Formula, Implication, Inequality, Predicate, Range

# A rule broken by more of the training rows than this is named in a warning.
_BROKEN_SHARE_WARNING = 0.01


def column_kind(series):
    """ "date", "duration", "number", "boolean" or "category" (anything else)."""
    pd = import_pandas()
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "duration"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return "category"


def _constant_kind(value):
    import datetime

    if isinstance(value, datetime.timedelta | np.timedelta64):
        return "duration"
    if isinstance(value, datetime.date | np.datetime64):
        return "date"
    if isinstance(value, bool | np.bool_):
        return "boolean"
    if isinstance(value, int | float | np.number):
        return "number"
    return "category"


def check_rules(rules, frame):
    """Raise or warn, naming the rule and the column, for rules that do not
    fit ``frame`` (see the module docstring)."""
    for rule in rules:
        parts = rule.inequalities() if isinstance(rule, Range) else [rule]
        for part in parts:
            if isinstance(part, Inequality):
                _check_inequality(part, rule, frame)
            elif isinstance(part, Formula):
                _check_formula(part, frame)
            elif isinstance(part, Implication):
                _check_implication(part, frame)
    for rule in rules:
        if isinstance(rule, Predicate | Formula) or not hasattr(rule, "is_valid"):
            continue
        if not (isinstance(rule, Inequality | Range | Implication)):
            continue
        share = float(np.mean(~rule.is_valid(frame))) if len(frame) else 0.0
        if share > _BROKEN_SHARE_WARNING:
            warnings.warn(
                f"Rule '{rule}' is broken by {share:.1%} of the training rows; it "
                "is enforced anyway, so the synthetic rows will differ from the "
                "training rows there. Check the rule (detect_constraints proposes "
                "rules that hold in all but 0.05 % of the rows).",
                UserWarning,
                stacklevel=5,
            )


def _check_inequality(part, rule, frame):
    high_in = part.high in frame.columns if _is_name(part.high) else False
    low_in = part.low_is_column(frame)
    if not high_in and not low_in:
        return
    kinds = {}
    for side, value, is_column in (
        ("low", part.low, low_in),
        ("high", part.high, high_in),
    ):
        kinds[side] = column_kind(frame[value]) if is_column else _constant_kind(value)
    bad = [k for k in kinds.values() if k not in ("number", "date", "duration")]
    if bad or kinds["low"] != kinds["high"]:
        described = ", ".join(
            f"{value!r} ({kinds[side]}{'' if is_column else ' constant'})"
            for side, value, is_column in (
                ("low", part.low, low_in),
                ("high", part.high, high_in),
            )
        )
        raise ValueError(
            f"Rule '{rule}' compares {described}: an inequality needs two numbers, "
            "two dates or two durations (a date constant as pd.Timestamp). Fix "
            "the columns or the bound, or drop the rule."
        )


def _is_name(value):
    import numbers

    return isinstance(value, str) or (
        isinstance(value, numbers.Integral) and not isinstance(value, bool)
    )


def _check_formula(rule, frame):
    for name in rule.columns:
        kind = column_kind(frame[name])
        if kind != "number":
            raise ValueError(
                f"Rule '{rule}' uses column {name!r}, which holds {kind} values: a "
                "formula adds numbers. Use numeric columns, or a FixedCombinations "
                "rule for codings of a category."
            )


def _check_implication(rule, frame):
    # A rule whose condition no training row meets is idle: its value is not
    # checked (it may name a level the sample lacks).
    triggered = bool(rule.triggered(frame).any())
    for column, value, role in (
        (rule.if_column, rule.if_value, "if"),
        (rule.then_column, rule.then_value, "then"),
    ):
        if value is None or (role == "then" and not triggered):
            continue
        series = frame[column]
        present = series[~missing_mask(series)]
        if same_values(present, value).any():
            continue
        kind = column_kind(series)
        if kind == "number":
            if role == "if" or not len(present):
                # A count never seen in fit: the rule is idle, not wrong.
                continue
            low, high = present.min(), present.max()
            if low <= value <= high:
                continue
            where = f"outside the range [{low}, {high}] of column {column!r}"
        else:
            levels = [str(v) for v in present.unique()[:1000]]
            same_case = {level.lower(): level for level in levels}
            close = (
                [same_case[str(value).lower()]]
                if str(value).lower() in same_case
                else difflib.get_close_matches(str(value), levels, n=1, cutoff=0.6)
            )
            if role == "if" and not close:
                # A level the sample lacks (a plan sold later): idle, not wrong.
                continue
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"a value column {column!r} never holds{hint}"
        raise ValueError(
            f"Rule '{rule}' gives its {role} side the value {value!r}, {where} in "
            "the training rows. Fix the value or drop the rule: enforced as it "
            "stands it would "
            + ("never apply." if role == "if" else "write that value into rows.")
        )
