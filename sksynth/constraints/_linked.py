"""Columns the data link: few-valued columns some pairs of whose values the
data rule out (a husband who is female, a missing employer with an
occupation), though independent columns would give those pairs many rows.

A model that draws such columns apart from one another (a copula, a kernel
density, a latent-class mixture) breaks the rule in a share of its rows;
learning each linked group as one column of the combinations seen (a
:class:`~sksynth.constraints.FixedCombinations` rule) keeps it.

Amounts that exclude one another (a capital gain and a capital loss, never
both non-zero) are linked the same way, through the share of rows where each
leaves its most common value: such a group becomes a
:class:`~sksynth.constraints.MutuallyExclusive` rule.

Number (or date) columns that keep an order in every row, though independent
columns would break it in many rows (a tumour's mean radius never above its
worst radius, pages paged in never fewer than page-in requests), become
:class:`~sksynth.constraints.Inequality` rules, and a column's most common
value that implies another's (no days since the last contact where there was
no contact) an :class:`~sksynth.constraints.Implication`.
"""

from itertools import combinations

import numpy as np
from sklearn.utils._param_validation import StrOptions

from .._data import is_dataframe
from ._frames import import_pandas, kind_of

#: Validation of the ``linked_columns`` parameter, shared by the estimators
#: that take it.
LINKED_COLUMNS_PARAMETER = [StrOptions({"auto"}), None]

# A pair of values (or a combination) is ruled out when it is held by at most
# RULED_OUT_SHARE of the rows that independent columns would give it, and
# that is at least RULED_OUT_EXPECTED rows: a rare pair in a small table is
# not ruled out, only one the data had room to show and did not.
RULED_OUT_SHARE = 0.01
RULED_OUT_EXPECTED = 10.0
# Columns that can be linked: at most this many distinct values for numbers,
# this many for other columns (a missing value counts as a value).
_MAX_NUMBER_VALUES = 20
_MAX_LEVELS = 64
# A linked group holds at most this many combinations of its columns, and
# its rows hold each combination _ROWS_PER_COMBINATION times on average: a
# group of many columns in a small table (strongly dependent columns, with
# pairs of extreme values never seen together) would be learnt as a list of
# the rows' combinations.
_MAX_COMBINATIONS = 300
_ROWS_PER_COMBINATION = 50
# Columns are screened on their first rows (more distinct values there than
# allowed rules a column out at once), and linked on at most _LINK_ROWS rows;
# on a wide table, on fewer (the pairs of columns times the rows counted at
# most _PAIR_CELLS, with at least _MIN_LINK_ROWS rows).
_SCREEN_ROWS = 1000
_LINK_ROWS = 200_000
_PAIR_CELLS = 100_000_000
_MIN_LINK_ROWS = 2_000
# A number column takes part in MutuallyExclusive groups when one value (its
# baseline, such as 0) holds at least _BASELINE_SHARE of its rows (and at
# least _SCREEN_BASELINE_SHARE of its first rows, screened first).
_BASELINE_SHARE = 0.5
_SCREEN_BASELINE_SHARE = 0.3
# Ordered pairs of number (or date) columns are screened on the first
# _SCREEN_ROWS rows (all pairs on the first _ORDER_PROBE, _ORDER_BLOCK columns
# at a time).
_ORDER_BLOCK = 64
_ORDER_PROBE = 64
# Pairs left after the probe are checked on all screened rows, at most
# _ORDER_CELLS values of each column side at a time.
_ORDER_CELLS = 1_000_000
# A number column takes part in implications between baselines when its most
# common value holds at least _IMPLIED_BASELINE_SHARE of its rows (and half
# that share of its first rows); rows are counted _IMPLIED_BLOCK at a time.
_IMPLIED_BASELINE_SHARE = 0.1
_IMPLIED_BLOCK = 100_000


def ruled_out(observed, expected):
    """Which cells of a contingency table the data rule out, from the rows
    ``observed`` in each and those ``expected`` of independent columns."""
    return (expected >= RULED_OUT_EXPECTED) & (observed <= RULED_OUT_SHARE * expected)


def linked_columns(X, skip=()):
    """Groups of columns of a DataFrame ``X`` the data link, each a list of
    its column names in the order of ``X``.

    Two columns are linked when a pair of their values is ruled out (see
    :func:`ruled_out`). Linked pairs are merged into groups greedily, the
    pairs whose ruled-out cells independence would give most rows first; a
    merge that would make a group of more than ``_MAX_COMBINATIONS``
    combinations seen, or of fewer than ``_ROWS_PER_COMBINATION`` rows per
    combination seen, is skipped. Columns in ``skip`` (those of the user's
    rules, or named in the estimator's column options) are left out.

    Only DataFrames whose column names are all strings are linked: the model
    then learns a column named after the group's members (``"a+b"``), and
    no other input names or positions its columns in a way that survives
    the merge (an array's columns are positions, which would shift).
    """
    coded = _screened(X, skip, _few_value_codes)
    if len(coded) < 2:
        return []
    n_rows = X.shape[0]
    labels = list(X.columns)
    rows = _counted_rows(n_rows, len(coded))
    n = n_rows if rows is None else rows.size
    if rows is not None:
        coded = [(j, codes[rows]) for j, codes in coded]
    counts = [np.bincount(codes) for _, codes in coded]
    pairs = []
    for a, b in combinations(range(len(coded)), 2):
        width = counts[b].size
        observed = np.bincount(
            coded[a][1] * width + coded[b][1], minlength=counts[a].size * width
        )
        expected = np.multiply.outer(counts[a], counts[b]).ravel() / n
        out = ruled_out(observed, expected)
        if out.any():
            pairs.append((-expected[out].sum(), a, b))
    most = min(_MAX_COMBINATIONS, n_rows / _ROWS_PER_COMBINATION)
    groups = {a: ([a], coded[a][1], counts[a].size) for a in range(len(coded))}
    for _, a, b in sorted(pairs):
        members_a, codes_a, _ = groups[a]
        members_b, codes_b, width_b = groups[b]
        if members_a is members_b:
            continue
        # The combinations seen, numbered (keys are below a group's
        # combinations times a column's values: a count, not a sort).
        key = codes_a * width_b + codes_b
        present = np.bincount(key) > 0
        n_seen = int(np.count_nonzero(present))
        if n_seen > most:
            continue
        number = np.cumsum(present) - 1
        merged = (sorted(members_a + members_b), number[key], n_seen)
        for member in merged[0]:
            groups[member] = merged
    found = {id(group[0]): group[0] for group in groups.values() if len(group[0]) > 1}
    return sorted(
        ([labels[coded[k][0]] for k in members] for members in found.values()),
        key=lambda group: labels.index(group[0]),
    )


def _screened(X, skip, screen):
    """``[(position, screen(column, pd))]`` for the columns of ``X`` not in
    ``skip`` that ``screen`` keeps (returns other than None); none unless
    ``X`` is a DataFrame whose column names are all strings."""
    if not is_dataframe(X) or not all(isinstance(c, str) for c in X.columns):
        return []
    pd = import_pandas()
    found = []
    for j, label in enumerate(X.columns):
        if label in skip:
            continue
        value = screen(X.iloc[:, j], pd)
        if value is not None:
            found.append((j, value))
    return found


def _counted_rows(n_rows, n_columns):
    """The rows on which every pair of ``n_columns`` columns is counted (None:
    all of them): on a wide table, fewer."""
    n_pairs = max(n_columns * (n_columns - 1) // 2, 1)
    n = min(n_rows, _LINK_ROWS, max(_MIN_LINK_ROWS, _PAIR_CELLS // n_pairs))
    if n >= n_rows:
        return None
    return np.sort(np.random.default_rng(0).choice(n_rows, n, replace=False))


def exclusive_columns(X, skip=(), groups=()):
    """Groups of number columns of a DataFrame ``X`` at most one of which
    leaves its baseline in a row, as ``[(columns, baseline)]``.

    A column's baseline is its most common value, when it holds at least
    half of the rows (a missing value counts as the baseline). Two columns of
    one baseline exclude each other when the rows where both leave it are
    ruled out (see :func:`ruled_out`); groups are grown greedily, the pairs
    independence would give most such rows first, and a column joins a group
    only if it excludes every member. Columns in ``skip`` are left out, and
    so are pairs inside one of the linked ``groups`` (their combinations are
    kept already). DataFrames whose column names are all strings only, as
    in :func:`linked_columns`.
    """
    candidates = _screened(X, skip, _screened_baseline)
    if len(candidates) < 2:
        return []
    labels = list(X.columns)
    n_rows = X.shape[0]
    rows = _counted_rows(n_rows, len(candidates))
    n = n_rows if rows is None else rows.size
    in_use = []
    for j, baseline in list(candidates):
        x = X.iloc[:, j].to_numpy(dtype=float, na_value=np.nan)
        x = x if rows is None else x[rows]
        used = ~np.isnan(x) & (x != baseline)
        if used.sum() <= (1 - _BASELINE_SHARE) * n:
            in_use.append((j, baseline, used))
    group_of = {label: k for k, group in enumerate(groups) for label in group}
    exclusive, pairs = set(), []
    for a, b in combinations(range(len(in_use)), 2):
        (ja, base_a, used_a), (jb, base_b, used_b) = in_use[a], in_use[b]
        same_group = group_of.get(labels[ja], -1) == group_of.get(labels[jb], -2)
        if base_a != base_b or same_group:
            continue
        observed = np.count_nonzero(used_a & used_b)
        expected = np.count_nonzero(used_a) * np.count_nonzero(used_b) / n
        if ruled_out(np.array([observed]), np.array([expected]))[0]:
            exclusive.add((a, b))
            pairs.append((-expected, a, b))
    members = {a: [a] for a in range(len(in_use))}
    for _, a, b in sorted(pairs):
        if members[a] is members[b]:
            continue
        joined = sorted(members[a] + members[b])
        if all(pair in exclusive for pair in combinations(joined, 2)):
            for k in joined:
                members[k] = joined
    found = {id(group): group for group in members.values() if len(group) > 1}
    return sorted(
        (
            ([labels[in_use[k][0]] for k in group], in_use[group[0]][1])
            for group in found.values()
        ),
        key=lambda item: labels.index(item[0][0]),
    )


def ordered_columns(X, skip=()):
    """:class:`~sksynth.constraints.Inequality` rules between the number
    columns, or between the date columns, of a DataFrame ``X`` that no row
    breaks, though independent columns would break them in at least 5 % of
    the rows: the inequalities of
    :func:`~sksynth.constraints.detect_constraints` with no tolerance (held
    by both random halves of the rows, read in at least 1 % of them, strict
    when no row has both equal, and ``a <= c`` left out when ``a <= b`` and
    ``b <= c`` are found), which independent columns would also break in
    at least ``log(100 m)`` rows for ``m`` pairs tried (and at least
    RULED_OUT_EXPECTED): chance keeps such an order whole in at most one
    table of 100.

    Pairs are screened on the first rows (any of them that breaks the order
    rules the pair out), so that tables of unrelated columns cost little.
    Columns in ``skip`` are left out; DataFrames whose column names are all
    strings only, as in :func:`linked_columns`.
    """
    from ._detect import (
        _default_support,
        _drop_transitive,
        _Halves,
        _independent_break_share,
        _inequality,
        _profile,
    )
    from ._rules import Inequality

    by_kind = {}
    for j, kind in _screened(X, skip, _order_kind):
        by_kind.setdefault(kind, []).append(j)
    pairs, n_tried = [], 0
    for kind, positions in by_kind.items():
        if len(positions) < 2:
            continue
        n_tried += len(positions) * (len(positions) - 1)
        head = np.column_stack(
            [_order_values(X.iloc[:_SCREEN_ROWS, j], kind) for j in positions]
        )
        pairs += [(positions[a], positions[b]) for a, b in _ordered_on(head)]
    if not pairs:
        return []
    # Of many pairs tried, some keep an order in every row by chance (two
    # correlated columns in a few hundred rows): independent columns must
    # break it in enough rows that chance leaves it whole in at most one
    # table of 100 (exp(-expected) per pair, over every pair tried).
    least_expected = max(RULED_OUT_EXPECTED, np.log(100.0 * n_tried))
    n_rows = X.shape[0]
    rng = np.random.RandomState(0)
    halves = _Halves(n_rows, 0.0, rng)
    support = halves.in_proposal(_default_support(n_rows))
    profiles = {}
    for j in {j for pair in pairs for j in pair}:
        profiles[j] = _profile(X.iloc[:, j])
    found, shares = {}, {}
    for a, b in pairs:
        low, high = profiles[a], profiles[b]
        if low.kind != high.kind or low.kind not in ("number", "date"):
            continue  # an identifier, told by all its values
        strict = _inequality(low, high, halves, support)
        if strict is None:
            continue
        present = ~(low.missing | high.missing)
        share = _independent_break_share(low.values[present], high.values[present])
        if share * np.count_nonzero(present) >= least_expected:
            found[(a, b)] = strict
            shares[(a, b)] = share
    # Both directions: equal columns (a copy), which no order describes.
    found = {(a, b): s for (a, b), s in found.items() if (b, a) not in found}
    found = _drop_transitive(found, profiles)
    labels = list(X.columns)
    rules = []
    for (a, b), strict in sorted(found.items()):
        rule = Inequality(labels[a], labels[b], strict=strict)
        # How often independent columns break it: a tight order is learnt
        # as a difference even by the forests (see _enforce._TIGHT_ORDER).
        rule.break_share_ = shares[(a, b)]
        rules.append(rule)
    return rules


def _order_kind(series, pd):
    """ "number" or "date" for a column an order can hold on, else None."""
    kind = kind_of(series)
    if kind not in ("number", "date") or pd.api.types.is_bool_dtype(series.dtype):
        return None
    return kind


def _order_values(series, kind):
    """Values of a column as floats (dates as their nanoseconds), NaN where
    missing, for the screen."""
    if kind == "date":
        from ._detect import nanoseconds

        values = nanoseconds(series).astype(float)
        values[series.isna().to_numpy()] = np.nan
        return values
    return series.to_numpy(dtype=float, na_value=np.nan)


def _ordered_on(head):
    """Pairs ``(a, b)`` of the columns of ``head`` with ``head[:, a] <=
    head[:, b]`` in every row holding both, and at least one such row.

    All pairs are tried on the first _ORDER_PROBE rows (where most break
    their order), then the pairs left on every row."""
    n_columns = head.shape[1]
    probe = head[:_ORDER_PROBE]
    # NaN compares false: a row missing either value breaks no order.
    kept = np.zeros((n_columns, n_columns), dtype=bool)
    for start in range(0, n_columns, _ORDER_BLOCK):
        block = slice(start, start + _ORDER_BLOCK)
        kept[block] = ~(probe[:, block, None] > probe[:, None, :]).any(axis=0)
    np.fill_diagonal(kept, False)
    a, b = np.nonzero(kept)
    present = ~np.isnan(head)
    broken = np.zeros(a.size, dtype=bool)
    shared = np.zeros(a.size, dtype=bool)
    step = max(_ORDER_CELLS // max(head.shape[0], 1), 1)
    for start in range(0, a.size, step):
        pair = slice(start, start + step)
        low, high = head[:, a[pair]], head[:, b[pair]]
        broken[pair] = (low > high).any(axis=0)
        shared[pair] = (present[:, a[pair]] & present[:, b[pair]]).any(axis=0)
    keep = shared & ~broken
    return list(zip(a[keep], b[keep], strict=True))


def baseline_implications(X, skip=(), groups=(), rules=()):
    """:class:`~sksynth.constraints.Implication` rules "if ``a`` is at its
    baseline then ``b`` is at its baseline" between the number columns of a
    DataFrame ``X``: no page paged out where no page-out was requested, no
    days since the last contact where there was no contact.

    A column's baseline is its most common value, when it holds at least a
    tenth of the rows. ``a`` at its baseline implies ``b`` at its own when no
    row breaks it, though independent columns would break it in at least
    RULED_OUT_EXPECTED rows. Pairs of two columns of at most 20 values each
    are left to :func:`linked_columns`, pairs inside one of the linked
    ``groups`` and pairs an implication of ``rules`` already reads are left
    out, and so are the columns in ``skip``. DataFrames whose column names
    are all strings only, as in :func:`linked_columns`.
    """
    from ._rules import Implication

    # Screened on the first rows at half the share, as a table sorted by
    # another column may hold fewer baselines there.
    candidates = _screened(
        X,
        skip,
        lambda series, pd: _screened_baseline(series, pd, _IMPLIED_BASELINE_SHARE / 2),
    )
    if len(candidates) < 2:
        return []
    n_rows = X.shape[0]
    at_baseline = []
    for j, baseline in candidates:
        x = X.iloc[:, j].to_numpy(dtype=float, na_value=np.nan)
        base = x == baseline
        if base.sum() >= _IMPLIED_BASELINE_SHARE * n_rows:
            few = X.iloc[:_SCREEN_ROWS, j].nunique() <= _MAX_NUMBER_VALUES
            at_baseline.append((j, baseline, base, few))
    if len(at_baseline) < 2:
        return []
    # Rows with both columns at their baselines, counted in blocks (exact:
    # float32 sums of 0 and 1 stay whole below 2**24 rows per block).
    both = np.zeros((len(at_baseline), len(at_baseline)))
    for start in range(0, n_rows, _IMPLIED_BLOCK):
        block = np.column_stack(
            [base[start : start + _IMPLIED_BLOCK] for _, _, base, _ in at_baseline]
        ).astype(np.float32)
        both += block.T @ block
    n_base = np.diag(both).copy()
    broken = n_base[:, None] - both
    expected = n_base[:, None] * (n_rows - n_base[None, :]) / n_rows
    implied = (broken == 0) & ruled_out(broken, expected)
    np.fill_diagonal(implied, False)
    labels = list(X.columns)
    group_of = {label: k for k, group in enumerate(groups) for label in group}
    given = {
        (rule.if_column, rule.then_column)
        for rule in rules
        if isinstance(rule, Implication)
    }
    found = []
    for a, b in zip(*np.nonzero(implied), strict=True):
        (ja, base_a, _, few_a), (jb, base_b, _, few_b) = at_baseline[a], at_baseline[b]
        la, lb = labels[ja], labels[jb]
        same_group = group_of.get(la, -1) == group_of.get(lb, -2)
        if (few_a and few_b) or same_group or (la, lb) in given:
            continue
        found.append(Implication(la, base_a, lb, base_b))
    return found


def _screened_baseline(series, pd, share=_SCREEN_BASELINE_SHARE):
    """The most common value of a number column's first rows, when it holds
    at least ``share`` of them (else None)."""
    dtype = series.dtype
    if (
        not pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    ):
        return None
    head = series.iloc[:_SCREEN_ROWS].dropna()
    if head.empty:
        return None
    counts = head.value_counts()
    if counts.iloc[0] < share * len(head):
        return None
    baseline = counts.index[0]
    baseline = baseline.item() if hasattr(baseline, "item") else baseline
    # A whole number is shown as one (0, not 0.0), whatever the dtype.
    if isinstance(baseline, float) and baseline.is_integer():
        return int(baseline)
    return baseline


def _few_value_codes(series, pd):
    """Codes of a column's values (a missing value its own code) when it has
    2 to ``_MAX_LEVELS`` of them (``_MAX_NUMBER_VALUES`` for numbers), else
    None. Dates and durations are never linked."""
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(
        dtype
    ):
        return None
    number = pd.api.types.is_numeric_dtype(dtype) and not (
        pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)
    )
    limit = _MAX_NUMBER_VALUES if number else _MAX_LEVELS
    if series.iloc[:_SCREEN_ROWS].nunique(dropna=False) > limit:
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    if not 2 <= len(uniques) <= limit:
        return None
    return np.asarray(codes, dtype=np.int64)


def linked_rules(X, rules=()):
    """The rules the data link in ``X``, beside ``rules`` (the detected
    ones): a fitted :class:`~sksynth.constraints.FixedCombinations` for each
    group of :func:`linked_columns` that no rule of ``rules`` already covers,
    and a :class:`~sksynth.constraints.MutuallyExclusive` rule for each group
    of :func:`exclusive_columns`, and the :func:`ordered_columns` and
    :func:`baseline_implications` rules not in ``rules``. What a report
    checks synthetic rows against: the rules that estimators with
    ``linked_columns`` keep."""
    from ._rules import FixedCombinations, Inequality

    covered = [
        set(rule.columns) for rule in rules if isinstance(rule, FixedCombinations)
    ]
    groups = linked_columns(X)
    found = [
        FixedCombinations(group).fit(X)
        for group in groups
        if not any(set(group) <= columns for columns in covered)
    ]
    amounts, others = rules_beside_groups(X, (), groups, rules)
    given = {(rule.low, rule.high) for rule in rules if isinstance(rule, Inequality)}
    others = [
        rule
        for rule in others
        if not (isinstance(rule, Inequality) and (rule.low, rule.high) in given)
    ]
    return found + amounts + others


def rules_beside_groups(X, skip, groups, rules=()):
    """The rules linking finds beside the ``groups`` of :func:`linked_columns`,
    among the columns not in ``skip``: a
    :class:`~sksynth.constraints.MutuallyExclusive` rule for each group of
    :func:`exclusive_columns`, then the :func:`ordered_columns` rules (of the
    columns of neither kind of group) and the :func:`baseline_implications`
    not in ``rules``, as ``(amounts, others)``."""
    from ._rules import MutuallyExclusive

    exclusive = exclusive_columns(X, skip, groups)
    amounts = [MutuallyExclusive(columns, baseline) for columns, baseline in exclusive]
    grouped = set(skip) | {column for group in groups for column in group}
    grouped |= {column for columns, _ in exclusive for column in columns}
    others = ordered_columns(X, grouped)
    others += baseline_implications(X, skip, groups, rules)
    return amounts, others


class Linking:
    """What an estimator links, for ``fit_rules``: ``kept``, the columns it
    never links, and ``merge``, whether few-valued linked columns are learnt
    as one (False for the forests, whose leaves leave out the combinations
    the data rule out by themselves: they only keep amounts apart)."""

    def __init__(self, kept, merge=True):
        self.kept, self.merge = frozenset(kept), merge


def linking_of(estimator):
    """The :class:`Linking` of an estimator: None when it links nothing
    (``linked_columns=None``, or no such parameter), or when a column option
    names columns by position or mask (the columns of the table the model
    learns would shift); otherwise the columns named in its column options
    (``categorical_features``, ``discrete_features``, ``id_columns``), which
    keep their own treatment, are kept, and few-valued columns are merged
    unless the estimator's class sets ``_merges_linked_columns`` to False."""
    if getattr(estimator, "linked_columns", None) != "auto":
        return None
    kept = set()
    for option in ("categorical_features", "discrete_features", "id_columns"):
        selected = getattr(estimator, option, None)
        if selected is None or isinstance(selected, str):
            continue
        names = list(np.asarray(selected, dtype=object).ravel())
        if not all(isinstance(name, str) for name in names):
            return None
        kept.update(names)
    return Linking(kept, getattr(type(estimator), "_merges_linked_columns", True))
