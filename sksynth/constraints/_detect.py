"""Rules that hold on a table, found from its rows.

Every kind of rule is searched with array operations over whole columns, and
each candidate goes through the same three tests: it holds in the proposal
half of the rows (up to ``tolerance``), it is informative (columns drawn
independently from their margins would break it often), and it still holds
on the other, held-out half.
"""

import keyword
import math
import numbers

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from ._frames import as_frame, import_pandas, is_number
from ._rules import (
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    _is_position,
)

# Columns with at most this many distinct values can take part in fixed
# combinations.
_MAX_LEVELS = 50
# A fixed-combinations group has at most this many columns and combinations.
_MAX_GROUP_COLUMNS = 3
_MAX_COMBINATIONS = 1000
# A rule is informative when independent columns would break it in at least
# this share of the rows it reads.
_MIN_BREAK_SHARE = 0.05
# ... and in at least this many rows of the proposal half.
_MIN_BREAK_ROWS = 10
# Linear sums are searched among the first this many numeric columns, on a
# sample of this many rows first.
_MAX_FORMULA_COLUMNS = 30
_FORMULA_SAMPLE = 256
_FORMULA_RTOL = 1e-9
# Contingency tables larger than this are built on the values seen only.
_MAX_TABLE_SIZE = 1 << 22


# Rows an implication's condition needs by default (see ``min_support``).
_IMPLICATION_ROWS = 300


def _default_support(n_samples):
    """Rows an inequality or a sum reads by default: 1 % of them, at least
    10 (see ``min_support``)."""
    return max(10, math.ceil(0.01 * n_samples))


class _Halves:
    """The proposal and held-out halves of the rows, and the violation
    counts each allows."""

    def __init__(self, n_samples, tolerance, rng):
        order = rng.permutation(n_samples)
        self.proposal = np.zeros(n_samples, dtype=bool)
        self.proposal[order[: (n_samples + 1) // 2]] = True
        self.n_samples = n_samples
        self.n_proposal = int(self.proposal.sum())
        self.n_heldout = n_samples - self.n_proposal
        self.tolerance = tolerance

    def in_proposal(self, rows):
        """The share of ``rows`` rows of the table that falls in the proposal
        half (rounded up): the support a rule needs there."""
        return math.ceil(rows * self.n_proposal / self.n_samples)

    def proposes(self, broken, rows):
        """Whether ``broken`` of the ``rows`` a rule applies to in the
        proposal half is within tolerance."""
        return broken <= self.tolerance * rows

    def confirms(self, broken, rows):
        """Whether ``broken`` of ``rows`` held-out rows is within tolerance and
        sampling noise."""
        expected = self.tolerance * rows
        return broken <= expected + 3 * np.sqrt(expected) + 1

    def passes(self, broken, rows):
        """Whether a rule is kept, from the rows that break it and the rows it
        applies to, each as ``(proposal half, held-out half)`` counts (arrays
        of counts give an array)."""
        # Each half within the tolerance and its sampling noise, and all rows
        # within the tolerance rounded to whole rows (1 row of 1,465 passes
        # 0.0005; under 1,000 rows none may break it).
        allowed = np.floor(self.tolerance * (rows[0] + rows[1]) + 0.5)
        return (
            self.confirms(broken[0], rows[0])
            & self.confirms(broken[1], rows[1])
            & (broken[0] + broken[1] <= allowed)
        )

    def passes_rows(self, broken, applies):
        """:meth:`passes` from boolean masks of the rows that break the rule
        and of the rows it applies to."""
        return self.passes(self.count(broken), self.count(applies))

    def count(self, mask):
        """Rows of ``mask`` in the proposal and in the held-out half."""
        in_proposal = int(np.count_nonzero(mask & self.proposal))
        return in_proposal, int(np.count_nonzero(mask)) - in_proposal


@validate_params(
    {
        "X": ["array-like"],
        "tolerance": [Interval(numbers.Real, 0, 1, closed="left")],
        "min_support": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def detect_constraints(X, tolerance=0.0005, min_support=None, random_state=0):
    """Propose the rules that hold on the rows of ``X``.

    Four kinds of rules are searched: fixed combinations of few-valued
    columns that determine one another, inequalities between numeric or date
    columns, linear sums of numeric columns and implications (null patterns
    and values that fix another column). A rule is proposed only when

    - it holds in all rows but at most a ``tolerance`` share of them,
    - it is informative: were its columns independent (each drawn from its
      own margin), it would break in at least 5 % of the rows it reads,
    - it holds by more than chance: the rows are split in two random halves;
      the rule is found on the first (with ``tolerance``) and must also hold
      on the second, held-out half, up to ``tolerance`` plus sampling noise:
      at most :math:`t m + 3 \\sqrt{t m} + 1` of its :math:`m` rows break it,
      with :math:`t` the ``tolerance``.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        Training rows. A numpy array is read as a DataFrame whose columns are
        the positions 0, 1, ...

    tolerance : float, default=0.0005
        Share of the rows that may break a proposed rule (0.0005: 5 rows in
        10,000), so that a few typing errors do not hide a rule. Rules with a
        transform are then enforced exactly on synthetic rows. 0 proposes
        only rules that every row keeps.

    min_support : int, default=None
        Rows a condition needs to be used: an implication's ``if`` value (or
        missing value) must occur in at least this many rows. None means 1 %
        of the rows, and at least 10 rows; and for an implication at least
        300 rows: with no break among :math:`m` rows, a break rate of
        :math:`3 / m` or more is ruled out at 95 %, so 300 rows rule out
        chance implications that fail in 1 % of the rows (a table of 1,500
        rows has many). Inequalities and sums need ``min_support`` rows where
        their columns are all present.

    random_state : int, RandomState instance or None, default=0
        Draws the two halves of the rows (and the shuffles that measure how
        informative a rule is). Pass an int for a reproducible result.

    Returns
    -------
    rules : list of Constraint
        The rules, in this order: :class:`FixedCombinations` (fitted on
        ``X``), :class:`Inequality`, :class:`Formula` and
        :class:`Implication`; within a kind, by the position of their first
        columns in ``X``. The same ``X`` and ``random_state`` give the same
        list.

    See Also
    --------
    sksynth.constraints.FixedCombinations : Only combinations seen in fit.
    sksynth.constraints.Inequality : One column at most another.
    sksynth.constraints.Formula : One column a linear expression of others.
    sksynth.constraints.Implication : A value that fixes another column.

    Notes
    -----
    What is searched, with :math:`n` rows:

    - Fixed combinations: columns with 2 to 50 distinct values (a missing
      value counts as a value, integer columns included). ``A`` determines
      ``B`` when ``B`` is one value for each value of ``A`` (up to the
      tolerance), ``B`` is not constant and the pairs seen are at most half
      the product of their distinct counts. Columns linked by such
      dependencies are grouped, greedily from the one-to-one links, in
      groups of at most 3 columns and 1,000 combinations; a group is kept
      when held-out rows seldom show a combination the proposal half did
      not.
    - Inequalities ``a <= b`` (``a < b`` when no row has ``a == b``) between
      two number columns or two date columns. Booleans and identifiers (all
      values distinct integers or strings) are left out. Inequalities that
      follow from two others are dropped.
    - Linear sums ``c = a + b`` (a difference ``c = a - b`` reads
      ``a = b + c``) and copies ``c = a`` among at most 30 number columns,
      with a relative tolerance of 1e-9, checked on 256 rows first. Needs
      column names that are strings.
    - Implications ``if A is v then B is w``, ``v`` or ``w`` possibly missing
      (None): a null pattern ``Implication(A, None, B, None)`` or a value
      that fixes another column (``previous == 0`` then ``pdays == -1``).
      Those within a fixed-combinations group are left out.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth.constraints import detect_constraints
    >>> rng = np.random.RandomState(0)
    >>> level = rng.randint(0, 4, size=400)
    >>> start = rng.randint(0, 100, size=400)
    >>> X = pd.DataFrame({
    ...     "level": level,
    ...     "grade": np.array(["low", "mid", "high", "top"])[level],
    ...     "start": start,
    ...     "end": start + rng.randint(1, 50, size=400),
    ... })
    >>> for rule in detect_constraints(X):
    ...     print(rule)
    fixed combinations of level, grade
    start < end
    """
    frame = as_frame(X)
    n_samples = len(frame)
    if n_samples < 4 or frame.shape[1] < 2:
        return []
    rng = check_random_state(random_state)
    halves = _Halves(n_samples, tolerance, rng)
    implication_rows = min_support
    if min_support is None:
        min_support = _default_support(n_samples)
        implication_rows = max(min_support, _IMPLICATION_ROWS)
    support = halves.in_proposal(min_support)
    implication_support = halves.in_proposal(implication_rows)
    profiles = [_profile(frame[name]) for name in frame.columns]

    groups = _fixed_combinations(frame, profiles, halves, rng)
    rules = [FixedCombinations(group).fit(frame) for group in groups]
    rules += _inequalities(frame, profiles, halves, support)
    rules += _formulas(frame, profiles, halves, support, rng)
    rules += _implications(frame, profiles, halves, implication_support, groups)
    return rules


class _Profile:
    """What the detectors need to know of one column."""

    def __init__(self, kind, codes, levels, missing, values):
        self.kind = kind  # "number", "date", "boolean", "identifier" or "other"
        self.codes = codes  # factorized values, the last code for missing
        self.levels = levels  # the value of each code (None: missing)
        self.missing = missing
        self.values = values  # float (number) or int64 (date) values, or None

    @property
    def n_codes(self):
        return len(self.levels)

    @property
    def n_distinct(self):
        """Distinct values, missing left out."""
        return len(self.levels) - (1 if self.missing.any() else 0)


def _profile(series):
    pd = import_pandas()
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    missing = codes < 0
    levels = [_scalar(value) for value in uniques]
    if missing.any():
        codes = np.where(missing, len(levels), codes)
        levels.append(None)
    n_present = int(np.count_nonzero(~missing))
    all_distinct = n_present > 1 and len(uniques) == n_present
    dtype = series.dtype
    kind, values = "other", None
    if pd.api.types.is_bool_dtype(dtype):
        kind = "boolean"
    elif pd.api.types.is_datetime64_any_dtype(dtype):
        kind = "date"
        values = nanoseconds(series)
    elif is_number(series):
        kind = "number"
        values = np.asarray(pd.to_numeric(series).astype(float), dtype=float)
    if kind in ("number", "other") and all_distinct and _is_key_like(series):
        kind = "identifier"
    return _Profile(kind, codes, levels, missing, values)


def nanoseconds(series):
    """Nanoseconds since the epoch (UTC) of a date Series, as int64 (a
    missing date is the smallest int64)."""
    stamps = series.dt.tz_convert("UTC") if series.dt.tz is not None else series
    values = np.asarray(stamps.dt.tz_localize(None).astype("datetime64[ns]"))
    return values.view(np.int64)


def _is_key_like(series):
    """Integers or strings (where all distinct values make an identifier)."""
    pd = import_pandas()
    if pd.api.types.is_integer_dtype(series.dtype):
        return True
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        inferred = pd.api.types.infer_dtype(series, skipna=True)
        return inferred in ("integer", "string")
    return False


def _scalar(value):
    """A plain Python value for a rule (numpy scalars unwrapped)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- fixed combinations ----------------------------------------------------------


def _fixed_combinations(frame, profiles, halves, rng):
    """Groups of columns (lists of names) whose combinations are fixed."""
    few = [i for i, p in enumerate(profiles) if 2 <= p.n_distinct <= _MAX_LEVELS]
    codes = {i: profiles[i].codes[halves.proposal] for i in few}
    shuffled = {i: codes[i][rng.permutation(halves.n_proposal)] for i in few}
    links = {}
    for a in few:
        for b in few:
            if a != b and _determines(
                (codes[a], profiles[a].n_codes),
                (codes[b], shuffled[b], profiles[b].n_codes),
                halves,
            ):
                links[(a, b)] = True
    edges = sorted(
        {(min(a, b), max(a, b)) for a, b in links},
        key=lambda e: (not ((e[1], e[0]) in links and e in links), e),
    )
    group_of = {}
    for a, b in edges:
        group_a, group_b = group_of.get(a, (a,)), group_of.get(b, (b,))
        if group_a == group_b:
            continue
        merged = tuple(sorted(group_a + group_b))
        if len(merged) <= _MAX_GROUP_COLUMNS and _combinations_hold(
            [profiles[i] for i in merged], halves
        ):
            for i in merged:
                group_of[i] = merged
    groups = sorted(set(group_of.values()))
    return [[frame.columns[i] for i in group] for group in groups]


def _determines(a, b, halves):
    """Whether column ``a`` determines column ``b`` on the proposal half,
    informatively; ``a`` is ``(codes, n_codes)`` and ``b`` is ``(codes,
    shuffled codes, n_codes)`` in the proposal half."""
    (a_codes, n_a), (b_codes, b_shuffled, n_b) = a, b
    counts = np.bincount(a_codes * n_b + b_codes, minlength=n_a * n_b).reshape(n_a, n_b)
    seen_a = np.count_nonzero(counts.sum(axis=1))
    seen_b = np.count_nonzero(counts.sum(axis=0))
    if seen_b < 2 or np.count_nonzero(counts) > 0.5 * seen_a * seen_b:
        return False
    broken = halves.n_proposal - counts.max(axis=1).sum()
    if not halves.proposes(broken, halves.n_proposal):
        return False
    independent = np.bincount(a_codes * n_b + b_shuffled, minlength=n_a * n_b).reshape(
        n_a, n_b
    )
    broken_independent = halves.n_proposal - independent.max(axis=1).sum()
    return broken_independent >= max(
        _MIN_BREAK_ROWS, _MIN_BREAK_SHARE * halves.n_proposal
    )


def _combination_codes(profiles):
    codes = np.zeros(len(profiles[0].codes), dtype=np.int64)
    for profile in profiles:
        codes = codes * profile.n_codes + profile.codes
    return codes


def _combinations_hold(profiles, halves):
    """Whether held-out rows seldom show a combination unseen in the
    proposal half (and the proposal half shows few combinations)."""
    codes = _combination_codes(profiles)
    seen = np.unique(codes[halves.proposal])
    if len(seen) > _MAX_COMBINATIONS:
        return False
    unseen = np.count_nonzero(~np.isin(codes[~halves.proposal], seen))
    return halves.confirms(unseen, halves.n_heldout)


# -- inequalities ----------------------------------------------------------------


def _inequalities(frame, profiles, halves, support):
    """``Inequality`` rules between columns of the same kind."""
    found = {}
    for kind in ("number", "date"):
        columns = [i for i, p in enumerate(profiles) if p.kind == kind]
        for a in columns:
            for b in columns:
                if a != b:
                    strict = _inequality(profiles[a], profiles[b], halves, support)
                    if strict is not None:
                        found[(a, b)] = strict
    # Both directions: the columns are equal (a copy, left to the formulas).
    found = {(a, b): s for (a, b), s in found.items() if (b, a) not in found}
    found = _drop_transitive(found, profiles)
    return [
        Inequality(frame.columns[a], frame.columns[b], strict=strict)
        for (a, b), strict in sorted(found.items())
    ]


def _inequality(low, high, halves, support):
    """None if ``low <= high`` is not proposed, else whether it is strict."""
    present = ~(low.missing | high.missing)
    low_values, high_values = low.values, high.values
    in_proposal = present & halves.proposal
    if np.count_nonzero(in_proposal) < support:
        return None
    broken = halves.count(present & (low_values > high_values))
    rows = halves.count(present)
    if not halves.confirms(broken[0], rows[0]):
        return None
    if _independent_break_share(low_values[in_proposal], high_values[in_proposal]) < (
        _MIN_BREAK_SHARE
    ):
        return None
    if not halves.passes(broken, rows):
        return None
    return not np.any(low_values[present] == high_values[present])


def _independent_break_share(low_values, high_values):
    """Share of pairs ``(low_i, high_j)`` over all ``i, j`` with
    ``low_i > high_j``: how often independent columns break the rule."""
    below = np.searchsorted(np.sort(high_values), low_values, side="left")
    return float(below.mean()) / len(high_values)


def _drop_transitive(found, profiles):
    """Leave out ``a <= c`` when ``a <= b`` and ``b <= c`` are found (and
    ``b`` is present wherever ``a`` and ``c`` are)."""
    kept = {}
    for (a, c), strict in found.items():
        implied = False
        for (x, b), strict_ab in found.items():
            if x != a or b == c or (b, c) not in found:
                continue
            stronger = strict_ab or found[(b, c)] or not strict
            covered = not np.any(
                profiles[b].missing & ~profiles[a].missing & ~profiles[c].missing
            )
            if stronger and covered:
                implied = True
                break
        if not implied:
            kept[(a, c)] = strict
    return kept


# -- linear sums -----------------------------------------------------------------


def _formulas(frame, profiles, halves, support, rng):
    """``Formula`` rules ``c = a + b`` and ``c = a`` among number columns."""
    columns = [
        i
        for i, p in enumerate(profiles)
        if p.kind == "number"
        and (isinstance(frame.columns[i], str) or _is_position(frame.columns[i]))
        and p.n_distinct >= 2
    ][:_MAX_FORMULA_COLUMNS]
    if len(columns) < 2:
        return []
    values = np.column_stack([profiles[i].values for i in columns])
    proposal_rows = np.flatnonzero(halves.proposal)
    sample = values[
        rng.choice(
            proposal_rows, min(_FORMULA_SAMPLE, len(proposal_rows)), replace=False
        )
    ]
    rules = []
    for target, terms in _formula_candidates(sample):
        names = [frame.columns[columns[i]] for i in terms]
        total = values[:, list(terms)].sum(axis=1)
        if _formula_holds(
            values[:, target], total, values[:, list(terms)], halves, support, rng
        ):
            expression = " + ".join(_quoted(name) for name in names)
            rules.append(Formula(frame.columns[columns[target]], expression))
    return rules


def _formula_candidates(sample):
    """``(target, terms)`` whose sum matches the target on the sample rows
    (one row may break it), in column order."""
    n_rows, n_columns = sample.shape
    allowed = 1
    pairs = [(i,) for i in range(n_columns)] + [
        (i, j) for i in range(n_columns) for j in range(i + 1, n_columns)
    ]
    sums = np.column_stack([sample[:, list(p)].sum(axis=1) for p in pairs])
    candidates = []
    for target in range(n_columns):
        expected = sample[:, [target]]
        with np.errstate(invalid="ignore"):
            close = np.abs(sums - expected) <= _FORMULA_RTOL * np.maximum(
                np.abs(sums), 1.0
            )
        complete = ~(np.isnan(sums) | np.isnan(expected))
        broken = np.count_nonzero(complete & ~close, axis=0)
        enough = np.count_nonzero(complete, axis=0) >= min(20, n_rows)
        for k in np.flatnonzero((broken <= allowed) & enough):
            if target not in pairs[k]:
                candidates.append((target, pairs[k]))
    # A copy c = a is also found as a = c: keep the one whose target comes last.
    return [
        (target, terms)
        for target, terms in candidates
        if len(terms) > 1 or target > terms[0]
    ]


def _formula_holds(target, total, terms, halves, support, rng):
    complete = ~(np.isnan(target) | np.isnan(total))
    if np.count_nonzero(complete & halves.proposal) < support:
        return False
    with np.errstate(invalid="ignore"):
        close = np.abs(target - total) <= _FORMULA_RTOL * np.maximum(np.abs(total), 1.0)
    if not halves.passes_rows(complete & ~close, complete):
        return False
    # Informative: the sum with any one term shuffled breaks often.
    rows = np.flatnonzero(complete & halves.proposal)
    for k in range(terms.shape[1]):
        shuffled = terms[rows].copy()
        shuffled[:, k] = shuffled[rng.permutation(len(rows)), k]
        other = shuffled.sum(axis=1)
        breaks = np.abs(target[rows] - other) > _FORMULA_RTOL * np.maximum(
            np.abs(other), 1.0
        )
        if breaks.mean() < _MIN_BREAK_SHARE:
            return False
    return True


def _quoted(name):
    """A column in an expression: bare, or in backticks (positions of an
    array's columns too)."""
    if isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name):
        return name
    return f"`{name}`"


# -- implications ----------------------------------------------------------------


def _implications(frame, profiles, halves, support, groups):
    """``Implication`` rules: a value (or missing value) of one column that
    fixes the value of another."""
    grouped = {}
    for group in groups:
        for name in group:
            grouped[name] = tuple(group)
    names = list(frame.columns)
    rules, found = [], set()
    for a, if_profile in enumerate(profiles):
        proposal_counts = np.bincount(
            if_profile.codes[halves.proposal], minlength=if_profile.n_codes
        )
        frequent = np.flatnonzero(proposal_counts >= support)
        if len(frequent) == 0:
            continue
        trigger = _Trigger(if_profile, frequent, halves)
        for b, then_profile in enumerate(profiles):
            if b == a or grouped.get(names[a], (a,)) == grouped.get(names[b], (b,)):
                continue
            for if_code, then_code in _value_implications(
                trigger, then_profile, halves
            ):
                found.add((a, if_code, b, then_code))
                if _contrapositive(a, if_code, b, then_code, profiles) in found:
                    continue
                rules.append(
                    Implication(
                        names[a],
                        if_profile.levels[if_code],
                        names[b],
                        then_profile.levels[then_code],
                    )
                )
    return rules


def _contrapositive(a, if_code, b, then_code, profiles):
    """The implication that says the same between two-valued columns
    (``b`` not ``then`` implies ``a`` not ``if``), else None."""
    if profiles[a].n_codes != 2 or profiles[b].n_codes != 2:
        return None
    return (b, 1 - then_code, a, 1 - if_code)


class _Trigger:
    """The rows where a column holds one of its ``frequent`` codes: their
    index, the rank of their code among ``frequent`` and their half (1:
    held-out)."""

    def __init__(self, profile, frequent, halves):
        rank = np.full(profile.n_codes, -1)
        rank[frequent] = np.arange(len(frequent))
        row_rank = rank[profile.codes]
        self.frequent = frequent
        self.rows = np.flatnonzero(row_rank >= 0)
        self.rank = row_rank[self.rows]
        self.heldout = (~halves.proposal[self.rows]).astype(np.int64)


def _value_implications(trigger, then_profile, halves):
    """``(if_code, then_code)`` pairs that pass the tests, ``if_code`` among
    the trigger's frequent codes."""
    frequent = trigger.frequent
    then_codes = then_profile.codes[trigger.rows]
    if len(frequent) * then_profile.n_codes > _MAX_TABLE_SIZE:
        # Many-valued then-column: number only the values the triggered rows
        # hold.
        held, then_codes = np.unique(then_codes, return_inverse=True)
    else:
        held = np.arange(then_profile.n_codes)
    n_then = len(held)
    keys = (trigger.heldout * len(frequent) + trigger.rank) * n_then + then_codes
    proposal, heldout = np.bincount(keys, minlength=2 * len(frequent) * n_then).reshape(
        2, len(frequent), n_then
    )
    # The most common then-value of each if-value (the first code on ties).
    mode = proposal.argmax(axis=1)
    at = np.arange(len(frequent))
    rows = proposal.sum(axis=1), heldout.sum(axis=1)
    broken = rows[0] - proposal[at, mode], rows[1] - heldout[at, mode]
    then_share = np.bincount(
        then_profile.codes[halves.proposal], minlength=then_profile.n_codes
    ) / max(halves.n_proposal, 1)
    # Rows of the proposal half that an independent then-column would break.
    independent = rows[0] * (1 - then_share[held[mode]])
    kept = (
        (independent >= np.maximum(_MIN_BREAK_ROWS, _MIN_BREAK_SHARE * rows[0]))
        & (broken[0] <= independent / 10)
        & halves.passes(broken, rows)
    )
    return [(int(frequent[r]), int(held[mode[r]])) for r in np.flatnonzero(kept)]
