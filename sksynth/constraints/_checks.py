"""Checks of user rules against the training table, before they are enforced.

A rule given by hand can be wrong in ways that enforcing it would hide: a
value spelt differently from the column's (``'male'`` for ``'Male'``: every
husband would become a new level), a value outside the column's range, or a
rule most training rows break. Each is named with the rule, the column and
the way out. (``RuleSet.fit`` checks the kinds of the columns first.)
"""

import difflib
import warnings

import numpy as np

from .._data import caller_stacklevel, is_missing_value
from ._frames import kind_of, missing_mask, same_values
from ._rules import Implication, Inequality, MutuallyExclusive, Range

# A rule broken by more of the training rows than this is named in a warning.
_BROKEN_SHARE_WARNING = 0.01


def check_rules(rules, frame):
    """Raise or warn, naming the rule and the column, for rules that do not
    fit ``frame`` (see the module docstring)."""
    for rule in rules:
        if isinstance(rule, Implication):
            _check_implication(rule, frame)
    for rule in rules:
        if not isinstance(rule, Inequality | Range | Implication | MutuallyExclusive):
            continue
        share = float(np.mean(~rule.is_valid(frame))) if len(frame) else 0.0
        if share > _BROKEN_SHARE_WARNING:
            warnings.warn(
                f"Rule '{rule}' is broken by {share:.1%} of the training rows; it "
                "is enforced anyway, so the synthetic rows will differ from the "
                "training rows there. Check the rule (detect_constraints proposes "
                "rules that hold in all but 0.05 % of the rows).",
                UserWarning,
                stacklevel=caller_stacklevel(),
            )


def _check_implication(rule, frame):
    # A rule whose condition no training row meets is idle: its value is not
    # checked (it may name a level the sample lacks).
    triggered = bool(rule.triggered(frame).any())
    for column, value, role in (
        (rule.if_column, rule.if_value, "if"),
        (rule.then_column, rule.then_value, "then"),
    ):
        if is_missing_value(value) or (role == "then" and not triggered):
            continue
        series = frame[column]
        present = series[~missing_mask(series)]
        if same_values(present, value).any():
            continue
        kind = kind_of(series)
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
