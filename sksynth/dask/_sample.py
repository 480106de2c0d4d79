"""Sampling a fitted synthesizer into a lazy Dask collection, in parallel."""

import copy
import math
import numbers
import operator

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._data import KeyBlockRandomState, import_dask, is_dataframe

#: Rows per partition when ``npartitions`` is None.
ROWS_PER_PARTITION = 1_000_000


def sample(synth, n_samples, *, npartitions=None, random_state=None, conditions=None):
    """Draw synthetic rows of a fitted synthesizer as a lazy Dask collection.

    Partition ``i`` of ``npartitions`` draws its rows with
    ``synth.sample(n_i, random_state=rng_i, conditions=conditions)``, where
    ``rng_i`` is a generator of its own, seeded by child ``i`` of
    ``np.random.SeedSequence(seed).spawn(npartitions)``: the rows depend only
    on the seed and ``npartitions``, never on the number of workers or the
    scheduler, and no two partitions share a random stream. The fitted
    synthesizer enters the task graph once.

    Parameters
    ----------
    synth : fitted synthesizer
        A fitted sksynth synthesizer (``GaussianCopulaSynthesizer``,
        ``KDESynthesizer``, ``MixtureSynthesizer``, ``TreeSynthesizer``).
    n_samples : int
        Number of rows to draw, split evenly over the partitions (the first
        ``n_samples % npartitions`` partitions get one row more).
    npartitions : int, default=None
        Number of partitions, at most ``n_samples``. None gives partitions of
        about ``ROWS_PER_PARTITION`` (1,000,000) rows.
    random_state : int, RandomState instance or None, default=None
        Seed of the partitions' streams. None draws it from the generator
        kept at ``fit`` (``synth.random_state_``), so the result is
        reproducible from the estimator's ``random_state`` and successive
        calls differ, as with ``synth.sample``; a RandomState instance gives
        the seed by one draw.
    conditions : dict, default=None
        Column values to hold fixed, as in ``synth.sample``.

    Returns
    -------
    X : dask.dataframe.DataFrame or dask.array.Array
        The rows, a Dask DataFrame with the columns, dtypes and categories of
        ``synth.sample`` when ``synth`` was fitted on a DataFrame, else a Dask
        array. Identifier columns hold keys unique across partitions. Rows
        are numbered 0 to ``n_samples - 1`` (known divisions).
    y : dask.dataframe.Series or dask.array.Array
        The targets, returned only when ``synth`` was fitted with ``y``: a
        Dask Series named like the training target (or a Dask array). ``X``
        and ``y`` are two views of the same drawn partitions, so their rows
        match, and ``dask.compute(X, y)`` draws each partition once
        (computing them one after the other draws twice, the same rows).

    See Also
    --------
    sksynth.GaussianCopulaSynthesizer.sample : The in-memory draw each
        partition makes.

    Examples
    --------
    >>> import dask
    >>> from sklearn.datasets import load_iris
    >>> from sksynth import GaussianCopulaSynthesizer
    >>> from sksynth.dask import sample
    >>> X = load_iris(as_frame=True).data
    >>> synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
    >>> rows = sample(synth, 1000, npartitions=4, random_state=0)
    >>> rows.npartitions
    4
    >>> with dask.config.set(scheduler="synchronous"):
    ...     table = rows.compute()
    >>> table.shape
    (1000, 4)
    >>> rows.to_parquet("synthetic/")  # doctest: +SKIP
    """
    check_is_fitted(synth)
    n_samples = _check_n_samples(n_samples)
    npartitions = _check_npartitions(npartitions, n_samples)
    seed = _seed(synth, random_state)
    # A tiny draw checks ``conditions`` now and gives the collection's dtypes.
    example = synth.sample(1, random_state=0, conditions=conditions)
    children = np.random.SeedSequence(seed).spawn(npartitions)
    return _collection(
        _draw_partition,
        [
            (n_rows, offset, child, i, npartitions, conditions)
            for i, (n_rows, offset, child) in enumerate(
                zip(*_sizes_offsets(n_samples, npartitions), children, strict=True)
            )
        ],
        synth,
        example,
    )


def partition_sizes(n_samples, npartitions):
    """Rows of each partition: ``n_samples`` split evenly, the first
    ``n_samples % npartitions`` partitions one row more."""
    base, extra = divmod(n_samples, npartitions)
    return [base + (i < extra) for i in range(npartitions)]


def _sizes_offsets(n_samples, npartitions):
    sizes = partition_sizes(n_samples, npartitions)
    return sizes, np.cumsum([0, *sizes[:-1]]).tolist()


def with_row_numbers(result, offset):
    """Number the rows of a drawn table (and target) from ``offset``, so the
    partitions together are numbered 0 to n - 1, like one ``synth.sample``."""
    if isinstance(result, tuple):
        return tuple(with_row_numbers(part, offset) for part in result)
    if hasattr(result, "index"):
        import pandas as pd

        result.index = pd.RangeIndex(offset, offset + len(result))
    return result


def block_random_state(seed_sequence, index, count):
    """The generator of partition ``index`` of ``count``: a RandomState on
    the Mersenne Twister seeded by ``seed_sequence``, drawing the keys of
    identifier columns in the partition's own block."""
    return KeyBlockRandomState(np.random.MT19937(seed_sequence), index, count)


def _draw_partition(synth, n_rows, offset, seed_sequence, index, count, conditions):
    rng = block_random_state(seed_sequence, index, count)
    rows = synth.sample(n_rows, random_state=rng, conditions=conditions)
    return with_row_numbers(rows, offset)


def _collection(function, arguments, model, example):
    """A lazy collection of ``function(model, *args)`` per partition, shaped
    like ``example`` (a table, or a tuple of table and target); ``model``
    enters the graph once."""
    import dask

    shared = dask.delayed(_without_summary(model), pure=True)
    tables = [dask.delayed(function, pure=True)(shared, *args) for args in arguments]
    sizes = [args[0] for args in arguments]
    if not isinstance(example, tuple):
        return concatenate(tables, sizes, example)
    parts = [
        concatenate(
            [dask.delayed(operator.getitem, pure=True)(t, k) for t in tables],
            sizes,
            example[k],
        )
        for k in range(2)
    ]
    return tuple(parts)


def _without_summary(model):
    """A shallow copy of ``model`` without the state of an out-of-core fit
    (its row sample, some 30 MB, and column statistics), which drawing rows
    never reads, so that the graph does not carry it."""
    if "_summary" not in model.__dict__:
        return model
    light = copy.copy(model)
    del light.__dict__["_summary"]
    return light


def concatenate(parts, sizes, example, known=True):
    """Delayed pandas or numpy ``parts`` of ``sizes`` rows as one collection
    like ``example``; pandas parts are numbered 0 to n - 1 in order (known
    divisions) when ``known``."""
    if is_dataframe(example) or hasattr(example, "to_frame"):
        dd = import_dask("sksynth.dask.sample")
        bounds = np.cumsum([0, *sizes]).tolist()
        divisions = (*bounds[:-1], bounds[-1] - 1) if known else None
        return dd.from_delayed(
            parts, meta=example.iloc[:0], divisions=divisions, verify_meta=False
        )
    import dask.array as da

    example = np.asarray(example)
    blocks = [
        da.from_delayed(part, shape=(n_rows, *example.shape[1:]), dtype=example.dtype)
        for part, n_rows in zip(parts, sizes, strict=True)
    ]
    return da.concatenate(blocks)


def _check_n_samples(n_samples):
    if isinstance(n_samples, bool | np.bool_) or not isinstance(
        n_samples, numbers.Integral
    ):
        raise ValueError(
            f"`n_samples` must be an integer >= 1; got {n_samples!r} of type "
            f"{type(n_samples).__name__}."
        )
    if n_samples < 1:
        raise ValueError(f"`n_samples` must be an integer >= 1; got {n_samples}.")
    return int(n_samples)


def _check_npartitions(npartitions, n_samples):
    if npartitions is None:
        return max(1, math.ceil(n_samples / ROWS_PER_PARTITION))
    if isinstance(npartitions, bool | np.bool_) or not isinstance(
        npartitions, numbers.Integral
    ):
        raise ValueError(
            f"`npartitions` must be an integer >= 1 or None; got {npartitions!r} "
            f"of type {type(npartitions).__name__}."
        )
    if not 1 <= npartitions <= n_samples:
        raise ValueError(
            f"`npartitions` must be between 1 and `n_samples`={n_samples} (no "
            f"empty partitions); got {npartitions}. Pass fewer partitions, or "
            "None for about 1,000,000 rows each."
        )
    return int(npartitions)


def draw_seed(random_state, default_rng):
    """The integer seed of a call: ``random_state`` itself when an integer,
    one draw from it when a RandomState, one draw from ``default_rng``
    when None."""
    if random_state is None:
        random_state = default_rng
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, bool | np.bool_) or not isinstance(
        random_state, numbers.Integral
    ):
        raise ValueError(
            "`random_state` must be an int, a numpy RandomState or None; got "
            f"{random_state!r} of type {type(random_state).__name__}."
        )
    if random_state < 0:
        raise ValueError(f"`random_state` must be >= 0; got {random_state}.")
    return int(random_state)


def _seed(synth, random_state):
    return draw_seed(random_state, synth.random_state_)
