"""Fitting a synthesizer on a Dask DataFrame, on the workers."""

import sys
import warnings
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from .._data import MAX_CLASSES, TableSchema, caller_stacklevel, is_dask_collection
from .._data._widening import Widening, widen, widening_of
from .._progress import Progress
from .._summary import DEFAULT_SAMPLE_ROWS, RowSample, TableSummary, row_keys
from ..constraints._enforce import fit_rules, merge_extensions
from ..constraints._linked import linking_of

# Results merged per task of the reduction tree.
_SPLIT_EVERY = 8


def fit(estimator, X, y=None, *, sample_size=DEFAULT_SAMPLE_ROWS):
    """Fit a synthesizer on a Dask DataFrame (or Array) without collecting it.

    Three passes over the partitions, each a reduction whose partial results
    are computed on the workers and merged in a fixed tree, so the model
    depends on the data, the partitions and ``random_state`` only (never on
    the number of workers):

    1. a uniform sample of the rows, at most ``sample_size`` per class of the
       target (the rows of smallest random keys, one key stream per
       partition); the column kinds, the target's type and the rules of
       ``constraints`` (``"auto"`` included) are learnt on it;
    2. the categories, ranges and discrete values of every partition, which
       widen the schema learnt on the sample;
    3. column statistics of every row, per class: counts of categories and
       missing values, exact counts of columns with few values and t-digests
       of the others.

    Then the estimator is fitted as by :meth:`partial_fit`: the copula's and
    the mixture's margins come from the statistics of all rows, their
    dependence from the sample (the mixture then runs its last EM passes
    over all rows on the workers); the KDE and tree synthesizers, whose models
    do not merge, learn everything from the sample and warn when it is
    smaller than the table.

    Parameters
    ----------
    estimator : synthesizer
        An unfitted (or fitted: it is refitted) sksynth synthesizer.
    X : dask.dataframe.DataFrame or dask.array.Array
        The training table, in partitions.
    y : dask.dataframe.Series or dask.array.Array, default=None
        Its target, in the same number of partitions as ``X``.
    sample_size : int, default=200_000
        Rows of the sample per class of the target (in all without classes).

    Returns
    -------
    estimator : object
        The fitted synthesizer.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sksynth import GaussianCopulaSynthesizer
    >>> import sksynth.dask
    >>> rng = np.random.RandomState(0)
    >>> frame = pd.DataFrame({"a": rng.normal(size=4000), "b": rng.gamma(2, size=4000)})
    >>> X = dd.from_pandas(frame, npartitions=4)
    >>> synth = sksynth.dask.fit(GaussianCopulaSynthesizer(random_state=0), X)
    >>> synth.n_samples_fit_
    4000
    """
    estimator._validate_params()
    return fit_collection(estimator, X, y, sample_size=sample_size)


def fit_collection(estimator, X, y=None, sample_size=DEFAULT_SAMPLE_ROWS):
    """``estimator.fit`` on Dask collections (parameters already validated)."""
    import dask

    if not isinstance(sample_size, Integral) or sample_size < 1:
        raise ValueError(
            f"sample_size must be a positive whole number of rows; got {sample_size!r}."
        )
    parts_X, parts_y = _partitions(X, y)
    seed = check_random_state(estimator.random_state).randint(np.iinfo(np.int32).max)
    max_strata = {"classification": np.inf, "regression": 1}.get(
        estimator.target_type, MAX_CLASSES
    )
    if y is None:
        max_strata = 1

    # 1. The sample, and what is learnt on it.
    samples = [
        dask.delayed(_part_sample)(xp, yp, seed, i, sample_size, max_strata)
        for i, (xp, yp) in enumerate(zip(parts_X, parts_y, strict=True))
    ]
    progress = Progress.of(estimator)
    sample = compute(reduce_delayed(samples, _merge_samples), progress)
    progress.lap(
        lambda: (
            f"pass 1 of 3, sample of {sample.n_rows:,} rows from "
            f"{len(parts_X)} partitions"
        )
    )
    X_sample, y_sample = sample.rows()
    X_sample = validate_data(estimator, X_sample, skip_check_array=True)
    estimator.__dict__.pop("_summary", None)
    rules = fit_rules(
        estimator.constraints,
        X_sample,
        estimator.enforce_range,
        linking_of(estimator),
    )
    table = X_sample if rules is None else rules.transform(X_sample)
    schema = TableSchema.from_data(
        table,
        estimator.categorical_features,
        estimator.id_columns,
        estimator.discrete_features,
    )
    target = None
    if y is not None:
        target = estimator._target_schema(y_sample, table.shape[0], schema)
    summary = TableSummary(seed, schema, rules, target, sample_size)
    summary.sample = _transformed(sample, rules, summary.max_strata)

    # 2. What every partition adds to the rules (combinations, ranges), then
    # categories, ranges and values of every partition widen the schema.
    if rules is not None:
        parts = [dask.delayed(rules.extension)(xp) for xp in parts_X]
        rules.extend(compute(reduce_delayed(parts, merge_extensions), progress))
    context = dask.delayed((schema, rules), pure=True)
    widenings = [dask.delayed(_part_widening)(xp, context) for xp in parts_X]
    widening = compute(reduce_delayed(widenings, _merge_widenings), progress)
    summary.schema = widen(schema, widening)
    progress.lap("pass 2 of 3, categories and ranges of every partition")

    # 3. Statistics of every row.
    context = dask.delayed(summary_context(summary), pure=True)
    stats = [
        dask.delayed(_part_stats)(xp, yp, context)
        for xp, yp in zip(parts_X, parts_y, strict=True)
    ]
    summary.stats, summary.n_rows = compute(
        reduce_delayed(stats, _merge_stats), progress
    )
    summary.n_parts = len(parts_X)
    progress.lap(lambda: f"pass 3 of 3, statistics of {summary.n_rows:,} rows")

    estimator._fit_summary(summary)
    refine = getattr(estimator, "_refine_on_partitions", None)
    if refine is not None:
        refine(summary, parts_X, parts_y)
    _warn_sampled(estimator, summary)
    # The sample (real rows) is not kept: fit starts afresh, and a saved
    # model or a task graph of sksynth.dask.sample does not carry it.
    del estimator._summary
    return estimator


def compute(result, progress):
    """Compute a delayed ``result``, with Dask's progress bar at
    ``verbose >= 2``: the distributed one when a client is active, else the
    local schedulers' (both on standard output)."""
    if not progress.shows(2):
        return result.compute()
    try:
        from distributed import default_client
        from distributed import progress as distributed_progress

        client = default_client()
    except (ImportError, ValueError):
        from dask.diagnostics import ProgressBar

        with ProgressBar(out=sys.stdout):
            return result.compute()
    future = client.compute(result)
    distributed_progress(future)
    print(file=sys.stdout, flush=True)
    return future.result()


def _partitions(X, y):
    """Delayed partitions of ``X`` and of ``y`` (None for each without it)."""
    if not is_dask_collection(X):
        raise TypeError(
            "fit takes a Dask DataFrame or Array with a Dask target; got X of type "
            f"{type(X).__name__}. Pass both as Dask collections, or both in memory."
        )
    if y is not None and not is_dask_collection(y):
        raise TypeError(
            f"X is a Dask collection but y is a {type(y).__name__}: pass y as a Dask "
            "Series or Array split like X, e.g. X[target] before dropping it."
        )
    return aligned_partitions(X, y)


def aligned_partitions(X, y=None):
    """Delayed partitions of ``X`` and of ``y`` that hold the same rows.

    Dask reads the columns of ``X`` and ``y`` separately and may group the
    files of a Parquet folder into different partitions for each (fewer
    columns, bigger partitions), so their partitions are taken from one
    frame of both.
    """
    import dask

    if y is None:
        parts = _blocks(X)
        return parts, [None] * len(parts)
    if hasattr(X, "divisions") and hasattr(y, "divisions"):
        name = _free_name(X.columns)
        try:
            joint = X.assign(**{name: y})
        except ValueError as exc:
            raise ValueError(
                f"y does not line up with the rows of X ({exc}); take both from "
                "one Dask DataFrame: X = frame.drop(columns=target), "
                "y = frame[target]."
            ) from exc
        parts = joint.to_delayed()
        split = [
            dask.delayed(_split_target, nout=2)(part, name, y.name) for part in parts
        ]
        return [s[0] for s in split], [s[1] for s in split]
    parts_X, parts_y = _blocks(X), _blocks(y)
    if len(parts_y) != len(parts_X):
        raise ValueError(
            f"y has {len(parts_y)} partitions and X has {len(parts_X)}: split them "
            "alike, e.g. y.rechunk((X.chunks[0],)) for Dask arrays."
        )
    return parts_X, parts_y


def _free_name(columns):
    name = "__sksynth_target__"
    while name in set(columns):
        name += "_"
    return name


def _split_target(part, name, target_name):
    """A partition of the joint frame as ``(X, y)``, ``y`` named as given."""
    return part.drop(columns=name), part[name].rename(target_name)


def _blocks(collection):
    if hasattr(collection, "divisions"):  # DataFrame or Series
        return list(collection.to_delayed())
    if collection.ndim == 2:
        collection = collection.rechunk({1: -1})
    return list(np.ravel(collection.to_delayed()))


def reduce_delayed(parts, merge):
    """One delayed result of ``parts`` merged in a fixed tree (the same for
    any number of workers)."""
    import dask

    while len(parts) > 1:
        parts = [
            dask.delayed(merge)(*parts[i : i + _SPLIT_EVERY])
            for i in range(0, len(parts), _SPLIT_EVERY)
        ]
    return parts[0]


def _part_sample(X, y, seed, part, capacity, max_strata):
    keys = row_keys(seed, part, X.shape[0])
    return RowSample.of(X, y, keys, capacity, max_strata)


def _merge_samples(*samples):
    merged = samples[0]
    for other in samples[1:]:
        merged = merged.merge(other)
    return merged


def _transformed(sample, rules, max_strata):
    """The sample with the rules' transform applied to its rows, and its
    strata merged when the target turned out continuous."""
    out = RowSample(sample.capacity, max_strata)
    for label, (keys, X, y) in sample.strata.items():
        out.strata[label] = (keys, X if rules is None else rules.transform(X), y)
    if len(out.strata) > max_strata:
        merged = RowSample(sample.capacity, max_strata)
        merged.strata[None] = merged._combine(list(out.strata.values()))
        return merged
    return out


def _part_widening(X, context):
    schema, rules = context
    if rules is not None:
        X = rules.transform(X)
    return widening_of(schema, X)[0]


def _merge_widenings(*widenings):
    merged = Widening()
    for other in widenings:
        merged = merged.merge(other)
    return merged


def summary_context(summary):
    """What the workers need of a summary to count a partition."""
    light = TableSummary(summary.seed, summary.schema, summary.rules, summary.target)
    light.sample = None
    return light


def _part_stats(X, y, summary):
    if summary.rules is not None:
        X = summary.rules.transform(X)
    values = summary.schema.encode(X)
    return summary.part_stats(values, y), values.shape[0]


def _merge_stats(*parts):
    stats, n_rows = {}, 0
    for part, rows in parts:
        for label, group in part.items():
            stats[label] = group if label not in stats else stats[label].merge(group)
        n_rows += rows
    return stats, n_rows


def _warn_sampled(estimator, summary):
    if getattr(estimator, "_merges_statistics", False):
        return
    largest = max(
        (keys.size for keys, _, _ in summary.sample.strata.values()), default=0
    )
    if largest < summary.capacity:
        return
    warnings.warn(
        f"{type(estimator).__name__} learnt the table of {summary.n_rows:,} rows from "
        f"a sample of at most {summary.capacity:,} rows per class: its model does "
        "not merge statistics of partitions. Pass sample_size to "
        "sksynth.dask.fit to use more rows.",
        UserWarning,
        stacklevel=caller_stacklevel(),
    )
