"""``fit_resample`` of the sksynth over-samplers on Dask collections.

The classes are counted on the workers (exactly), and ``sampling_strategy``
turns the counts into the rows to add per class as the in-memory sampler
would. The rows of the classes to grow are collected to the driver (they
are small), with a seeded sample of at most ``MAX_OTHER_ROWS`` rows of each
other class (samplers such as ``KDEOverSampler`` choose a bandwidth where the
other classes are); the sampler's models are fitted on that table, and the
new rows are drawn on the workers, in new partitions appended after the
original ones. ``NoiseAugmenter``, whose new rows are noisy copies of rows
rather than draws of a model, copies each partition's own rows instead.

New identifier keys are unique among the new rows (each new partition draws
keys in its own block) and differ from the keys of the collected rows (of
the partition copied, for ``NoiseAugmenter``); keys of rows left out of the
collected table are not known to the driver, and a new key may repeat one of
them. ``constraints`` are not supported on Dask input; the columns the
collected rows link (``linked_columns``) are learnt as one column, as in
memory, except by ``NoiseAugmenter``, which copies partitions. And
``sample_indices_`` is not set (row positions of a Dask table are not known
without a pass over it).
"""

import operator
from collections import OrderedDict
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from .._data import concat_tables, take_rows
from ._fit import aligned_partitions
from ._sample import (
    block_random_state,
    concatenate,
    draw_seed,
    partition_sizes,
    with_row_numbers,
)

#: Most rows of each class not grown that are collected, drawn at random, to
#: fit the sampler's models next to the rows of the classes to grow.
MAX_OTHER_ROWS = 100_000
#: Most new rows per new partition.
NEW_ROWS_PER_PARTITION = 1_000_000


def fit_resample(sampler, X, y):
    """Resample a Dask DataFrame ``X`` with class labels ``y`` (Dask Series).

    Returns a lazy ``(X_resampled, y_resampled)``: the original partitions,
    unchanged, followed by partitions of new rows. Called by the
    over-samplers' ``fit_resample`` on Dask input.
    """
    sampler._validate_params()
    _check_input(sampler, X, y)
    rng = check_random_state(sampler.random_state)
    X_parts, y_parts = aligned_partitions(X, y)
    per_partition = _class_counts(y_parts)
    counts = _total(per_partition)
    sampler.sampling_strategy_ = _strategy(sampler, counts)
    sampler.__dict__.pop("sample_indices_", None)
    if not any(sampler.sampling_strategy_.values()):
        return X, y
    n_rows = sum(counts.values())  # new rows are numbered from here on
    if _copies_rows(sampler):
        sampler.constraints_ = []  # partitions are copied, not linked
        parts = (X_parts, y_parts, per_partition)
        return _resample_by_copies(sampler, X, y, parts, n_rows, rng)
    grow = [k for k, n in sampler.sampling_strategy_.items() if n > 0]
    X_fit, y_fit = _collect(X_parts, y_parts, grow, counts, rng)
    drawer = _fit_drawer(sampler, X_fit, y_fit, rng)
    seed = draw_seed(None, rng)
    strategy = sampler.sampling_strategy_
    X_new, y_new = _new_partitions(drawer, strategy, X, y, seed, n_rows)
    dd = _dd()
    return dd.concat([X, X_new]), dd.concat([y, y_new])


def sampling_strategy_from_counts(sampling_strategy, counts):
    """Rows to add per class, ``OrderedDict`` sorted by class, as
    imbalanced-learn's ``check_sampling_strategy`` decides them for
    over-sampling, from the class counts ``{class: rows}`` (sorted)."""
    if len(counts) <= 1:
        raise ValueError(
            "The target 'y' needs to have more than 1 class. "
            f"Got {len(counts)} class instead"
        )
    majority = max(counts, key=counts.get)
    minority = min(counts, key=counts.get)
    n_majority = counts[majority]
    if isinstance(sampling_strategy, str):
        chosen = {
            "minority": lambda k: k == minority,
            "not minority": lambda k: k != minority,
            "not majority": lambda k: k != majority,
            "auto": lambda k: k != majority,
            "all": lambda k: True,
        }.get(sampling_strategy)
        if chosen is None:
            raise ValueError(
                f"'sampling_strategy'={sampling_strategy!r} cannot be used with "
                "over-sampler."
            )
        added = {k: n_majority - n for k, n in counts.items() if chosen(k)}
    elif isinstance(sampling_strategy, dict):
        added = _from_dict(sampling_strategy, counts)
    elif isinstance(sampling_strategy, Real):
        if len(counts) != 2:
            raise ValueError(
                '"sampling_strategy" can be a float only when the type of target '
                "is binary. For multi-class, use a dict."
            )
        added = {
            k: int(n_majority * sampling_strategy - n)
            for k, n in counts.items()
            if k != majority
        }
        if any(n < 0 for n in added.values()):
            raise ValueError(
                "The specified ratio required to remove samples from the minority "
                "class while trying to generate new samples. Please increase the "
                "ratio."
            )
    else:
        raise ValueError(
            "On Dask input, `sampling_strategy` must be a string, a float or a "
            "dict: a callable would need the labels in memory. Pass the dict it "
            "returns, from the counts `y.value_counts().compute()`."
        )
    return OrderedDict(sorted(added.items()))


def _from_dict(sampling_strategy, counts):
    unknown = set(sampling_strategy) - set(counts)
    if unknown:
        raise ValueError(f"The {unknown} target class is/are not present in the data.")
    added = {}
    for k, n in sampling_strategy.items():
        if n < counts[k]:
            raise ValueError(
                "With over-sampling methods, the number of samples in a class "
                "should be greater or equal to the original number of samples. "
                f"Originally, there is {counts[k]} samples and {n} samples are asked."
            )
        added[k] = n - counts[k]
    return added


def _dd():
    from .._data import import_dask

    return import_dask("fit_resample on Dask input")


def _check_input(sampler, X, y):
    dd = _dd()
    if not isinstance(X, dd.DataFrame) or not isinstance(y, dd.Series):
        raise TypeError(
            "On Dask input, fit_resample takes X as a Dask DataFrame and y as a "
            f"Dask Series; got {type(X).__name__} and {type(y).__name__}. Convert "
            "them with dd.from_dask_array, or compute them."
        )
    if sampler.constraints is not None:
        raise ValueError(
            "`constraints` are not supported on Dask input yet; pass "
            "constraints=None, or compute X and y."
        )
    if getattr(sampler, "region", None) is not None:
        raise ValueError(
            "`region` is not supported on Dask input yet; pass region=None, "
            "or compute X and y."
        )


def _class_counts(y_parts):
    """Rows of each class in each partition (one pass over ``y``)."""
    import dask

    counted = dask.compute(*[dask.delayed(_value_counts)(part) for part in y_parts])
    return list(counted)


def _value_counts(y):
    if y.isna().any():
        raise ValueError(
            f"y has {int(y.isna().sum())} missing value(s); drop those rows or "
            "fill them in before resampling: a missing label is no class."
        )
    counts = y.value_counts(sort=False)
    return dict(zip(counts.index.tolist(), counts.to_numpy().tolist(), strict=True))


def _total(per_partition):
    total = {}
    for counts in per_partition:
        for label, n in counts.items():
            total[label] = total.get(label, 0) + n
    labels = np.asarray(list(total))
    return {label: total[label.item()] for label in np.sort(labels)}


def _strategy(sampler, counts):
    n_copies = getattr(sampler, "n_copies", None)
    if n_copies is not None:
        return OrderedDict((k, int(round(n_copies * n))) for k, n in counts.items())
    return sampling_strategy_from_counts(sampler.sampling_strategy, counts)


def _copies_rows(sampler):
    from ..over_sampling import NoiseAugmenter

    return isinstance(sampler, NoiseAugmenter)


def _collect(X_parts, y_parts, grow, counts, rng):
    """The rows of the classes in ``grow`` and at most ``MAX_OTHER_ROWS``
    rows, drawn at random, of each other class, in memory."""
    import dask
    import pandas as pd

    shares = {k: min(1.0, MAX_OTHER_ROWS / n) for k, n in counts.items()}
    for k in grow:
        shares[k] = 1.0
    children = np.random.SeedSequence(draw_seed(None, rng)).spawn(len(X_parts))
    parts = dask.compute(
        *[
            dask.delayed(_collect_partition)(X_part, y_part, shares, child)
            for X_part, y_part, child in zip(X_parts, y_parts, children, strict=True)
        ]
    )
    X_fit = pd.concat([p[0] for p in parts], ignore_index=True)
    y_fit = pd.concat([p[1] for p in parts], ignore_index=True).to_numpy()
    # Bernoulli draws keep about MAX_OTHER_ROWS of a class: trim to the cap.
    keep = np.ones(y_fit.size, dtype=bool)
    for k, n in counts.items():
        rows = np.flatnonzero(y_fit == k)
        if k not in grow and rows.size > MAX_OTHER_ROWS:
            dropped = rng.choice(rows, rows.size - MAX_OTHER_ROWS, replace=False)
            keep[dropped] = False
    return X_fit[keep].reset_index(drop=True), y_fit[keep]


def _collect_partition(X, y, shares, seed_sequence):
    if len(X) != len(y):
        raise ValueError(
            f"A partition of X has {len(X)} rows and that of y {len(y)}: their "
            "rows must match partition by partition."
        )
    rng = np.random.RandomState(np.random.MT19937(seed_sequence))
    share = y.map(shares).to_numpy(dtype=float)
    keep = rng.random_sample(len(y)) < share
    return X[keep], y[keep]


def _fit_drawer(sampler, X, y, rng):
    """The sampler's models of the classes to grow, fitted as in memory, with
    a ``draw(n_per_class, rng)`` of new rows. Columns the collected rows link
    (``linked_columns``) are learnt as one, and drawn rows turned back."""
    from ..constraints._enforce import fit_rules
    from ..constraints._linked import linking_of
    from ..over_sampling import KDEOverSampler
    from ..over_sampling._synthesizer import ClassModels

    rules = fit_rules(None, X, linking=linking_of(sampler))
    sampler.constraints_ = [] if rules is None else list(rules.rules)
    if rules is not None:
        X = rules.transform(X)
    if isinstance(sampler, KDEOverSampler):
        schema, _, models = sampler._fit_class_models(X, y, rng)
        drawer = _KDEDrawer(schema, models)
    else:
        drawer = ClassModels.fit(sampler, X, y, rng)
    return drawer if rules is None else _LinkedDrawer(drawer, rules)


class _LinkedDrawer:
    """New rows of a drawer fitted on the table the rules of the linked
    columns transform, turned back to the table's columns; rows that break a
    rule kept by rejection (amounts that exclude one another) are drawn
    again, class by class."""

    def __init__(self, drawer, rules):
        self.drawer, self.rules = drawer, rules

    def draw(self, n_per_class, rng):
        from ..over_sampling._base import _MAX_REDRAWS, _keeps_rules

        rejection = self.rules.checked_rules
        need = dict(n_per_class)
        kept = {klass: [] for klass in n_per_class}
        broken = {}
        for _ in range(_MAX_REDRAWS + 1):
            need = {klass: n for klass, n in need.items() if n > 0}
            if not need:
                break
            X = self.rules.inverse_transform(self.drawer.draw(need, rng))
            if not rejection:
                return X
            valid = _keeps_rules(X, rejection, broken)
            owner = np.repeat(np.arange(len(need)), list(need.values()))
            for i, klass in enumerate(list(need)):
                rows = np.flatnonzero(valid & (owner == i))[: need[klass]]
                kept[klass].append(take_rows(X, rows))
                need[klass] -= rows.size
        if any(n > 0 for n in need.values()):
            names = "; ".join(f"{rule} ({n} rows)" for rule, n in broken.items() if n)
            raise ValueError(
                f"Too few new rows satisfy the rules: {sum(need.values())} row(s) "
                f"still missing after {_MAX_REDRAWS} redraws. New rows broke "
                f"{names}; pass linked_columns=None to model the columns apart."
            )
        return concat_tables([part for klass in n_per_class for part in kept[klass]])


class _KDEDrawer:
    """New rows of ``KDEOverSampler``'s kernel density of each class."""

    def __init__(self, schema, models):
        self.schema = schema
        self.models = {klass: model for klass, (model, _) in models.items()}

    def draw(self, n_per_class, rng):
        from .._kde import sample_model

        blocks = [
            sample_model(self.models[klass], n_new, rng, enforce_range=True)[0]
            for klass, n_new in n_per_class.items()
        ]
        return self.schema.decode(np.concatenate(blocks), True, rng)


def _new_partitions(drawer, strategy, X, y, seed, first_row):
    """Lazy ``(X_new, y_new)``: the new rows of every class, split evenly over
    new partitions of at most ``NEW_ROWS_PER_PARTITION`` rows, each drawn with
    its own stream (``SeedSequence(seed).spawn``), rows numbered from
    ``first_row`` on (after the original rows, as in memory)."""
    n_new = sum(strategy.values())
    npartitions = -(-n_new // NEW_ROWS_PER_PARTITION)
    per_class = {
        k: partition_sizes(n, npartitions) for k, n in strategy.items() if n > 0
    }
    allocations = [
        {k: sizes[i] for k, sizes in per_class.items() if sizes[i]}
        for i in range(npartitions)
    ]
    children = np.random.SeedSequence(seed).spawn(npartitions)
    sizes = [sum(a.values()) for a in allocations]
    offsets = (first_row + np.cumsum([0, *sizes[:-1]])).tolist()
    arguments = [
        (size, allocation, offset, child, i, npartitions, y._meta)
        for i, (size, allocation, offset, child) in enumerate(
            zip(sizes, allocations, offsets, children, strict=True)
        )
    ]
    return _lazy(_draw_new, arguments, drawer, (X._meta, y._meta))


def _draw_new(drawer, n_rows, allocation, offset, seed_sequence, index, count, y):
    import pandas as pd

    rng = block_random_state(seed_sequence, index, count)
    X_new = drawer.draw(allocation, rng)
    labels = np.concatenate([np.repeat([k], n) for k, n in allocation.items()])
    y_new = pd.Series(labels, name=y.name).astype(y.dtype)
    return with_row_numbers((X_new, y_new), offset)


def _lazy(function, arguments, model, meta):
    """``(X, y)`` collections of ``function(model, *args)``, divisions unknown."""
    import dask

    shared = dask.delayed(model, pure=True)
    tables = [dask.delayed(function, pure=True)(shared, *args) for args in arguments]
    sizes = [args[0] for args in arguments]
    return tuple(
        concatenate(
            [dask.delayed(operator.getitem, pure=True)(t, k) for t in tables],
            sizes,
            meta[k],
            known=False,
        )
        for k in range(2)
    )


def _resample_by_copies(sampler, X, y, parts, first_row, rng):
    """NoiseAugmenter: new partition ``i`` holds noisy copies of the rows of
    original partition ``i``, as many of each class as its share of the class
    (largest remainders), so the totals are ``sampling_strategy_``; new rows
    are numbered from ``first_row`` on."""
    import dask

    X_parts, y_parts, per_partition = parts
    allocations = _allocate(sampler.sampling_strategy_, per_partition)
    children = np.random.SeedSequence(draw_seed(None, rng)).spawn(len(allocations))
    sizes = [sum(a.values()) for a in allocations]
    offsets = (first_row + np.cumsum([0, *sizes[:-1]])).tolist()
    tables = [
        dask.delayed(_copy_partition, pure=True)(
            sampler, X_part, y_part, allocation, child, (i, len(allocations)), offset
        )
        for i, (X_part, y_part, allocation, child, offset) in enumerate(
            zip(X_parts, y_parts, allocations, children, offsets, strict=True)
        )
    ]
    X_new, y_new = (
        concatenate(
            [dask.delayed(operator.getitem, pure=True)(t, k) for t in tables],
            sizes,
            meta,
            known=False,
        )
        for k, meta in enumerate((X._meta, y._meta))
    )
    dd = _dd()
    return dd.concat([X, X_new]), dd.concat([y, y_new])


def _allocate(strategy, per_partition):
    """Rows to add per class in each partition, proportional to the
    partition's rows of the class (largest remainders)."""
    allocations = [{} for _ in per_partition]
    for klass, n_new in strategy.items():
        key = klass.item() if isinstance(klass, np.generic) else klass
        have = np.array([c.get(key, 0) for c in per_partition], dtype=float)
        if n_new == 0 or not have.sum():
            continue
        expected = n_new * have / have.sum()
        counts = np.floor(expected).astype(int)
        remainder = n_new - counts.sum()
        order = np.argsort(-(expected - counts), kind="stable")
        counts[order[:remainder]] += 1
        for i, n in enumerate(counts):
            if n:
                allocations[i][klass] = int(n)
    return allocations


def _copy_partition(sampler, X, y, allocation, seed_sequence, block, offset):
    from sklearn.base import clone

    index, count = block
    augmenter = clone(sampler).set_params(
        n_copies=None, random_state=block_random_state(seed_sequence, index, count)
    )
    if not allocation:
        return X.iloc[:0], y.iloc[:0]
    augmenter.sampling_strategy_ = OrderedDict(allocation)
    X_res, y_res = augmenter._fit_resample(X, y.to_numpy())
    n = len(X)
    X_new = take_rows(X_res, np.arange(n, len(X_res)))
    y_new = type(y)(np.asarray(y_res)[n:], name=y.name).astype(y.dtype)
    return with_row_numbers((X_new, y_new), offset)
